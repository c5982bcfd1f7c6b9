"""Document changes: edit metadata, upload a new version (amendment), repeal, delete (admins)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from repository.editing import EDITABLE, EditError, delete_document, document_fields, edit_document, repeal_document
from repository.models import DocumentStatus
from repository.uploads import UploadError, submit_upload
from web.staff import bp, library
from web.staff.auth import current_account, role_required
from web.staff.uploads import form_choices, submitted_metadata


def _document_or_404(document_id: int) -> dict:
    fields = document_fields(library(), document_id)
    if fields is None:
        abort(404)
    return fields


@bp.route("/staff/documents/<int:document_id>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit(document_id: int):
    document = _document_or_404(document_id)
    if request.method == "GET":
        return render_template("staff/edit.html", document=document, values=document, **form_choices())
    values = {name: request.form.get(name, "").strip() for name in EDITABLE if name in request.form}
    changes = dict(values)
    # Repeal is its own audited action; the other fields are one metadata edit.
    repeal = changes.get("status") == DocumentStatus.REPEALED.value and document["status"] != changes["status"]
    if repeal:
        changes.pop("status")
    try:
        diff = edit_document(library(), document_id, changes, current_account())
        if repeal:
            diff.update(repeal_document(library(), document_id, current_account()))
    except EditError as error:
        return render_template("staff/edit.html", document=document, values={**document, **values},
                               error=str(error), **form_choices()), 400
    flash(f"Saved: {', '.join(sorted(diff))}." if diff else "Nothing changed.")
    return redirect(url_for("staff.edit", document_id=document_id))


@bp.route("/staff/documents/<int:document_id>/repeal", methods=["POST"])
@role_required("editor")
def repeal(document_id: int):
    _document_or_404(document_id)
    diff = repeal_document(library(), document_id, current_account())
    flash("Recorded as repealed." if diff else "Already recorded as repealed.")
    return redirect(url_for("staff.edit", document_id=document_id))


@bp.route("/staff/documents/<int:document_id>/amend", methods=["GET", "POST"])
@role_required("editor")
def amend(document_id: int):
    """Upload a new version of a document: the old versions keep their own URLs."""
    document = _document_or_404(document_id)
    if request.method == "GET":
        return render_template("staff/amend.html", document=document, values={}, **form_choices())
    values = submitted_metadata(request.form)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return render_template("staff/amend.html", document=document, values=values,
                               error="Choose the file of the new version.", **form_choices()), 400
    values["document_id"] = str(document_id)
    try:
        job = submit_upload(library(), upload_file.filename, upload_file.read(), values, current_account())
    except UploadError as error:
        return render_template("staff/amend.html", document=document, values=values, error=str(error),
                               **form_choices()), 400
    flash(f"The new version of document {document_id} is queued as job {job.id}.")
    return redirect(url_for("staff.job", job_id=job.id))


@bp.route("/staff/documents/<int:document_id>/delete", methods=["GET", "POST"])
@role_required("admin")
def delete(document_id: int):
    document = _document_or_404(document_id)
    if request.method == "GET":
        return render_template("staff/delete.html", document=document)
    delete_document(library(), document_id, current_account())
    flash(f"Deleted document {document_id} ({document['title']}).")
    return redirect(url_for("staff.dashboard"))


@bp.route("/staff/documents/go")
@role_required("editor")
def go_to_document():
    """The dashboard's "edit document by id" form."""
    number = request.args.get("id", "").strip()
    if not number.isdigit():
        flash("Give a document number.", "error")
        return redirect(url_for("staff.dashboard"))
    return redirect(url_for("staff.edit", document_id=int(number)))
