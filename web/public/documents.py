"""Document pages: the current version, any earlier version at its own permanent URL, and
the original file as it was received."""
from __future__ import annotations

import io

from flask import abort, render_template, request, send_file

from repository.convention import load_convention
from web.public import bp, library
from web.public.search import language_name


@bp.route("/documents/<int:document_id>")
@bp.route("/documents/<int:document_id>/versions/<int:seq>")
def document(document_id: int, seq: int | None = None):
    view = library().document_view(document_id, seq)
    if view is None:
        abort(404)
    return render_template(
        "public/document.html", view=view, document=view.document, version=view.version,
        versions=view.versions, provisions=view.provisions, convention=load_convention(),
        language=language_name(view.document.language), current=request.path,
    )


@bp.route("/documents/<int:document_id>/versions/<int:seq>/original")
def original(document_id: int, seq: int):
    """The stored bytes, as a download that a browser will neither sniff nor run."""
    found = library().original(document_id, seq)
    if found is None:
        abort(404)
    version, data = found
    response = send_file(
        io.BytesIO(data), mimetype=version.media_type or "application/octet-stream", as_attachment=True,
        download_name=version.original_filename or f"document-{document_id}-v{seq}",
        etag=version.sha256, max_age=86400,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
