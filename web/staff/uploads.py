"""The dashboard, the upload form (with a metadata check that prefills it), jobs and retries."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from repository.audit import ACTIONS
from repository.countries import all_countries
from repository.models import DocumentStatus, DocumentType, JobState
from repository.review import review_queue
from repository.uploads import (
    METADATA_FIELDS, UploadError, batch_progress, clean_metadata, get_job, job_counts, list_jobs, preview_metadata,
    retry_job, submit_batch,
)
from web.staff import bp, library
from web.staff.auth import current_account, role_required

JOBS_PER_PAGE = 50
FINISHED = (JobState.INDEXED.value, JobState.FAILED.value)


def form_choices() -> dict:
    """The select lists of the metadata forms."""
    return {
        "countries": sorted(all_countries(), key=lambda c: c[1]),
        "doc_types": [t.value for t in DocumentType],
        "statuses": [s.value for s in DocumentStatus],
    }


def submitted_metadata(form) -> dict:
    return {name: form.get(name, "").strip() for name in METADATA_FIELDS if form.get(name, "").strip()}


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.route("/staff/")
@role_required("editor")
def dashboard():
    counts = job_counts(library())
    return render_template("staff/dashboard.html", counts={s.value: counts.get(s.value, 0) for s in JobState},
                           queue=review_queue(library(), limit=0, text_chars=0).total, actions=ACTIONS)


def _upload_form(values: dict, status: int = 200, **extra):
    return render_template("staff/upload.html", values=values, max_bytes=library().settings.max_file_bytes,
                           **form_choices(), **extra), status


@bp.route("/staff/upload", methods=["GET", "POST"])
@role_required("editor")
def upload():
    if request.method == "GET":
        return _upload_form({"document_id": request.args.get("document_id", "")})[0]
    values = submitted_metadata(request.form)
    files = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f.filename]
    if not files:
        return _upload_form(values, 400, error="Choose at least one file.")
    try:
        clean_metadata(library(), values)
    except UploadError as error:
        return _upload_form(values, 400, error=f"Metadata: {error}")
    if request.form.get("action") == "check":
        return _check_metadata(values, *files[0])
    result = submit_batch(library(), files, values, current_account())
    if not result.jobs:
        return _upload_form(values, 400, rejected=result.rejected, error="No file was accepted.")
    for name, reason in result.rejected:
        flash(f"Refused {name}: {reason}", "error")
    flash(f"{len(result.jobs)} file(s) queued.")
    return redirect(url_for("staff.jobs", batch=result.batch))


def _check_metadata(values: dict, filename: str, data: bytes):
    """Re-render the form with the fields left empty filled from what extraction finds in the file."""
    try:
        found = preview_metadata(library(), filename, data)
    except UploadError as error:
        return _upload_form(values, 400, error=f"{filename}: {error}")
    prefilled = dict(values)
    for name in ("title", "short_title", "language", "date_adopted", "year", "official_url"):
        if not prefilled.get(name) and found.get(name):
            prefilled[name] = str(found[name])
    return _upload_form(prefilled, 200, checked=filename, found=found)


@bp.route("/staff/jobs")
@role_required("editor")
def jobs():
    state = request.args.get("state") or None
    if state is not None and state not in {s.value for s in JobState}:
        abort(404)
    batch = request.args.get("batch") or None
    page = page_number()
    found = list_jobs(library(), state=state, batch=batch, limit=JOBS_PER_PAGE + 1, offset=(page - 1) * JOBS_PER_PAGE)
    progress = batch_progress(library(), batch) if batch else None
    return render_template(
        "staff/jobs.html", jobs=found[:JOBS_PER_PAGE], more=len(found) > JOBS_PER_PAGE, page=page, state=state,
        batch=batch, progress=progress, states=[s.value for s in JobState], finished=FINISHED,
        refresh=any(job.state.value not in FINISHED for job in found[:JOBS_PER_PAGE]),
    )


@bp.route("/staff/jobs/<int:job_id>")
@role_required("editor")
def job(job_id: int):
    found = get_job(library(), job_id)
    if found is None:
        abort(404)
    progress = batch_progress(library(), found.batch) if found.batch else None
    return render_template("staff/job.html", job=found, progress=progress, finished=FINISHED,
                           refresh=found.state.value not in FINISHED)


@bp.route("/staff/jobs/<int:job_id>/retry", methods=["POST"])
@role_required("editor")
def job_retry(job_id: int):
    try:
        retry_job(library(), job_id, current_account())
    except UploadError as error:
        flash(str(error), "error")
    else:
        flash(f"Job {job_id} queued again.")
    return redirect(url_for("staff.job", job_id=job_id))


@bp.route("/staff/jobs/<int:job_id>/original")
@role_required("editor")
def job_original(job_id: int):
    """The uploaded bytes, as an attachment under the generated name, never rendered by the browser."""
    found = get_job(library(), job_id)
    if found is None or not library().blobs.exists(found.sha256):
        abort(404)
    return Response(library().blobs.get(found.sha256), mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{found.stored_name}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    })
