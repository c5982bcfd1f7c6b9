"""The review queue: confirm, reject or add UNCAC tags, one at a time or in bulk.

Every decision is a small POST form that works without JavaScript; web/static/review.js
only adds j/k/c/r keys. After a decision the reviewer returns to the same filtered page.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for

from repository.review import ReviewError, add_tag, bulk_confirm, confirm_tags, reject_tags, review_queue
from web.staff import bp, library
from web.staff.auth import current_account, role_required
from web.staff.uploads import page_number

PER_PAGE = 25
INTERNATIONAL = "international"  # the country filter's value for instruments without a country


def _filters(source) -> tuple[str | None, int | None, dict]:
    """(country for review_queue, article, the query arguments that reproduce the filter,
    including ``document`` when the queue is narrowed to one document)."""
    raw_country = (source.get("country") or "").strip()
    country = "" if raw_country == INTERNATIONAL else (raw_country.upper()[:3] or None)
    try:
        article = int(source.get("article") or 0) or None
    except ValueError:
        article = None
    document = (source.get("document") or "").strip()
    args = {k: v for k, v in {"country": raw_country, "article": article or "",
                              "document": document if document.isdigit() else ""}.items() if v}
    return country, article, args


def _back():
    """Back to the filtered queue page the decision was made on."""
    target = request.form.get("back", "")
    if not target.startswith("/staff/review") or "//" in target or "\\" in target:
        target = url_for("staff.review")
    return redirect(target)


def _tag_ids() -> list[int]:
    return [int(value) for value in request.form.getlist("tag_id") if value.isdigit()]


@bp.route("/staff/review")
@role_required("editor")
def review():
    country, article, args = _filters(request.args)
    page = page_number()
    document = int(args["document"]) if "document" in args else None
    queue = review_queue(library(), country=country, article=article, document=document, limit=PER_PAGE,
                         offset=(page - 1) * PER_PAGE)
    here = url_for("staff.review", **args, **({"page": page} if page > 1 else {}))
    return render_template(
        "staff/review.html", queue=queue, page=page, pages=max(1, -(-queue.total // PER_PAGE)), args=args,
        query=urlencode(args), here=here, countries=library().countries(), articles=(articles := library().articles()),
        titles={a.number: a.title for a in articles},
        country=args.get("country", ""), article=article, document=document, international=INTERNATIONAL,
    )


@bp.route("/staff/review/confirm", methods=["POST"])
@role_required("editor")
def review_confirm():
    try:
        changed = confirm_tags(library(), _tag_ids(), current_account())
    except ReviewError as error:
        flash(str(error).capitalize() + ".", "error")
    else:
        flash(f"Confirmed {changed} tag(s).")
    return _back()


@bp.route("/staff/review/reject", methods=["POST"])
@role_required("editor")
def review_reject():
    try:
        changed = reject_tags(library(), _tag_ids(), current_account())
    except ReviewError as error:
        flash(str(error).capitalize() + ".", "error")
    else:
        flash(f"Rejected {changed} tag(s).")
    return _back()


@bp.route("/staff/review/add", methods=["POST"])
@role_required("editor")
def review_add():
    try:
        provision_id = int(request.form.get("provision_id", ""))
        article = int(request.form.get("article", ""))
    except ValueError:
        flash("Choose an article.", "error")
        return _back()
    paragraph = request.form.get("paragraph", "")
    try:
        add_tag(library(), provision_id, article, paragraph, current_account())
    except ReviewError as error:
        flash(str(error).capitalize() + ".", "error")
    else:
        flash(f"Tagged with article {article}{' para. ' + paragraph.strip() if paragraph.strip() else ''}.")
    return _back()


@bp.route("/staff/review/confirm-all", methods=["POST"])
@role_required("editor")
def review_confirm_all():
    """Confirm every suggestion matching the filters with at least the given confidence."""
    country, article, args = _filters(request.form)
    document = int(args["document"]) if "document" in args else None
    try:
        minimum = min(1.0, max(0.0, float(request.form.get("min_confidence") or 0)))
    except ValueError:
        minimum = 1.0
    changed = bulk_confirm(library(), current_account(), country=country, article=article, document=document,
                           min_confidence=minimum)
    flash(f"Confirmed {changed} tag(s) with confidence {minimum:.2f} or more.")
    return _back()
