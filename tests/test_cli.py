"""The lexrepo command line on small inputs: init, ingest, search, stats, reindex, check."""
from __future__ import annotations

import json

from tests.test_library import BRIBERY_ACT, GELDWAESCHE, write


def make_folder(tmp_path):
    folder = tmp_path / "laws"
    write(folder, "usa/anti_bribery_act.md", BRIBERY_ACT)
    write(folder, "deu/gesetz.md", GELDWAESCHE)
    (folder / "deu" / "scan.pdf").write_bytes(b"<html>not a pdf</html>")
    return folder


def test_every_command_has_help(runner):
    for command in ("init", "ingest", "search", "reindex", "stats", "check", "serve"):
        result = runner.invoke([command, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_ingest_prints_a_summary_with_skipped_reasons(runner, tmp_path):
    assert runner.invoke(["init"]).exit_code == 0
    result = runner.invoke(["ingest", str(make_folder(tmp_path)), "--workers", "1"])
    assert result.exit_code == 0
    assert "2 ingested" in result.output and "1 skipped" in result.output
    assert "skipped deu/scan.pdf: not a PDF" in result.output
    again = runner.invoke(["ingest", str(make_folder(tmp_path)), "--workers", "1"])
    assert "2 unchanged" in again.output


def test_search_json_and_filters(runner, tmp_path):
    runner.invoke(["ingest", str(make_folder(tmp_path)), "--workers", "1"])
    result = runner.invoke(["search", "Geldwäsche", "--country", "DEU", "--json"])
    payload = json.loads(result.output)
    assert payload["total"] == 1
    [hit] = payload["results"]
    assert (hit["source"], hit["number"], hit["country"], hit["heading"]) == ("deu/gesetz.md", "1", "DEU", "Geldwäsche")
    assert isinstance(hit["articles"], list) and isinstance(hit["score"], float)
    listing = json.loads(runner.invoke(["search", "", "--country", "USA", "--json", "--limit", "50"]).output)
    assert [r["number"] for r in listing["results"] if r["number"]] == ["1", "2", "3"]
    text = runner.invoke(["search", "foreign public official"]).output
    assert "Section 2" in text and "usa/anti_bribery_act.md#p-2" in text


def test_domain_errors_are_one_clear_line(runner):
    result = runner.invoke(["search", "\"unclosed"])
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and "quote" in result.output
    nothing = runner.invoke(["search", ""])
    assert nothing.exit_code == 1 and "give a query" in nothing.output


def test_stats_reindex_and_check(runner, tmp_path):
    runner.invoke(["ingest", str(make_folder(tmp_path)), "--workers", "1"])
    stats = json.loads(runner.invoke(["stats", "--json"]).output)
    assert stats["documents"] == 2
    assert {row["country"] for row in stats["by_country"]} == {"DEU", "USA"}
    assert {row["language"] for row in stats["by_language"]} == {"de", "en"}
    assert stats["indexed"] <= stats["provisions"]
    assert runner.invoke(["check"]).exit_code == 0
    reindexed = runner.invoke(["reindex"])
    assert reindexed.exit_code == 0 and f"Indexed {stats['indexed']} provisions" in reindexed.output
