"""Saved citation lists in the JSON API (staff, token-authenticated like web/api_staff.py).

``GET /citation-lists`` lists the token holder's lists; ``POST /citation-lists`` saves one
(``{"name": ..., "provision_ids": [...], "notes": {"<id>": "..."}}``; an existing list of that
name is replaced); ``GET /citation-lists/{id}`` reads one with its entries (the owner, or an
admin); ``DELETE`` deletes it (the owner). Another user's list is 404 (403 for an admin changing
it). Exports go through ``POST /export`` with the list's provision ids and notes.
"""
from __future__ import annotations

from flask import jsonify, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from repository import citation_lists as lists
from web.api import ID, MAX_ID, _absolute, bp, iso8601, library
from web.api_staff import staff


def summary_json(summary: lists.ListSummary) -> dict:
    return {
        "id": summary.id, "name": summary.name, "owner": summary.owner_name, "size": summary.size,
        "created_at": iso8601(summary.created_at), "updated_at": iso8601(summary.updated_at),
        "url": url_for("api.citation_list", list_id=summary.id, _external=True),
    }


def saved_json(saved: lists.SavedList) -> dict:
    return {**summary_json(saved.summary), "entries": [
        {"position": position, "provision_id": entry.citation.provision_id, "note": entry.note,
         "pinpoint": entry.citation.pinpoint(), "permalink": _absolute(entry.citation.permalink),
         "provision_url": url_for("api.provision", provision_id=entry.citation.provision_id, _external=True)}
        for position, entry in enumerate(saved.entries, start=1)
    ]}


def _call(change, user, *args):
    try:
        return change(library(), user, *args)
    except lists.ListNotFound as error:
        raise NotFound(str(error)) from None
    except lists.NotYourList as error:
        raise Forbidden(str(error)) from None
    except lists.CitationListError as error:
        raise BadRequest(str(error)) from None


@bp.get("/citation-lists")
def citation_lists():
    user = staff("citation lists")
    found = lists.user_lists(library(), user)
    return jsonify({"total": len(found), "results": [summary_json(s) for s in found]})


@bp.post("/citation-lists")
def citation_list_save():
    user = staff("citation lists")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest('send a JSON object: {"name": "memo", "provision_ids": [1, 2], "notes": {"1": "..."}}')
    name, ids, notes = body.get("name"), body.get("provision_ids"), body.get("notes") or {}
    if not isinstance(name, str):
        raise BadRequest("name must be text")
    if not isinstance(ids, list) or not all(type(i) is int and 1 <= i <= MAX_ID for i in ids):
        raise BadRequest("provision_ids must be a list of provision ids (positive integers)")
    if not isinstance(notes, dict) or not all(k.isdigit() and isinstance(v, str) for k, v in notes.items()):
        raise BadRequest("notes must be an object mapping provision ids to text")
    saved = _call(lists.save_list, user, name, ids, {int(k): v for k, v in notes.items() if int(k) in ids})
    response = jsonify(saved_json(_call(lists.load_list, user, saved.id)))
    response.status_code = 201
    response.headers["Location"] = url_for("api.citation_list", list_id=saved.id, _external=True)
    return response


# One rule for both methods: with two, werkzeug answers a DELETE of an id too large for the
# converter with 405 (the GET rule's pattern matched) instead of 404.
@bp.route(f"/citation-lists/<{ID}:list_id>", methods=["GET", "DELETE"])
def citation_list(list_id: int):
    user = staff("citation lists")
    if request.method == "DELETE":
        _call(lists.delete_list, user, list_id)
        return "", 204
    return jsonify(saved_json(_call(lists.load_list, user, list_id)))
