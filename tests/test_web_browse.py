"""Article, country and matrix pages on the real corpus: what they show agrees with the domain
functions, with each other and with their CSV downloads."""
from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from repository.assistance import load_assistance_needs
from repository.models import Document, Provision

COMPARED = ["DEU", "FRA", "CAN"]


@pytest.fixture(scope="module")
def library(corpus_ingested):
    return corpus_ingested[0]


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert " style=" not in html and "<script" not in html  # CSP: no inline styles or scripts
    return BeautifulSoup(html, "lxml")


def provision_path(library, short_title: str, number: str) -> str:
    """/documents/<id>#<anchor> of a numbered provision of the current version of a document."""
    with library.sessions() as session:
        document = session.scalar(select(Document).where(Document.short_title == short_title))
        anchor = session.scalar(select(Provision.anchor).where(
            Provision.version_id == document.current_version.id, Provision.number == number))
        return f"/documents/{document.id}#{anchor}"


def test_article_page_shows_the_convention_text_and_implementations(corpus_client, library):
    soup = page(corpus_client, "/articles/23")
    assert "Article 23. Laundering of proceeds of crime" in soup.h1.get_text()
    texts = library.convention_text(23)
    english = soup.select_one('.convention-text[lang="en"]')
    assert "The conversion or transfer of property, knowing that such property is the proceeds of crime" in english.get_text()
    assert english.select_one(".text").get_text() == texts["en"].text
    spanish = soup.select_one('.convention-text[lang="es"]')
    assert "Blanqueo del producto del delito" in spanish.get_text()
    assert spanish.find("a")["href"] == texts["es"].path

    germany = soup.select_one("#country-DEU")
    links = [a["href"] for a in germany.select(".implementations a")]
    assert provision_path(library, "StGB", "261") in links
    assert "StGB § 261" in germany.get_text()
    # Every country group the domain finds, in the same order, with the same provisions.
    groups = library.article_implementations(23)
    shown = [section["id"] for section in soup.select(".country-group")]
    assert shown == [f"country-{g.code or 'international'}" for g in groups]
    assert shown[-1] == "country-international"
    for group in groups:
        items = soup.select(f"#country-{group.code or 'international'} .implementations li")
        assert [li.a["href"] for li in items] == [i.path for i in group.implementations]
        assert [li.select_one(".tag-status").get_text() for li in items] == [i.status for i in group.implementations]


def test_compare_shows_one_column_per_country(corpus_client, library):
    query = "&".join(f"country={code}" for code in COMPARED)
    soup = page(corpus_client, f"/articles/23/compare?{query}")
    columns = soup.select(".compare-column")
    assert [c["id"] for c in columns] == [f"column-{code}" for code in COMPARED]
    stgb = provision_path(library, "StGB", "261")
    assert stgb in [a["href"] for a in soup.select("#column-DEU h3 a")]
    assert "Geldwäsche" in soup.select_one("#column-DEU").get_text()  # the full text, not a link only
    checked = {box["value"] for box in soup.select('input[name="country"][checked]')}
    assert checked == set(COMPARED)
    for box in soup.select('input[name="country"]'):
        assert soup.select_one(f'label[for="{box["id"]}"]') is not None


def test_compare_says_when_a_country_has_no_implementing_provision(corpus_client, library):
    covered = {g.code for g in library.article_implementations(23)}
    missing = next(c.code for c in library.countries() if c.code not in covered)
    soup = page(corpus_client, f"/articles/23/compare?country=DEU&country={missing}")
    assert soup.select_one(f"#column-{missing} .no-implementation") is not None
    assert soup.select_one("#column-DEU .no-implementation") is None


@pytest.mark.parametrize("article", [32, 23, 44, 50])
def test_assistance_needs_appear_with_their_source(corpus_client, article):
    needs = load_assistance_needs().by_article[article]
    text = " ".join(page(corpus_client, f"/articles/{article}").select_one('[aria-labelledby="needs-heading"]').get_text().split())
    assert f"{needs.states_parties} States parties identified {needs.needs} technical assistance needs" in text
    for part in ("Analysis of technical assistance needs emerging from the country reviews", "Note by the Secretariat",
                 "28 April 2014", "Implementation Review Group", "Fifth session, Vienna, 2-6 June 2014"):
        assert part in text


def test_article_32_needs_are_those_of_the_note(corpus_client):
    text = " ".join(page(corpus_client, "/articles/32").get_text().split())
    assert "20 States parties identified 70 technical assistance needs" in text


def test_articles_outside_the_analysis_say_so(corpus_client):
    text = page(corpus_client, "/articles/5").select_one('[aria-labelledby="needs-heading"]').get_text()
    assert "records no figure for article 5" in text


def test_articles_index_lists_every_article_with_counts(corpus_client, library):
    soup = page(corpus_client, "/articles")
    rows = soup.select("table.articles tbody tr")
    assert len(rows) == 71
    summaries = {a.number: a for a in library.articles()}
    assert len(soup.select("section.chapter")) == 8
    for row in rows:
        number = int(row.th.get_text().removeprefix("Art. "))
        cells = [td.get_text() for td in row.find_all("td")]
        assert cells == [summaries[number].title, summaries[number].obligation or "not recorded",
                         str(summaries[number].provisions), str(summaries[number].countries)]
    assert summaries[23].countries == len([g for g in library.article_implementations(23) if g.code])


