"""The staff area: sign-in, uploads and jobs, the review queue, document edits, accounts, audit.

One blueprint ``staff`` whose rules carry their full paths (``/login``, ``/logout`` and
everything under ``/staff/``); ``auth`` (sign-in and role checks), ``uploads`` (upload
form, jobs), ``review``, ``documents`` (edit, amend, repeal, delete) and ``admin``
(accounts, audit log) add routes to it. Views call the domain modules in ``repository/``;
every route but sign-in and sign-out checks the role on the server.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError

bp = Blueprint("staff", __name__)
login_manager = LoginManager()

# A form may carry this many files of MAX_FILE_BYTES each (plus the other fields) before the
# whole request is refused with 413; each file is also checked on its own by the domain.
FILES_PER_REQUEST = 20


def library():
    """The app's Library (the domain API)."""
    return current_app.extensions["lexrepo"]


def init_app(app: Flask) -> None:
    """Register the blueprint, Flask-Login and the staff settings (cookie flags, request size)."""
    settings = app.extensions["lexrepo"].settings
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    for name, value in {
        "REMEMBER_COOKIE_SECURE": secure, "REMEMBER_COOKIE_HTTPONLY": True, "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": settings.max_file_bytes * FILES_PER_REQUEST + 1024 * 1024,
    }.items():
        if app.config.get(name) is None:  # Flask predefines MAX_CONTENT_LENGTH as None
            app.config[name] = value
    login_manager.init_app(app)
    app.register_blueprint(bp)


def error_page(status: int, title: str, message: str, headers: dict | None = None):
    return render_template("staff/error.html", status=status, title=title, message=message), status, headers or {}


@bp.errorhandler(CSRFError)
def csrf_refused(error):
    return error_page(400, "Form expired or forged",
                      "The form's security token is missing or wrong. Go back, reload the page and try again.")


@bp.errorhandler(401)
def unauthorized(error):
    return error_page(401, "Sign in first", "This needs a staff account. Sign in and try again.")


@bp.errorhandler(403)
def forbidden(error):
    described = isinstance(error.description, str) and error.description.startswith("this needs")
    return error_page(403, "Not allowed", error.description.capitalize() + "." if described
                      else "Your role does not allow this.")


@bp.errorhandler(404)
def not_found(error):
    return error_page(404, "Not found", "There is nothing at this address.")


@bp.errorhandler(413)
def too_large(error):
    limit = library().settings.max_file_bytes
    return error_page(413, "Upload too large",
                      f"The request is larger than the server accepts. Each file may have at most {limit:,} bytes "
                      f"(MAX_FILE_BYTES); send fewer files at once.")


from web.staff import auth, uploads, review, documents, admin  # noqa: E402,F401  (routes register on bp)
from web.staff import citation_lists  # noqa: E402,F401  (saved citation lists)
