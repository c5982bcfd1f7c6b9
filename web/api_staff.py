"""Staff endpoints of the JSON API: uploads, jobs and tag decisions.

A client authenticates with ``Authorization: Bearer <token>`` (``lexrepo users token NAME``
issues one; only its hash is stored). No token or an unknown one is 401; an account without
the role an operation needs is 403. Every staff operation needs the ``editor`` role (admins
have it too); a job can be read by the editor who submitted it and by admins.
"""
from __future__ import annotations

from flask import jsonify, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, NotFound, Unauthorized

from repository import accounts
from repository.models import Job, Role, User
from repository.review import ReviewError, add_tag, confirm_tags, reject_tags
from repository.uploads import METADATA_FIELDS, UploadError, get_job, submit_upload
from web.api import ID, bp, iso8601, library, tag_listing_json

# What each staff operation needs, in one place (the OpenAPI description says the same).
ROLE_FOR = {
    "upload": Role.EDITOR,
    "read job": Role.EDITOR,
    "read any job": Role.ADMIN,
    "decide tag": Role.EDITOR,
    "citation lists": Role.EDITOR,  # web/api_citation_lists.py; a user's own lists (admins read all)
}


def staff(operation: str) -> User:
    """The account behind the request's bearer token, if it may do ``operation``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this needs a staff API token: send Authorization: Bearer <token>")
    user = accounts.user_for_token(library(), token.strip())
    if user is None:
        raise Unauthorized("the API token is unknown, revoked or belongs to an inactive account")
    try:
        return accounts.require_role(user, ROLE_FOR[operation])
    except accounts.Forbidden as error:
        raise Forbidden(str(error)) from None




def job_json(job: Job) -> dict:
    return {
        "id": job.id, "state": job.state.value, "reason": job.reason, "original_filename": job.original_filename,
        "size": job.size, "media_type": job.media_type, "metadata": dict(job.submitted_metadata or {}),
        "batch": job.batch, "attempts": job.attempts, "submitted_by_id": job.submitted_by_id,
        "created_at": iso8601(job.created_at), "updated_at": iso8601(job.updated_at),
        "started_at": iso8601(job.started_at), "finished_at": iso8601(job.finished_at),
        "document_id": job.document_id, "version_seq": job.version_seq,
        "document_url": url_for("api.document", document_id=job.document_id, _external=True)
        if job.document_id else None,
        "url": url_for("api.job", job_id=job.id, _external=True),
    }


@bp.post("/uploads")
def upload():
    """One file (multipart field ``file``) with its metadata as form fields; queued for the worker."""
    user = staff("upload")
    sent = request.files.get("file")
    if sent is None:
        raise BadRequest("send the file as multipart/form-data field 'file'")
    unknown = sorted(set(request.form) - set(METADATA_FIELDS))
    if unknown:
        raise BadRequest(f"unknown metadata field(s): {', '.join(unknown)}; use {', '.join(METADATA_FIELDS)}")
    try:
        job = submit_upload(library(), sent.filename or "upload", sent.read(), dict(request.form.items()), user)
    except UploadError as error:
        raise BadRequest(str(error)) from None
    response = jsonify(job_json(job))
    response.status_code = 202
    response.headers["Location"] = url_for("api.job", job_id=job.id, _external=True)
    return response


@bp.get(f"/jobs/<{ID}:job_id>")
def job(job_id: int):
    user = staff("read job")
    found = get_job(library(), job_id)
    if found is None:
        raise NotFound(f"no job with id {job_id}")
    if found.submitted_by_id != user.id:
        staff("read any job")
    return jsonify(job_json(found))


def _decided(tag_id: int, changed: int):
    found = library().catalogue_tag(tag_id)
    return jsonify({"changed": bool(changed), "tag": tag_listing_json(found)})


@bp.post(f"/tags/<{ID}:tag_id>/confirm")
def tag_confirm(tag_id: int):
    user = staff("decide tag")
    try:
        changed = confirm_tags(library(), [tag_id], user)
    except ReviewError as error:
        raise NotFound(str(error)) from None
    return _decided(tag_id, changed)


@bp.post(f"/tags/<{ID}:tag_id>/reject")
def tag_reject(tag_id: int):
    user = staff("decide tag")
    try:
        changed = reject_tags(library(), [tag_id], user)
    except ReviewError as error:
        raise NotFound(str(error)) from None
    return _decided(tag_id, changed)


@bp.post(f"/provisions/<{ID}:provision_id>/tags")
def tag_add(provision_id: int):
    """Tag a provision with an article (JSON ``{"article": 16, "paragraph": "1"}``), confirmed."""
    user = staff("decide tag")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest('send a JSON object: {"article": 16, "paragraph": ""}')
    article, paragraph = body.get("article"), body.get("paragraph", "")
    if type(article) is not int or not 1 <= article <= 71:
        raise BadRequest("article must be an UNCAC article number from 1 to 71")
    if not isinstance(paragraph, str) or len(paragraph) > 16:
        raise BadRequest("paragraph must be text of at most 16 characters")
    if library().catalogue_provision(provision_id) is None:
        raise NotFound(f"no provision with id {provision_id}")
    try:
        tag_id = add_tag(library(), provision_id, article, paragraph, user)
    except ReviewError as error:
        raise BadRequest(str(error)) from None
    response = jsonify({"changed": True, "tag": tag_listing_json(library().catalogue_tag(tag_id))})
    response.status_code = 201
    response.headers["Location"] = url_for("api.tags", article=article, _external=True)
    return response
