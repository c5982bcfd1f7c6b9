"""The stylesheet is well-formed: a lost brace would silently swallow every rule after it."""
from __future__ import annotations

from pathlib import Path

import tinycss2

STYLESHEET = Path(__file__).resolve().parents[1] / "web" / "static" / "lexrepo.css"


def test_stylesheet_parses_and_media_blocks_are_closed():
    source = STYLESHEET.read_text(encoding="utf-8")
    assert source.count("{") == source.count("}")
    rules = tinycss2.parse_stylesheet(source, skip_whitespace=True, skip_comments=True)
    assert [rule for rule in rules if rule.type == "error"] == []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            inner = tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True)
            assert all(r.type == "qualified-rule" for r in inner), f"@media {tinycss2.serialize(rule.prelude)} holds more than style rules"
    assert len([rule for rule in rules if rule.type == "qualified-rule"]) > 50
