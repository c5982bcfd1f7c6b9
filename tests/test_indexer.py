"""Tests for the Whoosh indexer: analyzers, query syntax, filters, facets, writer."""
from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import ProvisionRecord, SearchRequest, open_backend
from indexer.analysis import analyze, neutral_analyzer, stemming_analyzer
from indexer.backend import HIGHLIGHT_END, HIGHLIGHT_START, QuerySyntaxError
from indexer.whoosh_backend import IndexLockedError


def rec(pid: int, doc: int, text: str, lang: str, *, heading: str = "", number: str = "",
        country: str = "", year: int | None = None, articles=(), chapters=(), doc_type: str = "code",
        position: int | None = None) -> ProvisionRecord:
    return ProvisionRecord(
        provision_id=pid, document_id=doc, version_id=100 + doc, source=f"corpus/{doc}.txt",
        title=f"Document {doc}", number=number or str(pid), label=f"Art. {number or pid}",
        kind="article", heading=heading, text=text, anchor=f"art-{pid}", language=lang,
        country=country, region="", doc_type=doc_type, status="in force", year=year,
        position=pid if position is None else position, articles=list(articles),
        chapters=list(chapters), page_start=pid,
    )


RECORDS = [
    # English (USA, FCPA-like), document 1
    rec(1, 1, "It shall be unlawful for any issuer to make use of the mails corruptly in furtherance "
              "of an offer or payment of money to any foreign official.", "en", number="78dd-1",
        country="USA", year=1977, articles=[16], chapters=["III"], doc_type="act"),
    rec(2, 1, "A public official may not accept any gift or other advantage in connection with his duties.",
        "en", country="USA", year=1977, articles=[15], chapters=["III"], doc_type="act"),
    rec(3, 1, "A public official may accept a gift of nominal value.", "en", country="USA", year=1977,
        articles=[15], chapters=["III"], doc_type="act"),
    rec(4, 1, "Whoever launders the proceeds of crime is liable to imprisonment. See Article 5 and 291.1.",
        "en", heading="Money laundering", country="USA", year=1977, articles=[23], chapters=["III"],
        doc_type="act"),
    # German (DEU), document 2
    rec(5, 2, "Wer einem Amtsträger für die Dienstausübung einen Vorteil anbietet, wird wegen Bestechung "
              "bestraft.", "de", number="334", country="DEU", year=2013, articles=[15], chapters=["III"]),
    rec(6, 2, "Wer einen Gegenstand, der aus einer rechtswidrigen Tat herrührt, verbirgt, wird wegen "
              "Geldwäsche bestraft.", "de", number="261", country="DEU", year=2013, articles=[23],
        chapters=["III"]),
    # French (FRA), document 3
    rec(7, 3, "Est puni de dix ans d'emprisonnement le fait, par un fonctionnaire, de solliciter des "
              "avantages (corruption passive).", "fr", number="432-11", country="FRA", year=2000,
        articles=[15], chapters=["III"]),
    # Spanish (ESP), document 4
    rec(8, 4, "La autoridad o funcionario público que solicitare dádiva o soborno será castigado.",
        "es", number="420bis", country="ESP", year=2010, articles=[15], chapters=["III"]),
    # Russian (RUS), document 5
    rec(9, 5, "Получение должностным лицом взятки наказывается штрафом.", "ru", number="290",
        country="RUS", year=1996, articles=[15], chapters=["III"]),
    # Chinese (CHN), document 6
    rec(10, 6, "国家工作人员利用职务上的便利，索取他人财物的，或者非法收受他人财物，为他人谋取利益的，是受贿罪。",
        "zh", number="385", country="CHN", year=1997, articles=[15], chapters=["III"]),
    # Japanese (JPN), document 7
    rec(11, 7, "公務員が、その職務に関し、賄賂を収受し、又はその要求若しくは約束をしたときは、五年以下の懲役に処する。",
        "ja", number="197", country="JPN", year=1907, articles=[15], chapters=["III"]),
    # Arabic (ARE), document 8 (with tashkeel and hamza on alef)
    rec(12, 8, "يُعاقب بالسجن كل موظف عام طلب أو قبل الرَّشْوَة لأداء عمل من أعمال وظيفته.", "ar",
        number="234", country="ARE", year=1987, articles=[15], chapters=["III"]),
]


