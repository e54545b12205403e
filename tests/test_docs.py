"""The reference docs are generated from code: they must be current, and every rule and field documented."""

from __future__ import annotations

from pipeline.docsgen import DOCS, config_markdown, config_rows, rule_tables, rules_markdown
from pipeline.rule_fixes import FIXES
from pipeline.rules import ALL


def test_every_config_field_has_a_description() -> None:
    missing = [path for path, _type, _default, desc in config_rows() if not desc.strip()]
    assert missing == [], f"add Field(description=...) for: {missing}"


def test_every_rule_has_docs() -> None:
    for _title, rules in rule_tables():
        for rule in rules:
            assert rule.doc.strip(), f"{rule.id} has no doc line"


def test_every_rule_says_how_to_fix_it() -> None:
    """The audit page and docs/rules.md show it for every finding; a text for an unknown id is a stale one."""
    missing = [rule.id for _title, rules in rule_tables() for rule in rules if not rule.fix.strip()]
    assert missing == [], f"add a fix text to pipeline/rule_fixes.py for: {missing}"
    assert sorted(set(FIXES) - set(ALL)) == []


def test_generated_docs_are_current() -> None:
    assert (DOCS / "rules.md").read_text("utf-8") == rules_markdown(), (
        "run `make docs` and commit docs/rules.md"
    )
    assert (DOCS / "configuration.md").read_text("utf-8") == config_markdown(), (
        "run `make docs` and commit docs/configuration.md"
    )
