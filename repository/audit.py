"""The audit log: who changed what and when, written in the same transaction as the change.

Every staff action (upload, metadata edit, tag decision, deletion, account change, job
retry) calls :func:`record` inside its own transaction, so a change and its audit event
are committed together or not at all.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repository.models import AuditEvent, User

if TYPE_CHECKING:
    from repository.library import Library

# The actions lexrepo records; the web layer may filter by them.
ACTIONS = (
    "upload", "amend", "edit-metadata", "repeal", "delete", "tag-confirm", "tag-reject", "tag-add",
    "job-retry", "user-add", "user-token", "user-deactivate",
)
# Saved citation lists (repository/citation_lists.py): "edit" is an entry added, moved, annotated or removed.
ACTIONS += ("citation-list-save", "citation-list-rename", "citation-list-delete", "citation-list-edit")


def record(
    session: Session, user: User | None, action: str, target_type: str, target_id: object = "",
    details: dict | None = None,
) -> AuditEvent:
    """Add one audit event to ``session`` (committed with the caller's transaction).

    ``user`` None means the command line or the system (a worker).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        user_id=user.id if user is not None else None, user_name=user.name if user is not None else "",
        action=action, target_type=target_type, target_id=str(target_id), details=_jsonable(details or {}),
    )
    session.add(event)
    return event


def _jsonable(value):
    """Dates and enums become strings so that the JSON column and the exports can hold them."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@dataclass
class AuditPage:
    total: int
    events: list[AuditEvent]


def _conditions(user, action, since, until) -> list:
    conditions = []
    if user is not None:
        conditions.append(AuditEvent.user_name == user)
    if action is not None:
        conditions.append(AuditEvent.action == action)
    if since is not None:
        conditions.append(AuditEvent.at >= since)
    if until is not None:
        conditions.append(AuditEvent.at < until)
    return conditions


def audit_log(
    library: "Library", *, user: str | None = None, action: str | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None, limit: int = 100, offset: int = 0,
) -> AuditPage:
    """Audit events, newest first, filtered by user name, action and time (``since`` <= at < ``until``)."""
    conditions = _conditions(user, action, since, until)
    with library.sessions() as session:
        total = session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
        events = list(session.scalars(
            select(AuditEvent).where(*conditions).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
        ))
    return AuditPage(total, events)


def iter_audit_events(
    library: "Library", *, user: str | None = None, action: str | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None, batch: int = 1000,
) -> Iterator[AuditEvent]:
    """Every matching event, oldest first, read in batches (for exports of any size)."""
    conditions = _conditions(user, action, since, until)
    last = 0
    while True:
        with library.sessions() as session:
            chunk = list(session.scalars(
                select(AuditEvent).where(AuditEvent.id > last, *conditions).order_by(AuditEvent.id).limit(batch)
            ))
        yield from chunk
        if len(chunk) < batch:
            return
        last = chunk[-1].id


EXPORT_FIELDS = ("id", "at", "user", "action", "target_type", "target_id", "details")


def event_row(event: AuditEvent) -> dict:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=dt.timezone.utc)
    return {
        "id": event.id, "at": at.isoformat(), "user": event.user_name, "action": event.action,
        "target_type": event.target_type, "target_id": event.target_id, "details": event.details,
    }


def export_jsonl(events: Iterable[AuditEvent]) -> Iterable[str]:
    """One JSON object per line."""
    for event in events:
        yield json.dumps(event_row(event), ensure_ascii=False, sort_keys=True) + "\n"


def export_csv(events: Iterable[AuditEvent]) -> Iterable[str]:
    """CSV with a header; ``details`` as a JSON string. Cells that a spreadsheet would run as a
    formula are prefixed with an apostrophe (CSV injection)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for event in events:
        row = event_row(event)
        row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
        writer.writerow([_csv_safe(row[name]) for name in EXPORT_FIELDS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def _csv_safe(value) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
