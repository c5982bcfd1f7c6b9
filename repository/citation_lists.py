"""Citation lists that staff users save by name (the public keep theirs in the browser session).

A saved list belongs to one user: only its owner sees and changes it; admins may read
every list (to help, or to audit) but change only their own. A list somebody may not read
is reported as missing (:class:`ListNotFound`), so that its existence does not leak. Every
change is one transaction with its audit event (``repository/audit.py``).

Entries hold provision ids, so a saved list keeps citing the versions that were cited;
an entry leaves the list when its provision is deleted with its document.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import func, select

from repository import audit
from repository.accounts import has_role
from repository.citations import citations_for
from repository.db import transaction
from repository.export import Entry
from repository.library import LibraryError
from repository.models import CitationList, CitationListEntry, Provision, Role, User

if TYPE_CHECKING:
    from repository.library import Library

MAX_NAME_CHARS = 200
MAX_ENTRIES = 500
MAX_NOTE_CHARS = 1000
TARGET = "citation_list"


class CitationListError(LibraryError):
    """A change to a saved list is refused; the message says why."""


class ListNotFound(CitationListError):
    """No such list, or not one this user may read."""


class NotYourList(CitationListError):
    """An admin may read another user's list but not change it."""


@dataclass(frozen=True)
class ListSummary:
    id: int
    name: str
    owner_id: int
    owner_name: str
    size: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class SavedList:
    """A saved list with its citations, in order (entries as the exports take them)."""

    summary: ListSummary
    entries: list[Entry]

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def name(self) -> str:
        return self.summary.name


def clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise CitationListError("a list needs a name")
    if len(cleaned) > MAX_NAME_CHARS:
        raise CitationListError(f"a list's name has at most {MAX_NAME_CHARS} characters")
    return cleaned


def clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise CitationListError(f"a note has at most {MAX_NOTE_CHARS} characters")
    return note


def _summary(session, citation_list: CitationList) -> ListSummary:
    size = session.scalar(select(func.count(CitationListEntry.id)).where(CitationListEntry.list_id == citation_list.id))
    owner_name = session.scalar(select(User.name).where(User.id == citation_list.owner_id)) or ""
    return ListSummary(citation_list.id, citation_list.name, citation_list.owner_id, owner_name, size or 0,
                       citation_list.created_at, citation_list.updated_at)


def _readable(session, user: User, list_id: int) -> CitationList:
    citation_list = session.get(CitationList, list_id)
    if citation_list is None or (citation_list.owner_id != user.id and not has_role(user, Role.ADMIN)):
        raise ListNotFound(f"no citation list {list_id}")
    return citation_list


def _own(session, user: User, list_id: int) -> CitationList:
    citation_list = _readable(session, user, list_id)
    if citation_list.owner_id != user.id:
        raise NotYourList("only its owner may change a citation list")
    return citation_list


def _known_provisions(session, provision_ids: Iterable[int]) -> list[int]:
    """The ids (once each, in order) of provisions that exist; unknown ones are refused."""
    wanted = list(dict.fromkeys(int(i) for i in provision_ids))
    found = set(session.scalars(select(Provision.id).where(Provision.id.in_(wanted)))) if wanted else set()
    missing = [i for i in wanted if i not in found]
    if missing:
        raise CitationListError(f"no provision {', '.join(map(str, missing))} in the library")
    return wanted


def _entries(session, citation_list: CitationList) -> list[CitationListEntry]:
    return list(session.scalars(select(CitationListEntry).where(CitationListEntry.list_id == citation_list.id)
                                .order_by(CitationListEntry.position, CitationListEntry.id)))


def _renumber(entries: list[CitationListEntry]) -> None:
    for position, entry in enumerate(entries):
        entry.position = position


def _touch(citation_list: CitationList) -> None:
    # Entry changes do not change the list's row, so onupdate would not fire.
    citation_list.updated_at = dt.datetime.now(dt.timezone.utc)


def save_list(library: "Library", user: User, name: str, provision_ids: list[int],
              notes: dict[int, str] | None = None) -> ListSummary:
    """Save these provisions (in order, with notes) as ``user``'s list ``name``; a list of
    that name is replaced."""
    name = clean_name(name)
    notes = {int(k): clean_note(v) for k, v in (notes or {}).items()}
    with transaction(library.sessions) as session:
        ids = _known_provisions(session, provision_ids)
        if len(ids) > MAX_ENTRIES:
            raise CitationListError(f"a saved list holds at most {MAX_ENTRIES} provisions")
        citation_list = session.scalar(select(CitationList).where(CitationList.owner_id == user.id,
                                                                  CitationList.name == name))
        replaced = citation_list is not None
        if replaced:
            for entry in _entries(session, citation_list):
                session.delete(entry)
            session.flush()
            _touch(citation_list)
        else:
            citation_list = CitationList(name=name, owner_id=user.id)
            session.add(citation_list)
            session.flush()
        session.add_all(CitationListEntry(list_id=citation_list.id, position=position, provision_id=provision_id,
                                          note=notes.get(provision_id, ""))
                        for position, provision_id in enumerate(ids))
        session.flush()
        audit.record(session, user, "citation-list-save", TARGET, citation_list.id,
                     {"name": name, "entries": len(ids), "replaced": replaced})
        return _summary(session, citation_list)