@pytest.fixture()
def backend(tmp_path):
    b = open_backend(tmp_path / "ix")
    with b.writer() as w:
        w.add(RECORDS)
    yield b
    b.close()


def ids(result) -> list[int]:
    return [h.provision_id for h in result.hits]


def search(b, query="", **kw):
    kw.setdefault("limit", 50)
    return b.search(SearchRequest(query=query, **kw))


# -- analyzers ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Article 5", ["article", "5"]),
    ("§ 261 StGB", ["261", "stgb"]),
    ("78dd-1", ["78dd-1"]),
    ("art. 420bis", ["art", "420bis"]),
    ("291.1.", ["291.1"]),
    ("may not and or", ["may", "not", "and", "or"]),  # no stop list
    ("Geldwäsche STRAßE", ["geldwasche", "strasse"]),
    ("受贿罪", ["受贿", "贿罪"]),
    ("罪", ["罪"]),
    ("WTO条約", ["wto", "条約"]),
    ("الرَّشْوَة", ["الرشوه"]),
    ("أإآ ٥", ["ااا", "5"]),
    ("ёлка йод", ["елка", "йод"]),
])
def test_neutral_analyzer_query_tokens(text, expected):
    assert analyze(neutral_analyzer(), text) == expected


def test_compounds_indexed_whole_and_by_parts():
    assert analyze(neutral_analyzer(), "78dd-1", mode="index") == ["78dd-1", "78dd", "1"]


@pytest.mark.parametrize("lang, a, b", [
    ("en", "laundering", "launder"),
    ("en", "officials", "official"),
    ("de", "Bestechung", "Bestechungen"),
    ("fr", "fonctionnaire", "fonctionnaires"),
    ("es", "soborno", "sobornos"),
    ("ru", "взятка", "взятки"),
    ("ar", "الرشوة", "رشوة"),
    ("ar", "والرشوة", "بالرشوة"),
])
def test_stemmers_conflate_inflections(lang, a, b):
    an = stemming_analyzer(lang)
    assert analyze(an, a) == analyze(an, b)


# -- language-aware search ---------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("launder", 4),                 # en stem of "launders"
    ("laundered", 4),
    ("Bestechungen", 5),            # de stem
    ("Geldwasche", 6),              # accent folding
    ("Geldwäsche", 6),
    ("fonctionnaires", 7),          # fr stem
    ("sobornos", 8),                # es stem
    ("взятка", 9),                  # ru stem ("взятки" in the text)
    ("受贿", 10),                    # zh bigram
    ("受贿罪", 10),                  # zh: bigram phrase
    ("賄賂", 11),                    # ja bigram
    ("الرشوة", 12),                 # ar without diacritics
    ("الرَّشْوَة", 12),             # ar with diacritics
    ("رشوة", 12),                   # ar without the article
    ("بالرشوة", 12),                # ar with a prefix
])
def test_language_queries(backend, query, expected):
    assert ids(search(backend, query)) == [expected]


def test_alef_variants_match(tmp_path):
    b = open_backend(tmp_path / "ar")
    with b.writer() as w:
        w.add([rec(1, 1, "إساءة استعمال الوظيفة", "ar"), rec(2, 1, "نص آخر", "ar")])
    assert ids(search(b, "اساءة")) == [1]
    assert ids(search(b, "أساءة")) == [1]
    b.close()


def test_arabic_words_found_inside_run_together_words(tmp_path):
    b = open_backend(tmp_path / "ar")
    with b.writer() as w:  # lost spaces, as in the UAE source
        w.add([rec(1, 1, "يعاقب كل موظفعام طلب الرشوةلأداء عمل", "ar"), rec(2, 1, "عامل في مصنع", "ar")])
    assert ids(search(b, "موظف")) == [1]
    assert ids(search(b, "الرشوة")) == [1]
    assert ids(search(b, "عمل")) == [1]      # short words: exact only, no substring noise
    b.close()


