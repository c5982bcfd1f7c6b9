"""The public citation list, kept in the browser session.

The session (a signed cookie) holds only provision ids and notes; the citations are
looked up afresh on every page, so a list keeps pointing at the versions that were cited.
Other pages add to it with a small form posting ``provision_id`` (one or many), ``next``
and ``csrf_token`` to ``/citations/add``. Lists saved by name belong to staff accounts.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from dataclasses import dataclass, field

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from repository.citation_lists import MAX_NAME_CHARS, user_lists
from repository.citations import STYLE_NAME
from repository.export import DEFAULT_TITLE, FORMATS, Entry, export
from web.public import bp, library

MAX_ENTRIES = 200
MAX_NOTE_CHARS = 1000
# Browsers drop cookies over 4096 bytes; keep room for the cookie's name and attributes.
MAX_COOKIE_BYTES = 3800

IDS_KEY = "citations"
NOTES_KEY = "citation_notes"


def listed_ids() -> list[int]:
    return [int(i) for i in session.get(IDS_KEY, [])]


def listed_notes() -> dict[str, str]:
    return dict(session.get(NOTES_KEY, {}))


def _cookie_bytes(ids: list[int], notes: dict[str, str]) -> int:
    serializer = current_app.session_interface.get_signing_serializer(current_app)
    return len(serializer.dumps({**dict(session), IDS_KEY: ids, NOTES_KEY: notes}))


def _save(ids: list[int], notes: dict[str, str]) -> bool:
    """Store the list, unless it would no longer fit in the session cookie."""
    notes = {key: note for key, note in notes.items() if note and int(key) in ids}
    if _cookie_bytes(ids, notes) > MAX_COOKIE_BYTES:
        flash("The citation list is too large to keep in your browser: shorten notes, remove entries, "
              "or export it first.", "error")
        return False
    session[IDS_KEY] = ids
    session[NOTES_KEY] = notes
    return True


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host: no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def entries() -> list[Entry]:
    """The list's citations with their notes; entries whose provision is gone are left out."""
    notes = listed_notes()
    return [Entry(citation, notes.get(str(citation.provision_id), ""))
            for citation in library().citations(listed_ids())]


@dataclass(frozen=True)
class ListEndpoints:
    """Where the forms and export links of a citation list page go (public/_citation_entries.html):
    the session list's routes, or a saved list's with its id in ``args``."""

    note: str
    move: str
    remove: str
    export: str
    args: dict = field(default_factory=dict)

    def url(self, action: str, **values) -> str:
        return url_for(getattr(self, action), **self.args, **values)


SESSION_LIST = ListEndpoints("public.citation_note", "public.citation_move", "public.citation_remove",
                             "public.citations_export")


def replace_working_list(ids: list[int], notes: dict[int, str]) -> bool:
    """Make these the session list (staff load a saved list); False if it does not fit the cookie."""
    return _save(list(ids), {str(key): note for key, note in notes.items()})


def export_response(listed: list[Entry], fmt: str, filename: str = "citations", title: str = DEFAULT_TITLE):
    """The download of a list in format ``fmt`` (a key of FORMATS)."""
    # Permanent links in the export are absolute, to this library's address.
    content = export(listed, fmt, base_url=request.url_root, title=title)
    spec = FORMATS[fmt]
    response = current_app.response_class(content, content_type=spec.media_type)
    filename = secure_filename(filename) or "citations"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{spec.extension}"'
    return response


def _saved_lists():
    """A signed-in staff user's saved lists (shown under the session list), else None."""
    if not (current_user.is_authenticated and current_user.has_role("editor")):
        return None
    return user_lists(library(), current_user.account)


@bp.route("/citations")
def citations():
    return render_template("public/citations.html", entries=entries(), formats=FORMATS.values(),
                           style_name=STYLE_NAME, max_entries=MAX_ENTRIES, max_note_chars=MAX_NOTE_CHARS,
                           endpoints=SESSION_LIST, editable=True, saved_lists=_saved_lists(),
                           max_name_chars=MAX_NAME_CHARS)


@bp.route("/citations/add", methods=["POST"])
def citation_add():
    back = local_path(request.form.get("next")) or url_for("public.citations")
    wanted = []
    for value in request.form.getlist("provision_id"):
        try:
            wanted.append(int(value))
        except ValueError:
            abort(400, "provision_id must be a number")
    if not wanted:
        flash("Choose a provision to add.", "error")
        return redirect(back)
    ids = listed_ids()
    fresh = [i for i in dict.fromkeys(wanted) if i not in ids]
    known = {citation.provision_id for citation in library().citations(fresh)}
    if len(known) < len(fresh):
        flash(f"{len(fresh) - len(known)} of the provisions chosen are not in the library.", "error")
    fresh = [i for i in fresh if i in known]
    room = max(MAX_ENTRIES - len(ids), 0)
    if len(fresh) > room:
        flash(f"A citation list holds at most {MAX_ENTRIES} provisions; {len(fresh) - room} were not added. "
              "Export the list and start a new one.", "error")
        fresh = fresh[:room]
    if fresh:
        if _save(ids + fresh, listed_notes()):
            flash(f"Added {len(fresh)} provision{'s' if len(fresh) != 1 else ''} to your citation list.")
    elif set(wanted) <= set(ids):
        flash("Already in your citation list.")
    return redirect(back)


def _position(provision_id: int, ids: list[int]) -> int:
    if provision_id not in ids:
        abort(404)
    return ids.index(provision_id)


@bp.route("/citations/<int:provision_id>/note", methods=["POST"])
def citation_note(provision_id: int):
    ids = listed_ids()
    _position(provision_id, ids)
    note = request.form.get("note", "").strip()
    if len(note) > MAX_NOTE_CHARS:
        flash(f"Notes are limited to {MAX_NOTE_CHARS} characters; yours was shortened.", "error")
        note = note[:MAX_NOTE_CHARS]
    notes = listed_notes()
    notes[str(provision_id)] = note
    if _save(ids, notes):
        flash("Note saved." if note else "Note removed.")
    return redirect(url_for("public.citations") + f"#c-{provision_id}")


@bp.route("/citations/<int:provision_id>/move", methods=["POST"])
def citation_move(provision_id: int):
    ids = listed_ids()
    position = _position(provision_id, ids)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, "direction must be up or down")
    other = position - 1 if direction == "up" else position + 1
    if 0 <= other < len(ids):
        ids[position], ids[other] = ids[other], ids[position]
        _save(ids, listed_notes())
    return redirect(url_for("public.citations") + f"#c-{provision_id}")


@bp.route("/citations/<int:provision_id>/remove", methods=["POST"])
def citation_remove(provision_id: int):
    ids = listed_ids()
    ids.pop(_position(provision_id, ids))
    _save(ids, listed_notes())
    flash("Removed from your citation list.")
    return redirect(url_for("public.citations"))


@bp.route("/citations/clear", methods=["POST"])
def citations_clear():
    session.pop(IDS_KEY, None)
    session.pop(NOTES_KEY, None)
    flash("Your citation list is empty.")
    return redirect(url_for("public.citations"))


@bp.route("/citations/export.<fmt>")
def citations_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    listed = entries()
    if not listed:
        flash("Your citation list is empty: nothing to export.", "error")
        return redirect(url_for("public.citations"))
    return export_response(listed, fmt)
