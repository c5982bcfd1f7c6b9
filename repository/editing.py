"""Audited changes to documents: metadata edits, repeal, deletion.

Each change and its audit event (who, what, before and after) are one transaction;
the document's index entries are then refreshed through the library's single writer.
An amendment is an upload naming the document (see repository/uploads.py): it adds a
version and the old one stays readable.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from repository import audit
from repository.db import transaction
from repository.library import LibraryError
from repository.models import Country, Document, DocumentStatus, DocumentType, User

if TYPE_CHECKING:
    from repository.library import Library

EDITABLE = ("title", "short_title", "country_code", "doc_type", "language", "year", "date_adopted", "status",
            "official_url", "provenance")


class EditError(LibraryError):
    """A change is refused; the message names the field."""


def _clean(session, name: str, value):
    """Validate one field's new value into what the column holds."""
    if value == "":
        value = None
    try:
        if name == "title":
            if not value or not str(value).strip():
                raise EditError("title cannot be empty")
            return str(value).strip()
        if name == "doc_type":
            return DocumentType(str(value).strip().lower())
        if name == "status":
            return DocumentStatus(str(value).strip().lower())
        if name == "language":
            if not value or not re.fullmatch(r"[a-z]{2}", str(value).strip().lower()):
                raise EditError("language must be ISO 639-1 (e.g. de)")
            return str(value).strip().lower()
        if name == "country_code":
            if value is None:
                return None
            code = str(value).strip().upper()
            if session.get(Country, code) is None:
                raise EditError(f"unknown country {code!r} (ISO 3166 alpha-3)")
            return code
        if name == "year":
            return int(value) if value is not None else None
        if name == "date_adopted":
            return dt.date.fromisoformat(str(value)[:10]) if value is not None else None
        if name == "official_url":
            if value is not None and not re.match(r"https?://", str(value), re.I):
                raise EditError("official_url must start with http:// or https://")
            return value
    except ValueError:
        raise EditError(f"{name}: {value!r} is not a valid value") from None
    return str(value).strip() if value is not None else None


def _plain(value):
    return value.value if hasattr(value, "value") else value


def edit_document(library: "Library", document_id: int, changes: dict, user: User | None = None,
                  action: str = "edit-metadata") -> dict:
    """Change a document's metadata; return {field: [before, after]} of what actually changed."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise EditError(f"cannot change {', '.join(sorted(unknown))}")
    with transaction(library.sessions) as session:
        document = session.get(Document, document_id)
        if document is None:
            raise EditError(f"no document with id {document_id}")
        diff = {}
        for name, value in changes.items():
            new = _clean(session, name, value)
            old = getattr(document, name)
            if old != new:
                diff[name] = [_plain(old), _plain(new)]
                setattr(document, name, new)
        if diff:
            audit.record(session, user, action, "document", document_id, {"changes": diff})
    if diff:
        library.refresh_index(document_id)
    return diff


def repeal_document(library: "Library", document_id: int, user: User | None = None) -> dict:
    """Record that the document was repealed (it stays readable and searchable, marked repealed)."""
    return edit_document(library, document_id, {"status": DocumentStatus.REPEALED.value}, user, action="repeal")


def delete_document(library: "Library", document_id: int, user: User | None = None) -> None:
    """Delete a document with its versions and provisions (originals stay in the blob store)."""
    with transaction(library.sessions) as session:
        document = session.get(Document, document_id)
        if document is None:
            raise EditError(f"no document with id {document_id}")
        audit.record(session, user, "delete", "document", document_id, {
            "source": document.source, "title": document.title, "country": document.country_code,
            "versions": [{"seq": v.seq, "sha256": v.sha256} for v in document.versions],
        })
        session.delete(document)
    with library.index.writer() as index_writer:
        index_writer.delete_document(document_id)


def document_fields(library: "Library", document_id: int) -> dict | None:
    """A document's editable metadata as plain values (for an edit form), with its id, source and
    versions [(seq, received_at, original file name)]; None if there is no such document."""
    with library.sessions() as session:
        document = session.get(Document, document_id)
        if document is None:
            return None
        fields = {name: _plain(getattr(document, name)) for name in EDITABLE}
        if fields["date_adopted"] is not None:
            fields["date_adopted"] = fields["date_adopted"].isoformat()
        fields.update(id=document.id, source=document.source,
                      versions=[(v.seq, v.received_at, v.original_filename) for v in document.versions])
    return fields