def test_stop_words_kept_and_ranked(backend):
    res = search(backend, "may not")
    assert ids(res)[0] == 2            # the provision with "may not"
    assert 3 not in ids(res)           # "may" without "not" is not an all-words match
    res = search(backend, "may OR not")
    assert ids(res)[:2] == [2, 3]


@pytest.mark.parametrize("query, expected", [
    ("Article 5", [4]),
    ('"Article 5"', [4]),
    ("291.1", [4]),
    ("number:261", [6]),
    ("number:78dd-1", [1]),
    ("number:420bis", [8]),
    ("78dd-1", [1]),                   # found through the label "Art. 78dd-1"
    ("§ 261", [6]),                    # label, not in the text
    ("Art. 334", [5]),
    ("-gift official", [1]),
    ("official -nominal -gift", [1]),
    ("country:DEU", [5, 6]),
    ("country:deu Geldwäsche", [6]),
    ("language:de", [5, 6]),
    ("type:act", [1, 2, 3, 4]),
    ("article:23", [4, 6]),
    ("year:2013", [5, 6]),
    ("year:1990-2000", [7, 9, 10]),
    ("year:[1990 TO 2000]", [7, 9, 10]),
    ('"public official"', [2, 3]),
    ('"official may"', [2, 3]),
    ('"may not accept"', [2]),
    ('"not may"', []),
    ("official NOT gift", [1]),
    ("official NOT nominal", [1, 2]),
    ("public AND official AND nominal", [3]),
    ("(nominal OR corruptly) official", [1, 3]),
    ("launder*", [4]),
    ("Geldw*", [6]),
    ("heading:laundering", [4]),
])
def test_query_syntax(backend, query, expected):
    assert sorted(ids(search(backend, query))) == expected


@pytest.mark.parametrize("query", [
    '"public official', 'country:', 'country: DEU', '(bribery', 'bribery)', 'bribery AND',
    'OR bribery', 'year:abc', 'title:x', 'a AND OR b',
])
def test_query_syntax_errors(backend, query):
    with pytest.raises(QuerySyntaxError):
        search(backend, query)


def test_bad_year_filter(backend):
    with pytest.raises(QuerySyntaxError):
        search(backend, filters={"year": ["last year"]})


# -- filters, facets, sorting -------------------------------------------------------

@pytest.mark.parametrize("filters, expected", [
    ({"country": ["DEU"]}, [5, 6]),
    ({"country": ["DEU", "FRA"]}, [5, 6, 7]),
    ({"country": ["deu"], "article": ["23"]}, [6]),
    ({"language": ["en"], "article": ["15"]}, [2, 3]),
    ({"year": ["1990-2000"]}, [7, 9, 10]),
    ({"year": ["1977", "2013"]}, [1, 2, 3, 4, 5, 6]),
    ({"year": ["2010-"]}, [5, 6, 8]),
    ({"chapter": ["III"], "type": ["act"]}, [1, 2, 3, 4]),
    ({"document_id": ["2"]}, [5, 6]),
    ({"country": []}, list(range(1, 13))),
])
def test_filters_without_query_list_in_document_order(backend, filters, expected):
    res = search(backend, filters=filters)
    assert ids(res) == expected        # document order, then position
    assert res.total == len(expected)


def test_filters_with_query(backend):
    assert ids(search(backend, "official", filters={"language": ["en"]})) != []
    assert ids(search(backend, "Geldwäsche", filters={"country": ["FRA"]})) == []


def test_facets_respect_other_filters(backend):
    res = search(backend, filters={"article": ["15"]}, facets=("country", "article", "year", "chapter"))
    assert res.total == 9
    country = dict(res.facets["country"])
    assert country == {"USA": 2, "DEU": 1, "FRA": 1, "ESP": 1, "RUS": 1, "CHN": 1, "JPN": 1, "ARE": 1}
    # the article facet ignores its own filter so other articles stay selectable
    assert dict(res.facets["article"]) == {"15": 9, "16": 1, "23": 2}
    assert dict(res.facets["chapter"]) == {"III": 9}
    assert res.facets["year"][0] == ("1977", 2)
    res = search(backend, "official", filters={"country": ["USA"]}, facets=("country", "article"))
    assert dict(res.facets["country"]) == {"USA": 3}
    assert dict(res.facets["article"]) == {"15": 2, "16": 1}


