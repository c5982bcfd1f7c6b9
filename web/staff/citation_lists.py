"""Saved citation lists: a staff user saves the working (session) list by name, opens a saved
list to reorder, annotate, remove and export its entries, loads it back, renames or deletes it.

The pages reuse the session list's template and export code (web/public/citations.py); the
rules on who may read and change a list live in repository/citation_lists.py. A list the
user may not read answers 404; another user's list that an admin reads answers 403 to changes.
"""
from __future__ import annotations

from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for

from repository import citation_lists as lists
from repository.accounts import has_role
from repository.citations import STYLE_NAME
from repository.export import FORMATS
from web.public import citations as working
from web.staff import bp, library
from web.staff.auth import current_account, role_required

SAVED_LIST = working.ListEndpoints("staff.citation_list_note", "staff.citation_list_move",
                                   "staff.citation_list_remove", "staff.citation_list_export")


def _run(change, *args):
    """Call a domain function; missing lists answer 404, other users' lists 403, refusals a flash."""
    try:
        return change(library(), current_account(), *args)
    except lists.ListNotFound:
        abort(404)
    except lists.NotYourList as refused:
        abort(403, str(refused))
    except lists.CitationListError as refused:
        flash(str(refused).capitalize() + ".", "error")
        return None


def _to_list(list_id: int, provision_id: int | None = None):
    anchor = f"#c-{provision_id}" if provision_id is not None else ""
    return redirect(url_for("staff.citation_list", list_id=list_id) + anchor)


@bp.route("/staff/citations")
@role_required("editor")
def citation_lists():
    account = current_account()
    others = None
    if has_role(account, "admin"):
        others = [s for s in lists.all_lists(library(), account) if s.owner_id != account.id]
    return render_template("staff/citation_lists.html", saved_lists=lists.user_lists(library(), account),
                           others=others, entries=working.entries(), max_name_chars=lists.MAX_NAME_CHARS)


@bp.route("/staff/citations", methods=["POST"])
@role_required("editor")
def citation_list_save():
    listed = working.entries()
    if not listed:
        flash("Your working citation list is empty: nothing to save.", "error")
        return redirect(url_for("public.citations"))
    notes = {entry.citation.provision_id: entry.note for entry in listed}
    saved = _run(lists.save_list, request.form.get("name", ""), list(notes), notes)
    if saved is None:
        return redirect(url_for("public.citations"))
    flash(f"Saved {saved.size} citation{'s' if saved.size != 1 else ''} as “{saved.name}”.")
    return _to_list(saved.id)


@bp.route("/staff/citations/<int:list_id>")
@role_required("editor")
def citation_list(list_id: int):
    saved = _run(lists.load_list, list_id)
    return render_template("staff/citation_list.html", saved=saved, entries=saved.entries, formats=FORMATS.values(),
                           style_name=STYLE_NAME, max_note_chars=lists.MAX_NOTE_CHARS,
                           endpoints=replace(SAVED_LIST, args={"list_id": list_id}),
                           editable=saved.summary.owner_id == current_account().id)


@bp.route("/staff/citations/<int:list_id>/load", methods=["POST"])
@role_required("editor")
def citation_list_load(list_id: int):
    saved = _run(lists.load_list, list_id)
    notes = {entry.citation.provision_id: entry.note for entry in saved.entries}
    if working.replace_working_list(list(notes), notes):
        flash(f"Your working citation list is now “{saved.name}” ({len(notes)} citations).")
    return redirect(url_for("public.citations"))


@bp.route("/staff/citations/<int:list_id>/rename", methods=["POST"])
@role_required("editor")
def citation_list_rename(list_id: int):
    renamed = _run(lists.rename_list, list_id, request.form.get("name", ""))
    if renamed is not None:
        flash(f"Renamed to “{renamed.name}”.")
    return redirect(working.local_path(request.form.get("next")) or url_for("public.citations"))


@bp.route("/staff/citations/<int:list_id>/delete", methods=["POST"])
@role_required("editor")
def citation_list_delete(list_id: int):
    _run(lists.delete_list, list_id)
    flash("Saved list deleted.")
    return redirect(url_for("public.citations"))


@bp.route("/staff/citations/<int:list_id>/entries/<int:provision_id>/note", methods=["POST"])
@role_required("editor")
def citation_list_note(list_id: int, provision_id: int):
    note = _run(lists.annotate_entry, list_id, provision_id, request.form.get("note", ""))
    if note is not None:
        flash("Note saved." if note else "Note removed.")
    return _to_list(list_id, provision_id)


@bp.route("/staff/citations/<int:list_id>/entries/<int:provision_id>/move", methods=["POST"])
@role_required("editor")
def citation_list_move(list_id: int, provision_id: int):
    if request.form.get("direction") not in ("up", "down"):
        abort(400, "direction must be up or down")
    _run(lists.move_entry, list_id, provision_id, request.form["direction"])
    return _to_list(list_id, provision_id)


@bp.route("/staff/citations/<int:list_id>/entries/<int:provision_id>/remove", methods=["POST"])
@role_required("editor")
def citation_list_remove(list_id: int, provision_id: int):
    _run(lists.remove_entry, list_id, provision_id)
    flash("Removed from the saved list.")
    return _to_list(list_id)


@bp.route("/staff/citations/<int:list_id>/export.<fmt>")
@role_required("editor")
def citation_list_export(list_id: int, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    saved = _run(lists.load_list, list_id)
    if not saved.entries:
        flash("This list is empty: nothing to export.", "error")
        return _to_list(list_id)
    return working.export_response(saved.entries, fmt, filename=saved.name, title=saved.name)
