"""Finding ids of the cards stage: stable, so baselines and suppressions survive rewording."""

from __future__ import annotations

from pipeline.findings import Rule

RULES: tuple[Rule, ...] = (
    Rule("CARD001", "error", "Hero image path (`image`) escapes the static root.", "cards"),
    Rule(
        "CARD002",
        "error",
        "Card path (`ogImage`/`twitterImage`) escapes the static root or is remote.",
        "cards",
    ),
    Rule("CARD003", "error", "Hero image is missing or cannot be decoded.", "cards"),
    Rule(
        "CARD004",
        "error",
        "No font the card may use has a glyph for a character of the text (no tofu is drawn).",
        "cards",
    ),
    Rule(
        "CARD005", "error", "A font is not installed, or complex-script text without raqm/FriBiDi.", "cards"
    ),
    Rule("CARD006", "warning", "Hero is smaller than the card and is enlarged.", "cards"),
    Rule(
        "CARD007", "info", "Title contrast was under the layout's minimum; the scrim was darkened.", "cards"
    ),
    Rule(
        "CARD008", "warning", "Title does not fit at the minimum size and was cut with an ellipsis.", "cards"
    ),
    Rule("CARD009", "warning", "Card path names a format other than JPEG.", "cards"),
    Rule("CARD010", "error", "Card cannot be encoded under cards.max_bytes.", "cards"),
    Rule("CARD011", "error", "Post has no title to put on its card.", "cards"),
    Rule("CARD012", "info", "Post has no hero image; the card uses the layout's background colour.", "cards"),
    Rule("CARD013", "error", "Layout or the post's `card:` settings are invalid.", "cards"),
    Rule("CARD014", "error", "Two cards would be written to the same path.", "cards"),
    Rule(
        "CARD015",
        "info",
        "ogImage/twitterImage names an existing image no cards run made; it is kept as is, never overwritten.",
        "cards",
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
