"""Browsing by UNCAC article and by country, and the coverage matrix (countries x articles)."""
from __future__ import annotations

import csv
import io
import re

from flask import Response, abort, redirect, render_template, request, url_for

from repository.assistance import load_assistance_needs
from repository.models import Region
from web.public import bp, library

ISO3 = re.compile(r"[A-Za-z]{3}")
ARTICLE_COUNT = 71
COMPARE_MAX = 6  # columns side by side; more is unreadable


def heat_level(total: int) -> int:
    """Shade of a matrix cell (CSS class level-0..level-4) for a number of provisions."""
    if total <= 0:
        return 0
    if total == 1:
        return 1
    if total <= 3:
        return 2
    if total <= 7:
        return 3
    return 4


@bp.app_template_global("heat_level")
def heat_level_global(total: int) -> int:
    return heat_level(total)


def _article_or_404(number: int):
    if not 1 <= number <= ARTICLE_COUNT:
        abort(404)
    return next(a for a in library().articles() if a.number == number)


def _by_chapter(items, chapters):
    """[(chapter, [items of that chapter])] in the Convention's order, empty chapters left out."""
    grouped = [(chapter, [item for item in items if item.chapter == chapter.number]) for chapter in chapters]
    return [(chapter, members) for chapter, members in grouped if members]


def _csv_response(rows: list[list], filename: str) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# -- articles -------------------------------------------------------------------------------


@bp.route("/articles")
def articles():
    summaries = library().articles()
    return render_template("public/articles.html", chapters=_by_chapter(summaries, library().chapters()))


@bp.route("/articles/<int:number>")
def article(number: int):
    summary = _article_or_404(number)
    chapter = next(c for c in library().chapters() if c.number == summary.chapter)
    texts = library().convention_text(number)
    groups = library().article_implementations(number)
    assistance = load_assistance_needs()
    return render_template(
        "public/article.html", article=summary, chapter=chapter, english=texts.get("en"), spanish=texts.get("es"),
        groups=groups, countries=library().countries(), needs=assistance.by_article.get(number),
        assistance=assistance,
    )


@bp.route("/articles/<int:number>/compare")
def article_compare(number: int):
    summary = _article_or_404(number)
    known = {c.code: c for c in library().countries()}
    wanted = [code.upper() for code in request.args.getlist("country") if code]
    selected = [known[code] for code in dict.fromkeys(wanted) if code in known][:COMPARE_MAX]
    groups = {g.code: g for g in library().article_implementations(number, [c.code for c in selected], with_text=True)} \
        if selected else {}
    columns = [(country, groups.get(country.code)) for country in selected]
    return render_template("public/article_compare.html", article=summary, columns=columns,
                           countries=sorted(known.values(), key=lambda c: c.name),
                           selected={c.code for c in selected}, unknown=[c for c in wanted if c not in known],
                           compare_max=COMPARE_MAX)


# -- countries ------------------------------------------------------------------------------


def _country_or_404(iso3: str):
    """The country, a redirect to the upper-case address, or 404."""
    if not ISO3.fullmatch(iso3):
        abort(404)
    country = library().country(iso3.upper())
    if country is None:
        abort(404)
    return country


@bp.route("/countries")
def countries():
    summaries = library().countries()
    regions = [(region.value, [c for c in summaries if c.region == region.value]) for region in Region]
    regions.append(("No UN regional group", [c for c in summaries if not c.region]))
    return render_template("public/countries.html", regions=[(name, members) for name, members in regions if members],
                           total=summaries)


@bp.route("/countries/<iso3>")
def country(iso3: str):
    country = _country_or_404(iso3)
    if iso3 != country.code:
        return redirect(url_for("public.country", iso3=country.code), 301)
    coverage = library().country_coverage(country.code)
    counts = {status: sum(1 for row in coverage if row.status == status and row.obligation != "none")
              for status in ("confirmed", "suggested", "none")}
    return render_template("public/country.html", country=country, documents=library().country_documents(country.code),
                           chapters=_by_chapter(coverage, library().chapters()), counts=counts)


def coverage_rows(code: str) -> list[list]:
    """The CSV of a country's coverage: a header, then one row per article."""
    rows: list[list] = [["article", "title", "chapter", "status", "provisions", "references"]]
    for row in library().country_coverage(code):
        rows.append([row.number, row.title, row.chapter, row.status, row.cell.total,
                     "; ".join(f"{i.reference} <{url_for('public.document', document_id=i.document_id, _external=True)}#{i.anchor}>"
                               for i in row.implementations)])
    return rows


@bp.route("/countries/<iso3>/coverage.csv")
def country_coverage_csv(iso3: str):
    country = _country_or_404(iso3)
    if iso3 != country.code:
        return redirect(url_for("public.country_coverage_csv", iso3=country.code), 301)
    return _csv_response(coverage_rows(country.code), f"lexrepo-coverage-{country.code}.csv")


# -- matrix ---------------------------------------------------------------------------------


def _matrix_filters():
    chapter = request.args.get("chapter", "").strip() or None
    region = request.args.get("region", "").strip() or None
    chapters = library().chapters()
    if chapter is not None and chapter not in {c.number for c in chapters}:
        abort(400, f"no chapter {chapter!r}")
    if region is not None and region not in {r.value for r in Region}:
        abort(400, f"no UN regional group {region!r}")
    return chapter, region, chapters


@bp.route("/matrix")
def matrix():
    chapter, region, chapters = _matrix_filters()
    matrix = library().coverage_matrix(chapter, region)
    return render_template("public/matrix.html", matrix=matrix, chapters=chapters, chapter=chapter, region=region,
                           regions=[r.value for r in Region],
                           article_chapters=_by_chapter(matrix.articles, chapters))


@bp.route("/matrix.csv")
def matrix_csv():
    chapter, region, _chapters = _matrix_filters()
    matrix = library().coverage_matrix(chapter, region)
    rows: list[list] = [["country", "country_name", "region", "article", "chapter", "confirmed", "suggested", "provisions"]]
    for country in matrix.countries:
        for article in matrix.articles:
            cell = matrix.cell(country.code, article.number)
            rows.append([country.code, country.name, country.region, article.number, article.chapter,
                         cell.confirmed, cell.suggested, cell.total])
    return _csv_response(rows, "lexrepo-matrix.csv")
