"""Staff accounts: Argon2id passwords, rate-limited sign-in, roles and API tokens.

The web layer calls :func:`authenticate` with the client address it saw, checks roles
with :func:`require_role` on every staff route, and authenticates API clients with
:func:`user_for_token`. Nothing here knows about HTTP.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select

from repository import audit
from repository.db import transaction
from repository.library import LibraryError
from repository.models import Role, SignInAttempt, User

if TYPE_CHECKING:
    from repository.library import Library

# argon2-cffi's defaults are the RFC 9106 low-memory profile, type Argon2id.
_hasher = PasswordHasher()
# Verified when the name is unknown, so that a wrong name costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
MIN_PASSWORD_LENGTH = 10
_RANK = {Role.EDITOR: 1, Role.ADMIN: 2}


class AccountError(LibraryError):
    """An account cannot be created or changed; the message says why."""


class SignInError(LibraryError):
    """Sign-in refused. The message never says whether the name exists."""


class SignInLocked(SignInError):
    """Too many failed sign-ins for this name from this address; try again later."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed sign-ins; try again in {retry_after} seconds")
        self.retry_after = retry_after


class Forbidden(Exception):
    """The signed-in user's role does not allow this."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes for timezone-aware columns; lexrepo stores UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def hash_token(token: str) -> str:
    """API tokens are long random strings, so a fast hash is enough (and allows lookup by hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(library: "Library", name: str, password: str, role: Role | str = Role.EDITOR,
                actor: User | None = None) -> User:
    """Create a staff account (audited as ``user-add`` by ``actor``, None for the command line)."""
    if not NAME_PATTERN.fullmatch(name or ""):
        raise AccountError("a user name is 1-100 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
    try:
        role = Role(str(role))
    except ValueError:
        raise AccountError(f"role must be one of {', '.join(r.value for r in Role)}; got {role!r}") from None
    check_password_strength(password)
    with transaction(library.sessions) as session:
        if session.scalar(select(User.id).where(func.lower(User.name) == name.lower())) is not None:
            raise AccountError(f"a user named {name!r} already exists")
        user = User(name=name, password_hash=_hasher.hash(password), role=role, active=True)
        session.add(user)
        session.flush()
        audit.record(session, actor, "user-add", "user", user.id, {"name": name, "role": role.value})
    return user


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def list_users(library: "Library") -> list[User]:
    with library.sessions() as session:
        return list(session.scalars(select(User).order_by(User.name)))


def get_user(library: "Library", user_id: int) -> User | None:
    """The account with this id if it exists and is active (for a web session's user id)."""
    with library.sessions() as session:
        user = session.get(User, user_id)
        return user if user is not None and user.active else None


def set_active(library: "Library", name: str, active: bool, actor: User | None = None) -> None:
    with transaction(library.sessions) as session:
        user = _by_name(session, name)
        user.active = active
        if not active:
            user.api_token_hash = None
        audit.record(session, actor, "user-deactivate" if not active else "user-add", "user", user.id,
                     {"name": user.name, "active": active})


def _by_name(session, name: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.name) == (name or "").lower()))
    if user is None:
        raise AccountError(f"no user named {name!r}")
    return user


@dataclass(frozen=True)
class RateLimit:
    max_failures: int
    window: dt.timedelta
    lockout: dt.timedelta


def _rate_limit(library: "Library") -> RateLimit:
    s = library.settings
    return RateLimit(s.sign_in_max_failures, dt.timedelta(seconds=s.sign_in_window_seconds),
                     dt.timedelta(seconds=s.sign_in_lockout_seconds))


def _locked_for(session, name: str, address: str, limit: RateLimit, now: dt.datetime) -> int:
    """Seconds until this (name, address) may try again; 0 when it may try now.

    Counts the failures within the window since the last success: after ``max_failures``
    of them, sign-in is refused until ``lockout`` after the latest failure.
    """
    since = now - max(limit.window, limit.lockout)
    rows = session.execute(
        select(SignInAttempt.at, SignInAttempt.succeeded)
        .where(SignInAttempt.name == name, SignInAttempt.address == address, SignInAttempt.at >= since)
        .order_by(SignInAttempt.at.desc(), SignInAttempt.id.desc())
    ).all()
    failures = []
    for at, succeeded in rows:
        if succeeded:
            break
        failures.append(_aware(at))
    recent = [at for at in failures if at >= now - limit.window]
    if len(recent) < limit.max_failures:
        return 0
    remaining = (failures[0] + limit.lockout - now).total_seconds()
    return max(0, int(remaining + 0.999))


def authenticate(library: "Library", name: str, password: str, address: str = "") -> User:
    """The active account for this name and password, or :class:`SignInError`.

    ``address`` is the client's address as the web layer sees it; failures are counted
    per (name, address) and lock sign-in for a while (:class:`SignInLocked`). The password
    is verified even for an unknown name so that timing does not tell names apart. A hash
    made with older Argon2 parameters is replaced on success. Renewing the web session is
    the caller's job.
    """
    key = (name or "").strip().lower()[:100]
    address = (address or "")[:64]
    limit = _rate_limit(library)
    now = _now()
    with transaction(library.sessions) as session:
        wait = _locked_for(session, key, address, limit, now)
        if wait:
            raise SignInLocked(wait)
        user = session.scalar(select(User).where(func.lower(User.name) == key)) if key else None
        ok = _verify(user.password_hash if user is not None else _DUMMY_HASH, password or "")
        ok = ok and user is not None and user.active
        session.add(SignInAttempt(at=now, name=key, address=address, succeeded=ok))
        if ok:
            user.last_login_at = now
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            # Old attempts are only needed for the window; drop them on success to keep the table small.
            session.execute(delete(SignInAttempt).where(
                SignInAttempt.at < now - max(limit.window, limit.lockout) * 2))
    if not ok:
        raise SignInError("wrong name or password")
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def require_role(user: User | None, role: Role | str) -> User:
    """``user`` if it is active and has ``role`` or a higher one; else :class:`Forbidden`."""
    needed = Role(str(role))
    if user is None or not user.active:
        raise Forbidden("sign in as staff first")
    if _RANK[user.role] < _RANK[needed]:
        raise Forbidden(f"this needs the {needed.value} role")
    return user


def has_role(user: User | None, role: Role | str) -> bool:
    try:
        require_role(user, role)
    except Forbidden:
        return False
    return True


def issue_token(library: "Library", name: str, actor: User | None = None) -> str:
    """A new API token for the account (replacing any earlier one); shown once, only its hash is kept."""
    token = "lexrepo_" + secrets.token_urlsafe(32)
    with transaction(library.sessions) as session:
        user = _by_name(session, name)
        if not user.active:
            raise AccountError(f"user {user.name!r} is not active")
        user.api_token_hash = hash_token(token)
        audit.record(session, actor, "user-token", "user", user.id, {"name": user.name, "token": "issued"})
    return token


def revoke_token(library: "Library", name: str, actor: User | None = None) -> None:
    with transaction(library.sessions) as session:
        user = _by_name(session, name)
        user.api_token_hash = None
        audit.record(session, actor, "user-token", "user", user.id, {"name": user.name, "token": "revoked"})


def user_for_token(library: "Library", token: str) -> User | None:
    """The active account holding this API token, or None."""
    if not token:
        return None
    with library.sessions() as session:
        user = session.scalar(select(User).where(User.api_token_hash == hash_token(token)))
    return user if user is not None and user.active else None
