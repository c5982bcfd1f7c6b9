"""Staff accounts on SQLite and PostgreSQL: Argon2id hashes, sign-in, rate limiting, roles, API tokens."""
from __future__ import annotations

import dataclasses
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from repository.accounts import (
    AccountError, Forbidden, SignInError, SignInLocked, authenticate, create_user, has_role, issue_token,
    require_role, revoke_token, set_active, user_for_token,
)
from repository.audit import audit_log
from repository.library import Library
from repository.models import Role, SignInAttempt, User

PASSWORD = "correct horse battery"


@pytest.fixture
def strict_library(settings):
    """A library that locks sign-in after 3 failures, for 2 seconds."""
    tight = dataclasses.replace(settings, sign_in_max_failures=3, sign_in_window_seconds=60, sign_in_lockout_seconds=2)
    with Library(tight) as library:
        library.init()
        yield library


def stored_hash(library, user_id):
    with library.sessions() as session:
        return session.get(User, user_id).password_hash


def test_passwords_are_argon2id_hashes_and_sign_in_works(library):
    user = create_user(library, "alice", PASSWORD, "admin")
    password_hash = stored_hash(library, user.id)
    assert password_hash.startswith("$argon2id$") and PASSWORD not in password_hash
    signed_in = authenticate(library, "Alice", PASSWORD, "192.0.2.1")
    assert (signed_in.id, signed_in.role) == (user.id, Role.ADMIN)
    assert signed_in.last_login_at is not None
    [event] = audit_log(library, action="user-add").events
    assert event.details == {"name": "alice", "role": "admin"} and event.user_name == ""


@pytest.mark.parametrize("name, password", [("alice", "wrong password"), ("mallory", PASSWORD), ("", PASSWORD)])
def test_wrong_name_or_password_gives_the_same_answer(library, name, password):
    create_user(library, "alice", PASSWORD)
    with pytest.raises(SignInError) as refused:
        authenticate(library, name, password, "192.0.2.1")
    assert str(refused.value) == "wrong name or password"
    assert not isinstance(refused.value, SignInLocked)


def test_inactive_accounts_cannot_sign_in(library):
    create_user(library, "bob", PASSWORD)
    set_active(library, "bob", False)
    with pytest.raises(SignInError):
        authenticate(library, "bob", PASSWORD, "192.0.2.1")


def test_sign_in_is_locked_per_name_and_address_after_repeated_failures(strict_library):
    create_user(strict_library, "alice", PASSWORD)
    for _ in range(3):
        with pytest.raises(SignInError) as refused:
            authenticate(strict_library, "alice", "guess number x", "198.51.100.7")
        assert not isinstance(refused.value, SignInLocked)
    # Locked now, even with the right password, from that address only.
    with pytest.raises(SignInLocked) as locked:
        authenticate(strict_library, "alice", PASSWORD, "198.51.100.7")
    assert 0 < locked.value.retry_after <= 2
    assert authenticate(strict_library, "alice", PASSWORD, "203.0.113.9").name == "alice"
    time.sleep(2.1)
    assert authenticate(strict_library, "alice", PASSWORD, "198.51.100.7").name == "alice"
    with strict_library.sessions() as session:
        failures = session.scalar(select(func.count(SignInAttempt.id)).where(SignInAttempt.succeeded.is_(False)))
    assert failures == 3  # the locked attempt was refused before checking the password, and not counted


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(library):
    user = create_user(library, "carol", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with library.sessions() as session, session.begin():
        session.get(User, user.id).password_hash = weak
    authenticate(library, "carol", PASSWORD, "192.0.2.1")
    renewed = stored_hash(library, user.id)
    assert renewed != weak and renewed.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(renewed)


def test_roles_are_checked_on_the_server(library):
    editor = create_user(library, "ed", PASSWORD, "editor")
    admin = create_user(library, "ad", PASSWORD, "admin")
    assert require_role(editor, "editor") is editor
    assert require_role(admin, "editor") is admin and has_role(admin, Role.ADMIN)
    with pytest.raises(Forbidden, match="admin role"):
        require_role(editor, "admin")
    with pytest.raises(Forbidden, match="sign in"):
        require_role(None, "editor")
    set_active(library, "ed", False)
    with library.sessions() as session:
        assert not has_role(session.get(User, editor.id), "editor")


@pytest.mark.parametrize("name, password, role, message", [
    ("alice", PASSWORD, "editor", "already exists"),
    ("ALICE", PASSWORD, "editor", "already exists"),
    ("dave", "short", "editor", "at least 10 characters"),
    ("../etc", PASSWORD, "editor", "user name is"),
    ("erin", PASSWORD, "root", "role must be one of editor, admin"),
])
def test_account_creation_is_validated(library, name, password, role, message):
    create_user(library, "alice", PASSWORD)
    with pytest.raises(AccountError, match=message):
        create_user(library, name, password, role)


def test_api_tokens_are_stored_as_hashes_and_can_be_revoked(library):
    create_user(library, "api", PASSWORD, "editor")
    token = issue_token(library, "api")
    with library.sessions() as session:
        stored = session.scalar(select(User.api_token_hash).where(User.name == "api"))
    assert token not in stored and len(stored) == 64
    assert user_for_token(library, token).name == "api"
    assert user_for_token(library, token + "x") is None and user_for_token(library, "") is None
    replacement = issue_token(library, "api")
    assert user_for_token(library, token) is None and user_for_token(library, replacement).name == "api"
    revoke_token(library, "api")
    assert user_for_token(library, replacement) is None
    assert [e.details["token"] for e in audit_log(library, action="user-token").events] == ["revoked", "issued", "issued"]
