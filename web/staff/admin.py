"""Admins only: staff accounts and the audit log (with CSV and JSON-lines exports)."""
from __future__ import annotations

import datetime as dt

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for

from repository.accounts import AccountError, create_user, list_users, set_active
from repository.audit import ACTIONS, audit_log, export_csv, export_jsonl, iter_audit_events
from repository.models import Role
from web.staff import bp, library
from web.staff.auth import current_account, role_required
from web.staff.uploads import page_number

EVENTS_PER_PAGE = 50


@bp.route("/staff/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    values = {"name": "", "role": Role.EDITOR.value}
    status = 200
    if request.method == "POST":
        values = {"name": request.form.get("name", "").strip(), "role": request.form.get("role", "")}
        try:
            created = create_user(library(), values["name"], request.form.get("password", ""), values["role"],
                                  actor=current_account())
        except AccountError as error:
            flash(str(error).capitalize() + ".", "error")
            status = 400
        else:
            flash(f"Created {created.role.value} {created.name}.")
            return redirect(url_for("staff.users"))
    return render_template("staff/users.html", users=list_users(library()), values=values,
                           roles=[r.value for r in Role]), status


@bp.route("/staff/users/<name>/active", methods=["POST"])
@role_required("admin")
def user_active(name: str):
    active = request.form.get("active") == "1"
    if not active and name.lower() == current_account().name.lower():
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("staff.users"))
    try:
        set_active(library(), name, active, actor=current_account())
    except AccountError as error:
        flash(str(error).capitalize() + ".", "error")
    else:
        flash(f"{name} {'activated' if active else 'deactivated'}.")
    return redirect(url_for("staff.users"))


def _audit_filters() -> tuple[dict, dict]:
    """(filters for the domain, the query arguments that reproduce them); bad dates are ignored."""
    args = {name: request.args.get(name, "").strip() for name in ("user", "action", "since", "until")}
    args = {k: v for k, v in args.items() if v}
    filters: dict = {"user": args.get("user"), "action": args.get("action") if args.get("action") in ACTIONS else None}
    for name in ("since", "until"):
        try:
            day = dt.date.fromisoformat(args.get(name, ""))
        except ValueError:
            args.pop(name, None)
            filters[name] = None
            continue
        moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)
        filters[name] = moment + dt.timedelta(days=1) if name == "until" else moment  # "until" includes that day
    return filters, args


@bp.route("/staff/audit")
@role_required("admin")
def audit():
    filters, args = _audit_filters()
    page = page_number()
    found = audit_log(library(), limit=EVENTS_PER_PAGE, offset=(page - 1) * EVENTS_PER_PAGE, **filters)
    return render_template("staff/audit.html", events=found.events, total=found.total, page=page,
                           pages=max(1, -(-found.total // EVENTS_PER_PAGE)), args=args, actions=ACTIONS)


def _export(write, mimetype: str, extension: str) -> Response:
    filters, _args = _audit_filters()
    events = iter_audit_events(library(), **filters)
    return Response(stream_with_context(write(events)), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="lexrepo-audit.{extension}"',
    })


@bp.route("/staff/audit.csv")
@role_required("admin")
def audit_csv():
    return _export(export_csv, "text/csv", "csv")


@bp.route("/staff/audit.jsonl")
@role_required("admin")
def audit_jsonl():
    return _export(export_jsonl, "application/x-ndjson", "jsonl")
