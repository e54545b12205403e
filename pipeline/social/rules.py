"""The social rules as data: stable ids, default severities, one doc line each (docs/rules.md lists them).

`plan` reports these; they were emitted long before they were declared, so `docs/rules.md` never listed them and
`validate.disable` called them unknown.
"""

from __future__ import annotations

from pipeline.findings import Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "SOCIAL001",
        "info",
        "Post text shortened to fit the platform limit (preview cut or dropped, hashtags dropped, title cut).",
        "compose",
    ),
    Rule(
        "SOCIAL002",
        "warning",
        "No free slot for the post on the account within the scheduling horizon; it was not planned.",
        "schedule",
    ),
)

RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