def test_sort_by_date_and_pagination(backend):
    res = search(backend, sort="date", filters={"chapter": ["III"]})
    years = [h.year for h in res.hits]
    assert years == sorted(years, reverse=True)
    page = backend.search(SearchRequest(filters={"chapter": ["III"]}, sort="date", offset=2, limit=3))
    assert [h.provision_id for h in page.hits] == ids(res)[2:5]
    assert page.total == 12


def test_hit_fields(backend):
    hit = search(backend, "number:261").hits[0]
    assert (hit.document_id, hit.version_id, hit.country, hit.language, hit.year) == (2, 102, "DEU", "de", 2013)
    assert (hit.number, hit.label, hit.anchor, hit.articles, hit.page_start) == ("261", "Art. 261", "art-6", [23], 6)
    assert hit.source == "corpus/2.txt" and hit.title == "Document 2"


# -- snippets ----------------------------------------------------------------------

def test_highlight_markers(backend):
    hit = search(backend, "laundered proceeds").hits[0]
    assert f"{HIGHLIGHT_START}launders{HIGHLIGHT_END}" in hit.snippet
    assert f"{HIGHLIGHT_START}proceeds{HIGHLIGHT_END}" in hit.snippet
    assert "<" not in hit.snippet
    hit = search(backend, "受贿").hits[0]
    assert f"{HIGHLIGHT_START}受贿{HIGHLIGHT_END}" in hit.snippet


def test_snippet_window_and_lead(tmp_path):
    b = open_backend(tmp_path / "ix")
    long_text = "Preliminary <b>words</b> & more. " * 30 + "The official shall not solicit a bribe. " + "Tail. " * 60
    with b.writer() as w:
        w.add([rec(1, 1, long_text, "en")])
    snippet = search(b, "solicit").hits[0].snippet
    assert f"{HIGHLIGHT_START}solicit{HIGHLIGHT_END}" in snippet
    assert len(snippet) <= 300 and snippet.startswith("…") and snippet.endswith("…")
    lead = search(b, filters={"language": ["en"]}).hits[0].snippet
    assert lead.startswith("Preliminary <b>words</b>") and len(lead) <= 230
    assert HIGHLIGHT_START not in lead
    assert HIGHLIGHT_START not in search(b, "solicit", highlight=False).hits[0].snippet
    b.close()


# -- writer ------------------------------------------------------------------------

def test_replace_and_delete_keep_counts_exact(backend):
    assert backend.count() == 12
    assert backend.provision_ids() == set(range(1, 13))
    with backend.writer() as w:
        w.replace_document(2, [rec(50, 2, "Neue Fassung der Geldwäsche.", "de", country="DEU", year=2021)])
    assert backend.count() == 11
    assert backend.provision_ids() == set(range(1, 5)) | set(range(7, 13)) | {50}
    assert ids(search(backend, "Geldwäsche")) == [50]
    with backend.writer() as w:
        w.delete_document(1)
    assert backend.count() == 7
    assert 1 not in backend.provision_ids()
    assert search(backend, "official", filters={"country": ["USA"]}).total == 0


def test_add_then_replace_in_one_session(tmp_path):
    b = open_backend(tmp_path / "ix", batch_size=2)
    with b.writer() as w:
        w.add([rec(1, 1, "first", "en"), rec(2, 1, "second", "en"), rec(3, 2, "other", "en")])
        w.replace_document(1, [rec(4, 1, "replaced", "en")])
        w.delete_document(2)
    assert b.provision_ids() == {4}
    b.close()


def test_clear_and_failed_session(backend):
    with pytest.raises(RuntimeError):
        with backend.writer() as w:
            w.add([rec(99, 99, "never committed", "en")])
            raise RuntimeError("boom")
    assert 99 not in backend.provision_ids()
    with backend.writer() as w:
        w.add([rec(98, 98, "dropped by clear", "en")])
        w.clear()
        w.add([rec(97, 97, "kept", "en")])
    assert backend.provision_ids() == {97}


