"""Document pages: the current version, or any earlier version at its own permanent URL."""
from __future__ import annotations

from flask import abort, render_template

from repository.models import Document, Version
from web.public import bp, library


@bp.route("/documents/<int:document_id>")
@bp.route("/documents/<int:document_id>/versions/<int:seq>")
def document(document_id: int, seq: int | None = None):
    with library().sessions() as session:
        document = session.get(Document, document_id)
        if document is None:
            abort(404)
        versions = list(document.versions)
        if not versions:
            abort(404)
        version: Version = versions[-1] if seq is None else next((v for v in versions if v.seq == seq), None)
        if version is None:
            abort(404)
        provisions = list(version.provisions)
        return render_template("public/document.html", document=document, version=version,
                               versions=versions, provisions=provisions)
