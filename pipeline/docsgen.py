"""Generate docs/rules.md and docs/configuration.md from the code, so the reference can never drift.

`make docs` (or `python -m pipeline.docsgen`) rewrites them; a test fails when the committed files differ or
when a rule or config field has no description.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from pipeline.config import Config
from pipeline.rule_settings import (
    VALIDATE_LANGID_REASON,
    VALIDATE_LANGID_RULES,
    VALIDATE_LANGUAGES,
    VALIDATE_THRESHOLDS,
)
from pipeline.rules import STAGE_TABLES, Rule

DOCS = Path(__file__).resolve().parent.parent / "docs"


def rule_tables() -> list[tuple[str, list[Rule]]]:
    """The catalogue's tables (pipeline/rules.py), each sorted by id, in the catalogue's order."""
    return [(title, sorted(table, key=lambda r: r.id)) for title, _stage, table, _settable in STAGE_TABLES]


def _cell(text: str) -> str:
    """A table cell: a literal | would end it."""
    return text.replace("|", "\\|")


def rules_markdown() -> str:
    lines = [
        "# Rules reference",
        "",
        "Generated from the rule tables by `make docs`; do not edit by hand.",
        "Every rule has a stable id. Switch a content-loading or validate rule off for the whole site with",
        '`[validate] disable = ["ID"]`, for one post with `validate: {ignore: [ID]}` in its front matter, or change',
        'its severity with `[validate.severity] ID = "error"`. Thresholds live in `[validate.thresholds]`',
        "(per language: `[validate.language_thresholds.<lang>]`). Translate, cards, social, build and crawl findings are",
        "reported as listed; each command's `--fail-on` decides which of them fail a run (crawl also has `--fail-on",
        "new`). Translation QA ids mark segments for review in the web UI and XLIFF/PO exports. The tables come from",
        "`pipeline/rules.py`, the one catalogue: a new rule is one line there plus the code that emits it, and its",
        "how-to-fix text in `pipeline/rule_fixes.py` (the web audit shows both next to every group of findings).",
        "",
    ]
    for title, rules in rule_tables():
        lines += [
            f"## {title}",
            "",
            "| id | severity | category | what it checks | how to fix |",
            "|---|---|---|---|---|",
        ]
        lines += [f"| `{r.id}` | {r.severity} | {r.category} | {r.doc} | {_cell(r.fix)} |" for r in rules]
        lines.append("")
    lines += ["## Validate thresholds (defaults)", "", "| key | default |", "|---|---|"]
    lines += [f"| `{k}` | `{v}` |" for k, v in VALIDATE_THRESHOLDS.items()]
    lines.append("")
    lines += [
        "## Rules by language",
        "",
        "Rules not listed run in every language. A run that skips a rule for some of its posts' languages says",
        'so once (on stderr). `[validate] rule_languages = { READ003 = ["en", "pt"] }` changes a rule\'s list',
        '(`["*"]`: every language).',
        "",
        "| rule | languages | why not the others |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{rid}` | {', '.join(sorted(langs))} | {why} |"
        for rid, (langs, why) in VALIDATE_LANGUAGES.items()
    ]
    lines += [
        f"| `{rid}` | those of py3langid's model | {VALIDATE_LANGID_REASON} |"
        for rid in VALIDATE_LANGID_RULES
    ]
    from pipeline.validate.langsupport import VALIDATE_MEASURED_RULES
    from pipeline.validate.registry import LANGUAGE_DEFAULTS

    scaled = sorted(lang for lang, table in LANGUAGE_DEFAULTS.items() if "description_min_chars" in table)
    lines += [
        f"| `{rid}` | Latin, Greek and Cyrillic script; {', '.join(scaled)}; any with its own "
        f"`description_min_chars` | {why} |"
        for rid, why in VALIDATE_MEASURED_RULES.items()
    ]
    lines.append("")
    return "\n".join(lines)


def _fields(model: type[BaseModel], prefix: str) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        key = field.alias or name
        path = f"{prefix}.{key}" if prefix else key
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.append((path, "section", "", field.description or ""))
            rows += _fields(annotation, path)
            continue
        default = field.get_default(call_default_factory=True)
        shown = (
            ""
            if default is None or field.is_required()
            else f"`{json.dumps(to_jsonable_python(default), ensure_ascii=False)}`"
        )
        type_name = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
        rows.append((path, type_name, shown, field.description or ""))
    return rows


def config_rows() -> list[tuple[str, str, str, str]]:
    from pipeline.config import LanguageConfig, SocialAccount

    rows = _fields(Config, "")
    rows += _fields(LanguageConfig, "site.languages.<code>")
    rows += _fields(SocialAccount, "social.accounts[]")
    return rows


def config_markdown() -> str:
    lines = [
        "# Configuration reference",
        "",
        "Generated from the pydantic models in `pipeline/config.py` by `make docs`; do not edit by hand.",
        "",
        "The config is TOML (`config/site.toml` by default; `--config FILE` or `PIPELINE_CONFIG` pick another).",
        "Precedence, lowest first: defaults < the file < environment variables `PIPELINE__SECTION__KEY` (values parse",
        "as JSON when they can, e.g. `PIPELINE__CRAWL__MAX_PAGES=500`) < command-line flags. Unknown keys are",
        "errors; every problem is reported at once with its key path, and the command exits 2.",
        "`PIPELINE_STATE_DIR` (default `.pipeline/`) holds the store, Argos packages and caches.",
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for path, type_name, default, desc in config_rows():
        lines.append(
            f"| `{path}` | {type_name.replace('|', '&#124;')} | {default.replace('|', '&#124;')} | {desc} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    from pipeline.fsutil import atomic_write_text

    atomic_write_text(DOCS / "rules.md", rules_markdown())
    atomic_write_text(DOCS / "configuration.md", config_markdown())
    print("wrote docs/rules.md and docs/configuration.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
