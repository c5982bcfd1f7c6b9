"""The home page, search results and OpenSearch description on the real corpus.

Every figure a page shows is checked against another page or against the library:
a facet count equals the total of the search that applies it, every hit of a filtered
search belongs to the filter, OR-combined countries add up.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from repository.convention import load_convention
from repository.countries import regional_groups

pytestmark = pytest.mark.corpus

BROAD_QUERY = "money laundering"  # a concept of article 23: expands to many countries and languages


def get_page(client, params) -> BeautifulSoup:
    url = "/search?" + urlencode(params) if not isinstance(params, str) else params
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def total(soup: BeautifulSoup) -> int:
    count = soup.select_one(".result-count")
    assert count is not None, "no result count on the page"
    return int(re.match(r"(\d+) provision", count.get_text()).group(1))


def hit_ids(soup: BeautifulSoup) -> list[int]:
    return [int(li["data-provision-id"]) for li in soup.select("li.hit")]


def facets(soup: BeautifulSoup) -> dict[str, list[tuple[str, int, str, bool]]]:
    """name -> [(value, count, href, selected)] as the page lists them."""
    found: dict[str, list] = {}
    for link in soup.select("a.facet-value"):
        found.setdefault(link["data-facet"], []).append(
            (link["data-value"], int(link["data-count"]), link["href"], "selected" in link["class"]))
    return found


def params_of(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href).query)


def replaced(params, name, value):
    return [(n, v) for n, v in params if n != name] + [(name, value)]


def belongs(citation, name: str, value: str) -> bool:
    """Does the cited provision satisfy the filter name=value?"""
    convention = load_convention()
    if name == "country":
        return citation.country_code == value
    if name == "region":
        return regional_groups().get(citation.country_code) == value
    if name == "article":
        return int(value) in citation.articles
    if name == "chapter":
        return value in {convention.chapter_of(a) for a in citation.articles}
    if name == "type":
        return citation.doc_type == value
    if name == "language":
        return citation.language == value
    if name == "year":
        return str(citation.year) == value
    if name == "status":
        return citation.status == value
    raise AssertionError(name)


@pytest.fixture(scope="module")
def broad(corpus_app):
    client = corpus_app.test_client()
    soup = get_page(client, [("q", BROAD_QUERY)])
    return soup, facets(soup)


@pytest.mark.parametrize("name", ["country", "region", "article", "chapter", "type", "language", "year", "status"])
def test_each_facet_count_equals_the_total_of_the_search_applying_it(corpus_client, corpus_ingested, broad, name):
    library = corpus_ingested[0]
    _soup, listed = broad
    assert len(listed[name]) >= 2, f"the corpus should give at least two {name} values"
    for value, count, href, selected in listed[name][:3]:
        assert not selected
        assert params_of(href) == [("q", BROAD_QUERY), (name, value)]
        filtered = get_page(corpus_client, href)
        assert total(filtered) == count
        # the chosen value shows as a selected facet value and as a removable chip
        again = {v: s for v, _c, _h, s in facets(filtered)[name]}
        assert again[value] is True
        chip = filtered.select_one(".chips a.chip")
        assert params_of(chip["href"]) == [("q", BROAD_QUERY)]
        ids = hit_ids(filtered)
        assert ids
        for citation in library.citations(ids):
            assert belongs(citation, name, value), (name, value, citation.source)


def test_empty_query_with_filters_lists_provisions_in_document_order(corpus_client, corpus_ingested):
    library = corpus_ingested[0]
    soup = get_page(corpus_client, [("country", "DEU"), ("article", "23")])
    assert total(soup) > 0
    citations = library.citations(hit_ids(soup))
    assert all(c.country_code == "DEU" and 23 in c.articles for c in citations)
    assert [c.document_id for c in citations] == sorted(c.document_id for c in citations)


COMBINATIONS = [("country", "article"), ("region", "language"), ("chapter", "type"), ("year", "status")]


@pytest.mark.parametrize("first,second", COMBINATIONS)
def test_combined_facets_narrow_consistently(corpus_client, corpus_ingested, broad, first, second):
    library = corpus_ingested[0]
    _soup, listed = broad
    value, first_count, href, _selected = listed[first][0]
    narrowed = get_page(corpus_client, href)
    assert total(narrowed) == first_count
    options = [entry for entry in facets(narrowed)[second] if not entry[3]]
    assert options, f"no {second} values under {first}={value}"
    other, count, both_href, _ = options[0]
    assert sorted(params_of(both_href)) == sorted([("q", BROAD_QUERY), (first, value), (second, other)])
    both = get_page(corpus_client, both_href)
    assert total(both) == count <= first_count
    alone = get_page(corpus_client, [("q", BROAD_QUERY), (second, other)])
    assert count <= total(alone)
    for citation in library.citations(hit_ids(both)):
        assert belongs(citation, first, value) and belongs(citation, second, other)
    assert len(both.select(".chips a.chip")) == 2


@pytest.mark.parametrize("query,countries", [
    (BROAD_QUERY, 2),                # the two countries with most hits
    ("", ("CAN", "NGA", "USA")),     # listing, no query
])
def test_repeated_country_values_are_or_combined(corpus_client, broad, query, countries):
    base = [("q", query)] if query else []
    if isinstance(countries, int):
        countries = [value for value, _n, _h, _s in broad[1]["country"][:countries]]
    alone = [total(get_page(corpus_client, base + [("country", c)])) for c in countries]
    assert all(alone)
    together = get_page(corpus_client, base + [("country", c) for c in countries])
    assert total(together) == sum(alone)
    listed = {v: n for v, n, _h, _s in facets(together)["country"]}
    assert [listed[c] for c in countries] == alone


def test_region_values_are_the_un_groups_and_match_country_sums(corpus_client, broad):
    _soup, listed = broad
    groups = regional_groups()
    countries = {v: n for v, n, _h, _s in listed["country"]}
    for region, count, _href, _sel in listed["region"]:
        assert count == sum(n for code, n in countries.items() if groups.get(code) == region)


def test_year_range_filter_equals_the_sum_of_its_years(corpus_client, broad):
    _soup, listed = broad
    years = {int(v): n for v, n, _h, _s in listed["year"]}
    low, high = 2000, 2010
    ranged = get_page(corpus_client, [("q", BROAD_QUERY), ("year", f"{low}-{high}")])
    assert total(ranged) == sum(n for y, n in years.items() if low <= y <= high) > 0
    assert "2000–2010" in ranged.select_one(".chips").get_text()


def test_sort_by_date_orders_by_year_and_differs_from_relevance(corpus_client, corpus_ingested):
    library = corpus_ingested[0]
    relevance = get_page(corpus_client, [("q", BROAD_QUERY)])
    by_date = get_page(corpus_client, [("q", BROAD_QUERY), ("sort", "date")])
    by_date_2 = get_page(corpus_client, [("q", BROAD_QUERY), ("sort", "date"), ("page", "2")])
    assert total(relevance) == total(by_date)
    years = [c.year or 0 for c in library.citations(hit_ids(by_date) + hit_ids(by_date_2))]
    assert years == sorted(years, reverse=True)
    assert hit_ids(relevance) != hit_ids(by_date)
    # the sort links keep the query and start again at page 1
    links = {a.get_text(): a["href"] for a in by_date_2.select(".sort a")}
    assert params_of(links["Relevance"]) == [("q", BROAD_QUERY)]
    assert by_date.select_one(".sort strong").get_text() == "Newest first"


def test_pagination_continues_ranks_and_keeps_filters(corpus_client, corpus_app):
    per_page = corpus_app.extensions["lexrepo"].settings.search_limit
    params = [("q", BROAD_QUERY), ("language", "en"), ("sort", "date")]
    first = get_page(corpus_client, params)
    assert total(first) > 2 * per_page
    assert len(hit_ids(first)) == per_page
    next_link = first.select_one(".pagination a[rel=next]")
    assert sorted(params_of(next_link["href"])) == sorted(params + [("page", "2")])
    second = get_page(corpus_client, next_link["href"])
    assert set(hit_ids(first)).isdisjoint(hit_ids(second))
    assert first.select_one("ol.results")["start"] == "1"
    assert second.select_one("ol.results")["start"] == str(per_page + 1)
    assert params_of(second.select_one(".pagination a[rel=prev]")["href"]) == params
    assert second.select_one(".pagination a[aria-current=page]").get_text() == "2"
    last = -(-total(first) // per_page)
    numbers = [a.get_text() for a in first.select(".pagination a") if a.get_text().isdigit()]
    assert numbers[0] == "1" and numbers[-1] == str(last)
    last_page = get_page(corpus_client, params + [("page", str(last))])
    assert len(hit_ids(last_page)) == total(first) - (last - 1) * per_page
    assert last_page.select_one(".pagination a[rel=next]") is None


def test_no_results_help_offers_ways_out(corpus_client):
    soup = get_page(corpus_client, [("q", "money laundering"), ("country", "DEU"), ("language", "fr")])
    assert total(soup) == 0
    help_box = soup.select_one(".no-results")
    assert help_box is not None
    hrefs = [a["href"] for a in help_box.select("a")]
    assert [("q", "money laundering"), ("language", "fr")] in [params_of(h) for h in hrefs]
    assert [("q", "money laundering")] in [params_of(h) for h in hrefs]
    assert "/articles/23" in hrefs  # the query names the concept of article 23
    text = help_box.get_text()
    assert "spelling" in text and "OR" in text and "brib*" in text
    # a lifted filter really gives results
    assert total(get_page(corpus_client, [("q", "money laundering"), ("country", "DEU")])) > 0


@pytest.mark.parametrize("params,message", [
    ([("q", '"unclosed phrase')], "Unbalanced quote"),
    ([("q", "bribery AND")], "needs a term after it"),
    ([("q", "country:")], "needs a value"),
    ([("q", "bribery"), ("year", "last year")], "Invalid year filter"),
])
def test_bad_query_syntax_is_explained(corpus_client, params, message):
    soup = get_page(corpus_client, params)
    alert = soup.select_one("[role=alert]")
    assert alert is not None and message in alert.get_text()
    assert soup.select_one(".result-count") is None


def test_result_links_to_an_anchor_that_exists_on_the_document_page(corpus_client):
    soup = get_page(corpus_client, [("q", "Geldwäsche"), ("country", "DEU")])
    links = [a["href"] for a in soup.select("li.hit h2 a")]
    assert links
    for href in links[:3]:
        path, anchor = href.split("#")
        assert re.fullmatch(r"/documents/\d+", path)
        document = BeautifulSoup(corpus_client.get(path).get_data(as_text=True), "html.parser")
        assert len(document.find_all(id=anchor)) == 1


def test_each_result_has_a_citation_form_returning_to_this_search(corpus_client):
    url = "/search?" + urlencode([("q", "bribery"), ("country", "CAN"), ("page", "1")])
    soup = get_page(corpus_client, url)
    for hit in soup.select("li.hit"):
        form = hit.select_one("form.cite-form")
        assert form["action"] == "/citations/add" and form["method"] == "post"
        fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
        assert fields["provision_id"] == hit["data-provision-id"]
        assert fields["next"] == url
        assert fields["csrf_token"]


@pytest.mark.parametrize("params", [
    [("q", "<script>alert(1)</script>")],
    [("q", "bribery"), ("country", "<script>alert(1)</script>")],
    [("q", "x"), ("region", '"><img src=x onerror=alert(1)>')],
    [("article", "<b>16</b>"), ("chapter", "</title><script>alert(1)</script>")],
])
def test_hostile_input_is_escaped(corpus_client, params):
    html = corpus_client.get("/search?" + urlencode(params)).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>16</b>" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert [s for s in soup.find_all("script")] == []
    shown = soup.get_text()
    for _name, value in params:
        assert value in shown or value.upper() in shown


def test_home_page_browses_the_convention_countries_and_regions(corpus_client, corpus_ingested):
    library = corpus_ingested[0]
    soup = BeautifulSoup(corpus_client.get("/").get_data(as_text=True), "html.parser")
    assert len(soup.select("main form[role=search] input[type=search]")) == 1
    assert soup.select_one("header input[type=search]") is None  # one search box
    label = soup.select_one("main form[role=search] label")
    assert label["for"] == soup.select_one("main input[type=search]")["id"]
    convention = load_convention()
    article_links = [a for a in soup.select("a[href^='/articles/']")]
    assert [a["href"] for a in article_links] == [f"/articles/{a.number}" for a in convention.articles]
    assert all(a.title in link.get_text() for a, link in zip(convention.articles, article_links))
    chapters = soup.select("details.chapter summary")
    assert [c.get_text().split("—")[0].split()[-1] for c in chapters] == [c.number for c in convention.chapters]

    stats = library.stats()
    countries = sorted(code for code, _d, _p in stats.by_country if code != "international")
    assert sorted(a["href"].rsplit("/", 1)[1] for a in soup.select("a[href^='/countries/']")) == countries
    regions = {params_of(a["href"])[0][1]: a for a in soup.select("a[href^='/search?region=']")}
    assert set(regions) == {"African", "Asia-Pacific", "Eastern European", "Latin American and Caribbean",
                            "Western European and other"}
    weog = get_page(corpus_client, regions["Western European and other"]["href"])
    assert total(weog) > 0
    recent = soup.select("ul.recent li a")
    assert len(recent) == 10 and all(re.fullmatch(r"/documents/\d+", a["href"]) for a in recent)
    counts = soup.select_one(".counts").get_text()
    assert f"{stats.documents} documents" in " ".join(counts.split())
    assert f"{stats.provisions} provisions" in " ".join(counts.split())


def test_opensearch_description_points_at_the_search_page(corpus_client):
    home = BeautifulSoup(corpus_client.get("/").get_data(as_text=True), "html.parser")
    link = home.select_one("link[rel=search]")
    assert link["type"] == "application/opensearchdescription+xml"
    response = corpus_client.get(link["href"])
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    root = etree.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.findtext("os:ShortName", namespaces=ns) == "lexrepo"
    template = root.find("os:Url[@type='text/html']", ns).get("template")
    parts = urlsplit(template)
    assert parts.path == "/search" and parts.query == "q={searchTerms}"
    filled = template.replace("{searchTerms}", "bribery").split("localhost", 1)[1]
    assert total(get_page(corpus_client, filled)) > 0


def test_every_page_has_a_title_and_labelled_controls(corpus_client):
    for url in ("/", "/search", "/search?q=bribery", "/documents/1"):
        soup = BeautifulSoup(corpus_client.get(url).get_data(as_text=True), "html.parser")
        assert soup.title.get_text().strip().endswith("· lexrepo")
        assert soup.select_one("a.skip-link")["href"] == "#main"
        assert len(soup.find_all("h1")) == 1
        for control in soup.select("input:not([type=hidden]), select, textarea"):
            assert soup.select_one(f"label[for='{control['id']}']") is not None, (url, control)
