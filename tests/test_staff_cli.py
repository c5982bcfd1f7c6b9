"""The staff commands: users, upload, worker, jobs, audit."""
from __future__ import annotations

import csv
import io
import json

from tests.test_library import BRIBERY_ACT, write

PASSWORD = "correct horse battery"


def test_every_staff_command_has_help(runner):
    for command in (["users"], ["users", "add"], ["users", "list"], ["users", "token"], ["worker"], ["jobs"],
                    ["jobs", "retry"], ["upload"], ["audit"]):
        result = runner.invoke([*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, command


def test_users_add_list_and_token(runner):
    added = runner.invoke(["users", "add", "alice", "--role", "admin", "--password-stdin"], input=PASSWORD + "\n")
    assert added.exit_code == 0 and "Created admin alice." in added.output
    prompted = runner.invoke(["users", "add", "bob"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0 and "Created editor bob." in prompted.output
    weak = runner.invoke(["users", "add", "carol", "--password-stdin"], input="short\n")
    assert weak.exit_code == 1 and weak.output.strip() == "Error: a password needs at least 10 characters"
    duplicate = runner.invoke(["users", "add", "Alice", "--password-stdin"], input=PASSWORD + "\n")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    listed = json.loads(runner.invoke(["users", "list", "--json"]).output)
    assert [(u["name"], u["role"], u["api_token"]) for u in listed] == [("alice", "admin", False), ("bob", "editor", False)]
    token = runner.invoke(["users", "token", "bob"]).output.strip()
    assert token.startswith("lexrepo_") and len(token) > 40
    assert json.loads(runner.invoke(["users", "list", "--json"]).output)[1]["api_token"] is True
    missing = runner.invoke(["users", "token", "nobody"])
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output


def test_upload_worker_jobs_retry_and_audit(runner, tmp_path):
    good = write(tmp_path, "act.md", BRIBERY_ACT)
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    bad = tmp_path / "photo.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    result = runner.invoke(["upload", str(good), str(fake), str(bad), "--country", "USA", "--type", "act"])
    assert result.exit_code == 1  # one file refused
    assert "refused photo.pdf: not a PDF" in result.output
    assert "job 1 queued (act.md)" in result.output and "job 2 queued (scan.pdf)" in result.output
    worked = runner.invoke(["worker", "--once"])
    assert worked.exit_code == 0
    assert "job 1 indexed -> document 1 v1 (act.md)" in worked.output
    assert "job 2 failed (scan.pdf): " in worked.output
    failed = json.loads(runner.invoke(["jobs", "--state", "failed", "--json"]).output)
    assert [(job["id"], job["filename"]) for job in failed] == [(2, "scan.pdf")] and failed[0]["reason"]
    assert runner.invoke(["jobs", "retry", "2"]).output.strip() == "job 2 queued again"
    refused = runner.invoke(["jobs", "retry", "1"])
    assert refused.exit_code == 1 and "only failed jobs can be retried" in refused.output
    amended = write(tmp_path, "act-v2.md", BRIBERY_ACT + "\n### Section 4. Commencement\n\nThis Act comes into force.\n")
    waited = runner.invoke(["upload", str(amended), "--document", "1", "--wait"])
    assert waited.exit_code == 0 and "-> document 1 v2 (act-v2.md)" in waited.output
    assert runner.invoke(["check"]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(runner.invoke(["audit", "--csv"]).output)))
    assert [row["action"] for row in rows] == ["upload", "upload", "job-retry", "upload", "amend"]
    lines = [json.loads(line) for line in runner.invoke(["audit", "--json", "--action", "upload"]).output.splitlines()]
    assert [line["details"]["filename"] for line in lines] == ["act.md", "scan.pdf", "act-v2.md"]
    shown = runner.invoke(["audit", "--limit", "2"]).output
    assert "2 of 5 events" in shown and "amend" in shown


def test_users_add_in_a_script_without_a_terminal(runner):
    """No terminal to prompt at: the password comes from LEXREPO_PASSWORD, or one is made and shown once."""
    from repository.accounts import authenticate
    from repository.config import load_settings
    from repository.library import Library

    from_env = runner.invoke(["users", "add", "erin", "--role", "admin"], input="", env={"LEXREPO_PASSWORD": PASSWORD})
    assert from_env.exit_code == 0 and "Created admin erin." in from_env.output and PASSWORD not in from_env.output
    made = runner.invoke(["users", "add", "frank"], input="")
    assert made.exit_code == 0 and "Created editor frank." in made.output
    shown = made.output.strip().splitlines()[-1].rsplit(" ", 1)[1]
    assert len(shown) >= 20
    with Library(load_settings(environ={}, data_dir=str(runner.data_dir))) as library:
        assert authenticate(library, "erin", PASSWORD).role.value == "admin"
        assert authenticate(library, "frank", shown).name == "frank"