def test_reopen_existing_index(tmp_path):
    b = open_backend(tmp_path / "ix")
    with b.writer() as w:
        w.add(RECORDS[:3])
    b.close()
    b2 = open_backend(tmp_path / "ix")
    assert b2.count() == 3 and ids(search(b2, "corruptly")) == [1]
    b2.close()


def test_single_writer_across_threads(tmp_path):
    b = open_backend(tmp_path / "ix")
    b.lock_timeout = 0.2
    entered = threading.Event()
    release = threading.Event()

    def hold():
        with b.writer():
            entered.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    entered.wait(5)
    try:
        with pytest.raises(IndexLockedError):
            with b.writer():
                pass
    finally:
        release.set()
        t.join()
    b.close()


def test_lock_held_by_another_process(tmp_path):
    b = open_backend(tmp_path / "ix")
    b.lock_timeout = 0.2
    other = b.ix.storage.lock("provisions_WRITELOCK")  # what a second process would hold
    assert other.acquire()
    try:
        with pytest.raises(IndexLockedError, match="locked by another process"):
            with b.writer() as w:
                w.add([rec(1, 1, "text", "en")])
    finally:
        other.release()
    with b.writer() as w:  # usable again once released
        w.add([rec(1, 1, "text", "en")])
    assert b.count() == 1
    b.close()


def test_bulk_session_with_clear(tmp_path):
    b = open_backend(tmp_path / "ix", batch_size=3)
    with b.writer() as w:
        w.add(RECORDS)
    with b.writer() as w:
        w.clear()
        w.add(RECORDS[:7])
        w.delete_document(2)
    assert b.provision_ids() == {1, 2, 3, 4, 7}
    assert sorted(ids(search(b, "corruption"))) == [1, 7]   # en "corruptly" shares the stem
    b.close()


_QUERY_ALPHABET = st.sampled_from(list('ab 5-."():*+^~[]{}') + ["AND", "OR", "NOT", "country:", "year:", "受贿", "الرشوة", " TO "])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_QUERY_ALPHABET, max_size=12).map("".join))
def test_any_query_parses_or_raises_syntax_error(backend, text):
    try:
        res = search(backend, text, facets=("country",))
    except QuerySyntaxError:
        return
    assert res.total >= len(res.hits)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_analyzers_accept_any_text(text):
    for analyzer in (neutral_analyzer(), stemming_analyzer("en"), stemming_analyzer("ar")):
        for mode in ("index", "query"):
            assert all(tok for tok in analyze(analyzer, text, mode=mode))


@pytest.mark.parametrize("query, articles, terms, filters, sort", [
    ("money laundering", (23,), ("Geldwäsche", "blanchiment", "rechtswidrigen Tat*"), {}, "relevance"),
    ("official", (15,), ("soborno", "взятки", "corruption passive"), {"country": ["ESP", "USA"]}, "relevance"),
    ("bribery", (15, 16), ("Bestechung", "dádiva o soborno"), {}, "date"),
    ("gift", (), ("Vorteil",), {"language": ["de", "en"]}, "document"),
])
def test_cached_expansion_scores_and_orders_like_one_union_query(backend, query, articles, terms, filters, sort):
    """The expansion is scored alone and cached; the result must equal one Or([query, expansion]) search."""
    from whoosh import query as wq

    from indexer.query import expansion_query, filter_queries
    from indexer.whoosh_backend import _SORTS

    result = search(backend, query, filters=filters, sort=sort, expand_articles=articles, expand_terms=terms,
                    facets=("country", "article"))
    assert result.hits, "the case must match something to compare"
    searcher = backend.ix.searcher()
    languages = filters.get("language") or ["en", "de", "fr", "es", "ru", "zh", "ja", "ar"]
    union = wq.Or([backend.builder.parse(query, languages), expansion_query(articles, terms)])
    allowed = None
    for fq in filter_queries(filters).values():
        docs = set(searcher.docs_for_query(fq))
        allowed = docs if allowed is None else allowed & docs
    expected = searcher.search(union, filter=allowed, limit=None, sortedby=_SORTS[sort], terms=False)
    provision_id = searcher.reader().column_reader("provision_id", translate=True)
    assert ids(result) == [int(provision_id[docnum]) for _key, docnum in expected.top_n]
    assert result.total == len(expected.top_n)
    if sort == "relevance":
        assert [round(h.score, 6) for h in result.hits] == [round(score, 6) for score, _ in expected.top_n]
    assert sum(count for _, count in result.facets["country"]) >= result.total


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(list("ab É.ß-/1½ الرَّشْوَة受贿罪ёй,\n") + ["Geldwäsche", "78dd-1", "WTO条約", "x" * 90]),
                     max_size=40).map("".join),
       lang=st.sampled_from([None, "de", "en", "fr", "ru", "ar", "es"]))