def user_lists(library: "Library", user: User) -> list[ListSummary]:
    """``user``'s lists, by name."""
    with library.sessions() as session:
        lists = session.scalars(select(CitationList).where(CitationList.owner_id == user.id)
                                .order_by(func.lower(CitationList.name), CitationList.id))
        return [_summary(session, citation_list) for citation_list in lists]


def all_lists(library: "Library", user: User) -> list[ListSummary]:
    """Every user's lists, by owner and name (admins only)."""
    if not has_role(user, Role.ADMIN):
        raise NotYourList("only admins may see every user's citation lists")
    with library.sessions() as session:
        lists = session.scalars(select(CitationList).join(User, User.id == CitationList.owner_id)
                                .order_by(func.lower(User.name), func.lower(CitationList.name), CitationList.id))
        return [_summary(session, citation_list) for citation_list in lists]


def load_list(library: "Library", user: User, list_id: int) -> SavedList:
    """A list ``user`` may read, with its citations and notes in order."""
    with library.sessions() as session:
        citation_list = _readable(session, user, list_id)
        rows = _entries(session, citation_list)
        citations = {c.provision_id: c for c in citations_for(session, [row.provision_id for row in rows])}
        entries = [Entry(citations[row.provision_id], row.note) for row in rows if row.provision_id in citations]
        return SavedList(_summary(session, citation_list), entries)


def rename_list(library: "Library", user: User, list_id: int, name: str) -> ListSummary:
    with transaction(library.sessions) as session:
        citation_list = _own(session, user, list_id)  # first: a list one may not see is missing, whatever the name
        name = clean_name(name)
        if name == citation_list.name:
            return _summary(session, citation_list)
        clash = session.scalar(select(CitationList.id).where(CitationList.owner_id == user.id,
                                                             CitationList.name == name))
        if clash is not None:
            raise CitationListError(f"you already have a list named {name!r}")
        before = citation_list.name
        citation_list.name = name
        audit.record(session, user, "citation-list-rename", TARGET, citation_list.id, {"name": [before, name]})
        session.flush()
        return _summary(session, citation_list)


def delete_list(library: "Library", user: User, list_id: int) -> None:
    with transaction(library.sessions) as session:
        citation_list = _own(session, user, list_id)
        size = len(_entries(session, citation_list))
        audit.record(session, user, "citation-list-delete", TARGET, citation_list.id,
                     {"name": citation_list.name, "entries": size})
        session.delete(citation_list)


def add_entries(library: "Library", user: User, list_id: int, provision_ids: list[int]) -> int:
    """Append provisions not yet in the list; the number added."""
    with transaction(library.sessions) as session:
        citation_list = _own(session, user, list_id)
        entries = _entries(session, citation_list)
        present = {entry.provision_id for entry in entries}
        fresh = [i for i in _known_provisions(session, provision_ids) if i not in present]
        if len(entries) + len(fresh) > MAX_ENTRIES:
            raise CitationListError(f"a saved list holds at most {MAX_ENTRIES} provisions")
        session.add_all(CitationListEntry(list_id=citation_list.id, position=len(entries) + offset,
                                          provision_id=provision_id, note="")
                        for offset, provision_id in enumerate(fresh))
        if fresh:
            _touch(citation_list)
            audit.record(session, user, "citation-list-edit", TARGET, citation_list.id,
                         {"name": citation_list.name, "added": fresh})
        return len(fresh)


def _entry(entries: list[CitationListEntry], provision_id: int) -> CitationListEntry:
    for entry in entries:
        if entry.provision_id == provision_id:
            return entry
    raise ListNotFound(f"provision {provision_id} is not in this list")


def remove_entry(library: "Library", user: User, list_id: int, provision_id: int) -> None:
    with transaction(library.sessions) as session:
        citation_list = _own(session, user, list_id)
        entries = _entries(session, citation_list)
        entry = _entry(entries, provision_id)
        entries.remove(entry)
        session.delete(entry)
        _renumber(entries)
        _touch(citation_list)
        audit.record(session, user, "citation-list-edit", TARGET, citation_list.id,
                     {"name": citation_list.name, "removed": provision_id})


def move_entry(library: "Library", user: User, list_id: int, provision_id: int, direction: str) -> bool:
    """Move an entry one place ``up`` or ``down``; False when it is already at that end."""
    if direction not in ("up", "down"):
        raise CitationListError("direction must be up or down")
    with transaction(library.sessions) as session:
        citation_list = _own(session, user, list_id)
        entries = _entries(session, citation_list)
        position = entries.index(_entry(entries, provision_id))
        other = position - 1 if direction == "up" else position + 1
        if not 0 <= other < len(entries):
            return False
        entries[position], entries[other] = entries[other], entries[position]
        _renumber(entries)
        _touch(citation_list)
        audit.record(session, user, "citation-list-edit", TARGET, citation_list.id,
                     {"name": citation_list.name, "moved": provision_id, "to": other + 1})
        return True


def annotate_entry(library: "Library", user: User, list_id: int, provision_id: int, note: str) -> str:
    """Set (or with "" remove) an entry's note; the note as stored."""
    note = clean_note(note)
    with transaction(library.sessions) as session:
        citation_list = _own(session, user, list_id)
        entry = _entry(_entries(session, citation_list), provision_id)
        if entry.note != note:
            entry.note = note
            _touch(citation_list)
            audit.record(session, user, "citation-list-edit", TARGET, citation_list.id,
                         {"name": citation_list.name, "annotated": provision_id})
        return note