def coverage_csv(client, code: str) -> list[dict]:
    response = client.get(f"/countries/{code}/coverage.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_country_page_lists_documents_and_marks_article_23(corpus_client, library):
    soup = page(corpus_client, "/countries/DEU")
    titles = [a.get_text() for a in soup.select("table.documents tbody th a")]
    with library.sessions() as session:
        expected = set(session.scalars(select(Document.title).where(Document.country_code == "DEU")))
    assert set(titles) == expected and "Strafgesetzbuch" in titles
    cell = soup.select_one("#article-23")
    assert "status-none" not in cell["class"]
    assert "none" not in cell.select_one(".status-text").get_text()
    assert cell.a["href"] == "/articles/23#country-DEU"


@pytest.mark.parametrize("code", ["DEU", "FRA", "KEN", "BRB"])
def test_coverage_csv_agrees_with_page_and_domain(corpus_client, library, code):
    rows = coverage_csv(corpus_client, code)
    domain = library.country_coverage(code)
    assert [int(r["article"]) for r in rows] == list(range(1, 72))
    soup = page(corpus_client, f"/countries/{code}")
    for row, expected in zip(rows, domain):
        assert (row["title"], row["chapter"], row["status"], int(row["provisions"])) == (
            expected.title, expected.chapter, expected.status, expected.cell.total)
        assert row["references"].count("/documents/") == expected.cell.total
        cell = soup.select_one(f"#article-{row['article']}")
        assert f"status-{row['status']}" in cell["class"]


def test_matrix_totals_agree_with_country_coverage(corpus_client, library):
    soup = page(corpus_client, "/matrix")
    rows = soup.select("table.matrix tbody tr")
    countries = library.countries()
    assert [r.th.a.get_text() for r in rows] == [c.code for c in sorted(countries, key=lambda c: c.name)]
    for row in rows:
        code = row.th.a.get_text()
        coverage = library.country_coverage(code)
        assert int(row.select_one("td.total").get_text()) == sum(a.cell.total for a in coverage)
        cells = row.select("td.matrix-cell")
        assert len(cells) == 71
        for td, article in zip(cells, coverage):
            shown = td.a.contents[0] if td.a else "0"
            assert shown.rstrip("✓") == str(article.cell.total)
            assert ("has-confirmed" in td["class"]) == bool(article.cell.confirmed)
    assert soup.select("thead th[scope=col]") and soup.select("tbody th[scope=row]")


def test_matrix_csv_agrees_with_the_coverage_csvs(corpus_client, library):
    response = corpus_client.get("/matrix.csv?chapter=III")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["chapter"] for r in rows} == {"III"}
    assert len(rows) == len(library.countries()) * 28
    for code in ("DEU", "USA"):
        per_country = {int(r["article"]): int(r["provisions"]) for r in coverage_csv(corpus_client, code)}
        assert {int(r["article"]): int(r["provisions"]) for r in rows if r["country"] == code} == {
            n: total for n, total in per_country.items() if 15 <= n <= 42}


def test_matrix_filters(corpus_client, library):
    soup = page(corpus_client, "/matrix?chapter=IV&region=African")
    assert [th.get_text() for th in soup.select("th.article-head")] == [str(n) for n in range(43, 51)]
    african = {c.code for c in library.countries() if c.region == "African"}
    assert african and {r.th.a.get_text() for r in soup.select("table.matrix tbody tr")} == african


def test_countries_grouped_by_region(corpus_client, library):
    soup = page(corpus_client, "/countries")
    for summary in library.countries():
        link = soup.select_one(f'a[href="/countries/{summary.code}"]')
        region = link.find_parent("section").h2.get_text()
        assert region.startswith(summary.region or "No UN regional group")
        assert [td.get_text() for td in link.find_parent("tr").find_all("td")] == [str(summary.documents), str(summary.provisions)]


@pytest.mark.parametrize("url, status", [
    ("/articles/0", 404), ("/articles/72", 404), ("/articles/x", 404), ("/articles/72/compare", 404),
    ("/countries/XXX", 404), ("/countries/DE", 404), ("/countries/DEUT", 404), ("/countries/D1U", 404),
    ("/countries/XXX/coverage.csv", 404), ("/countries/deu", 301), ("/countries/deu/coverage.csv", 301),
    ("/matrix?chapter=IX", 400), ("/matrix?region=Atlantis", 400), ("/matrix.csv?chapter=0", 400),
])
def test_bad_addresses(corpus_client, url, status):
    response = corpus_client.get(url)
    assert response.status_code == status
    if status == 301:
        assert response.headers["Location"].endswith(url.replace("deu", "DEU"))


@pytest.mark.parametrize("url", [
    "/articles/23/compare?country=%3Cscript%3Ealert(1)%3C/script%3E",
    "/matrix?region=%3Cscript%3Ealert(1)%3C/script%3E",
])
def test_user_input_is_escaped(corpus_client, url):
    html = corpus_client.get(url).get_data(as_text=True)
    assert "<script>" not in html.lower()
    assert "&lt;script&gt;" in html.lower()


def test_a_known_country_without_documents_says_so(corpus_client, library):
    assert "ISL" not in {c.code for c in library.countries()}
    soup = page(corpus_client, "/countries/ISL")
    assert "The library has no documents of Iceland." in soup.get_text()
    assert {cell["class"][1] for cell in soup.select(".coverage-grid .coverage-cell")} == {"status-none"}