def test_term_spans_equal_what_the_analyzers_index(text, lang):
    """Snippets find matches with term_spans; it must see exactly the tokens the index holds."""
    from indexer.analysis import term_spans

    analyzer = neutral_analyzer() if lang is None else stemming_analyzer(lang)
    expected = [(t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True, mode="index")]
    assert list(term_spans(text, lang)) == expected


def test_result_cache_never_serves_results_of_an_older_index(backend):
    first = search(backend, "official", facets=("country",))
    assert search(backend, "official", facets=("country",)) is first  # the same search, answered from the cache
    with backend.writer() as w:
        w.replace_document(1, [rec(2, 1, "A public official may not accept a gift.", "en", country="USA", year=1977)])
    after = search(backend, "official", facets=("country",))
    assert after is not first
    assert 3 in ids(first) and 3 not in ids(after)


def test_result_cache_can_be_turned_off(tmp_path):
    b = open_backend(tmp_path / "ix", result_cache_size=0)
    with b.writer() as w:
        w.add(RECORDS)
    assert search(b, "official") is not search(b, "official")
    assert ids(search(b, "official")) == ids(search(b, "official"))
    b.close()


def test_expansion_phrases_are_marked_whole_and_their_common_words_alone_are_not(backend):
    result = search(backend, "launders", filters={"country": ["DEU"]},
                    expand_terms=("rechtswidrigen Tat herrührt", "einen Vorteil anbietet", "Geldwäsche"))
    snippets = {h.provision_id: h.snippet for h in result.hits}
    mark = lambda words: f"{HIGHLIGHT_START}{words}{HIGHLIGHT_END}"  # noqa: E731
    assert mark("rechtswidrigen Tat herrührt") in snippets[6]
    assert mark("Geldwäsche") in snippets[6]
    assert mark("einen Vorteil anbietet") in snippets[5]
    # "einen" is a word of a phrase that does not occur in provision 6: it stays unmarked there
    assert "Wer einen Gegenstand" in snippets[6] and mark("einen") not in snippets[6]


def test_document_sets_cached_per_searcher_stay_bounded(backend, monkeypatch):
    """Filter values come from users: the sets kept for them must not grow without bound."""
    import indexer.whoosh_backend as whoosh_backend

    monkeypatch.setattr(whoosh_backend, "DOCS_CACHE_SIZE", 5)
    expected = {}
    for year in range(1900, 1920):
        expected[year] = search(backend, "official", filters={"year": [str(year)]}, facets=("country",)).total
    _searcher, cache = backend._get_searcher()
    assert len(cache["docs"]) <= 5
    assert search(backend, "official", filters={"year": ["1907"]}).total == expected[1907] == 0
    assert search(backend, "", filters={"year": ["1907"]}).total == 1


@pytest.mark.parametrize("position", [100, 3_000, 9_000])
def test_snippet_finds_a_match_wherever_it_is_in_a_long_provision(position):
    """Snippets read the first pages first; a match further on must still be found and marked."""
    from indexer.whoosh_backend import make_snippet

    filler = "The register of interests is kept by the clerk. "
    text = (filler * (position // len(filler) + 1))[:position] + " Whoever launders money commits an offence. " + filler * 200
    snippet = make_snippet(text, {"body": {"launders"}, "body_en": {"launder"}}, "en")
    assert f"{HIGHLIGHT_START}launders{HIGHLIGHT_END}" in snippet
    assert len(snippet) < 400, "a window around the match, not the whole text"
