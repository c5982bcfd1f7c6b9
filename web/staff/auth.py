"""Sign-in and sign-out, the signed-in staff user, and the server-side role check.

The session cookie holds ``"<user id>:<fingerprint of the password hash>"`` (Flask-Login's
user id), so changing a password or deactivating an account ends the sessions signed in
before. Sign-in clears the session and starts a fresh one (a new cookie, a new CSRF token).
"""
from __future__ import annotations

import hashlib
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from repository.accounts import SignInError, SignInLocked, authenticate, get_user, has_role
from repository.models import Role, User
from web.staff import bp, library, login_manager

# Sign-in and sign-out are the only staff endpoints that anyone may reach.
OPEN_ENDPOINTS = {"staff.login", "staff.logout"}


class StaffUser(UserMixin):
    """The Flask-Login face of a domain :class:`~repository.models.User`."""

    def __init__(self, account: User):
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.id}:{session_fingerprint(self.account)}"

    @property
    def is_active(self) -> bool:
        return bool(self.account.active)

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def role(self) -> str:
        return self.account.role.value

    def has_role(self, role: str) -> bool:
        return has_role(self.account, role)


def session_fingerprint(account: User) -> str:
    """Changes whenever the password hash changes (a new password, or a rehash at sign-in
    with new parameters), which signs out every session made before."""
    return hashlib.sha256(f"lexrepo-session:{account.password_hash}".encode()).hexdigest()[:16]


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    number, _, fingerprint = (user_id or "").partition(":")
    if not number.isdigit():
        return None
    account = get_user(library(), int(number))
    if account is None or session_fingerprint(account) != fingerprint:
        return None
    return StaffUser(account)


def current_account() -> User | None:
    """The signed-in domain user (for the audit log), or None."""
    return current_user.account if current_user.is_authenticated else None


def refuse_anonymous():
    """A page asks the visitor to sign in; any other request is refused with 401."""
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    abort(401)


def role_required(role: str):
    """Let the view run only for a signed-in user with ``role`` or higher (admin implies editor)."""
    needed = Role(role)

    def decorate(view):
        view.required_role = needed

        @wraps(view)
        def checked(*args, **kwargs):
            if not current_user.is_authenticated:
                return refuse_anonymous()
            if not has_role(current_user.account, needed):
                abort(403, f"this needs the {needed.value} role")
            return view(*args, **kwargs)

        checked.required_role = needed
        return checked

    return decorate


@bp.before_request
def staff_only():
    """A second lock behind the decorators: no staff route but sign-in answers anyone without a role."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return refuse_anonymous()
    if not current_user.has_role("editor"):
        abort(403)
    return None


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another host, a scheme) goes to the dashboard."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("staff.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = request.values.get("next", "")
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(target))
        return render_template("staff/login.html", next=target, name="")
    name = request.form.get("name", "")
    try:
        account = authenticate(library(), name, request.form.get("password", ""), request.remote_addr or "")
    except SignInLocked as locked:
        return (render_template("staff/login.html", next=target, name=name, error=str(locked).capitalize() + "."),
                429, {"Retry-After": str(locked.retry_after)})
    except SignInError:
        return render_template("staff/login.html", next=target, name=name, error="Wrong name or password."), 200
    # A fresh session: nothing from before sign-in (a planted session, an old CSRF token) survives it.
    session.clear()
    login_user(StaffUser(account), fresh=True)
    flash(f"Signed in as {account.name} ({account.role.value}).")
    return redirect(safe_next(target))


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("Signed out.")
    return redirect(url_for("public.home"))
