"""Every rule id any stage can emit, as data: the one catalogue config, docs and reports read.

Ground floor: this module imports nothing of the pipeline but its fix texts (pipeline/rule_fixes.py), so `config.py` can check `validate.disable` against it
and `docsgen` can write docs/rules.md from it without loading a single stage. Stages look their rules up here by
id; a test fails when a stage emits an id that is missing here or from docs/rules.md.

Adding a rule: one line in the stage's table below, plus the code that emits it (for validate, a check function
decorated `@rule("ID")` in one of pipeline/validate's check modules), then `make docs`. Ids are stable: baselines,
suppressions and run history key on them, so a rule is reworded, never renumbered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.rule_fixes import FIXES

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Rule:
    """A rule as data: id, default severity, one-line doc (what it is), category (SARIF and the HTML report group
    by it) and how to fix it (the audit page and docs/rules.md show it; pipeline/rule_fixes.py holds the texts)."""

    id: str
    severity: Severity
    doc: str
    category: str = "general"
    fix: str = ""

    def __post_init__(self) -> None:
        if not self.fix:
            object.__setattr__(self, "fix", FIXES.get(self.id, ""))


# Loading a post (pipeline.content): the file, its front matter, its Markdown.
CONTENT: tuple[Rule, ...] = (
    Rule("CONTENT001", "error", "File could not be read or is larger than site.max_file_bytes.", "content"),
    Rule("CONTENT002", "error", "File (or its name) is not valid UTF-8.", "content"),
    Rule("CONTENT003", "error", "File looks binary (contains NUL bytes).", "content"),
    Rule("CONTENT004", "error", "Front matter opened with --- or +++ but never closed.", "content"),
    Rule("CONTENT005", "error", "Front matter is not valid YAML.", "content"),
    Rule("CONTENT006", "error", "Front matter is not valid TOML.", "content"),
    Rule("CONTENT007", "error", "Front matter is not a key/value mapping.", "content"),
    Rule(
        "CONTENT008",
        "error",
        "YAML aliases in front matter expand beyond the loader's limits (an alias bomb).",
        "content",
    ),
    Rule("CONTENT009", "error", "Front matter nests deeper or is larger than the loader allows.", "content"),
    Rule("CONTENT010", "error", "Symlink points outside the content root.", "content"),
    Rule("CONTENT011", "warning", "File has no front matter.", "content"),
    Rule("CONTENT012", "error", "`lang:` names a language that is not in site.languages.", "content"),
    Rule(
        "CONTENT013",
        "warning",
        "Markdown nests deeper than the parser follows; the deeper lines are not checked, translated or rendered.",
        "content",
    ),
    Rule("CONTENT014", "error", "The Markdown body could not be parsed at all.", "content"),
    Rule(
        "CONTENT015",
        "warning",
        "The front-matter permalink is a template this tool cannot evaluate; the file path's URL is used.",
        "content",
    ),
    Rule(
        "CONTENT016",
        "info",
        "Eleventy data files not applied: JavaScript ones (*.11tydata.js) are not run, said once per run; a "
        "JSON one that does not parse.",
        "content",
    ),
    Rule(
        "CONTENT017",
        "warning",
        "A Hugo `cascade` (front matter or site config) cannot be read; it is not applied.",
        "content",
    ),
    Rule(
        "CONTENT018",
        "warning",
        "A Hugo module mount cannot be read (no source or target, a language the site does not have); it is "
        "skipped.",
        "content",
    ),
)

# Validate (pipeline.validate): one check function per id, registered with `@rule(ID)`.
VALIDATE: tuple[Rule, ...] = (
    Rule(
        "SEO001",
        "error",
        "Required front-matter field is missing (validate.required_fields; a URL, a file-name date or an alias "
        "the site's generator reads counts).",
        "metadata",
    ),
    Rule(
        "SEO002",
        "error",
        "Front-matter field has the wrong type (e.g. a list where text is expected).",
        "metadata",
    ),
    Rule("SEO003", "error", "Date does not parse as an ISO date (YYYY-MM-DD[THH:MM:SS]).", "metadata"),
    Rule("SEO004", "warning", "Future date, no `draft: true` (info: Hugo/Jekyll schedule it).", "metadata"),
    Rule(
        "SEO010",
        "warning",
        "Title with the site suffix is wider than the SERP shows (580 px at 20 px Arial).",
        "metadata",
    ),
    Rule("SEO011", "error", "Title is used by another post in the same language.", "metadata"),
    Rule(
        "SEO012",
        "warning",
        "Description length is outside 120–156 characters (fewer in wider scripts: 60–80 in Japanese, 81–106 in "
        "Bengali).",
        "metadata",
    ),
    Rule("SEO013", "warning", "Description is wider than 920 px at 14 px Arial.", "metadata"),
    Rule("SEO014", "error", "Description is used by another post in the same language.", "metadata"),
    Rule(
        "SEO015",
        "warning",
        "Description repeats the title or the preview instead of adding to them.",
        "metadata",
    ),
    Rule("SEO016", "warning", "Preview is missing (social posts are composed from it).", "metadata"),
    Rule("SEO017", "info", "Preview length is outside the configured bounds.", "metadata"),
    Rule(
        "SEO020",
        "error",
        "Front-matter permalink does not match site.permalink_pattern (where it applies).",
        "metadata",
    ),
    Rule(
        "SEO021",
        "warning",
        "Hand-written URL slug is not lowercase words joined by hyphens (any script).",
        "metadata",
    ),
    Rule("SEO022", "error", "Two posts have the same URL (across all languages).", "metadata"),
    Rule("SEO023", "warning", "Permalink slug differs from the file name.", "metadata"),
    Rule("SEO030", "warning", "Tags are missing or empty.", "metadata"),
    Rule("SEO031", "warning", "Tag is empty or not a slug (lowercase words, any script).", "metadata"),
    Rule("SEO032", "warning", "Tag is not in validate.allowed_tags.", "metadata"),
    Rule("KEY001", "warning", "Keyphrase does not appear in the title.", "keyphrase"),
    Rule("KEY002", "warning", "Keyphrase does not appear in the description.", "keyphrase"),
    Rule("KEY003", "warning", "Keyphrase does not appear in the first paragraph.", "keyphrase"),
    Rule("KEY004", "info", "Keyphrase appears in fewer than 30 % of H2/H3 subheadings.", "keyphrase"),
    Rule("KEY005", "warning", "Keyphrase words do not appear in the post's URL.", "keyphrase"),
    Rule("KEY006", "warning", "Keyphrase density is outside 0.5–3 % of the words.", "keyphrase"),
    Rule("IMG001", "error", "Image path leaves the static root ('..', absolute path or symlink).", "images"),
    Rule("IMG002", "error", "Image file does not exist (the hero, or an image the body shows).", "images"),
    Rule("IMG003", "error", "Hero image cannot be decoded.", "images"),
    Rule("IMG004", "warning", "Hero image is smaller than 1200×630 (cards would be upscaled).", "images"),
    Rule("IMG005", "warning", "Hero image is over the byte budget (validate.max_hero_bytes).", "images"),
    Rule(
        "IMG006",
        "info",
        "Open Graph / X card image does not exist yet (the cards stage renders it).",
        "images",
    ),
    Rule(
        "MD001",
        "warning",
        "Body has an H1 although the layout already renders the title as H1.",
        "structure",
    ),
    Rule("MD002", "warning", "Heading level skipped (e.g. H2 followed by H4).", "structure"),
    Rule("MD003", "warning", "Image has no alt text.", "structure"),
    Rule("MD004", "warning", "Link text is generic ('click here', 'read more').", "structure"),
    Rule(
        "MD005",
        "error",
        "Internal link reaches no page of the site (resolved as the generator does).",
        "structure",
    ),
    Rule("MD006", "warning", "Post has no outbound link to another site.", "structure"),
    Rule("MD007", "warning", "Body is shorter than 300 words (600 characters in Japanese).", "structure"),
    Rule(
        "MD008",
        "warning",
        "Image alt text is longer than 125 characters (validate.thresholds.alt_max_chars).",
        "structure",
    ),
    Rule("MD009", "warning", "Image alt text is the image's file name.", "structure"),
    Rule("MD010", "warning", "Raw HTML that Hugo leaves off the page (no goldmark `unsafe`).", "structure"),
    Rule(
        "READ001",
        "warning",
        "Whole-post Flesch–Kincaid grade above the target (grade_warning / grade_error; English).",
        "readability",
    ),
    Rule(
        "READ002",
        "warning",
        "Section Flesch–Kincaid grade above the target (reported at the section's first line; English).",
        "readability",
    ),
    Rule(
        "READ003",
        "warning",
        "Flesch Reading Ease (the language's variant) below the configured minimum.",
        "readability",
    ),
    Rule(
        "READ010",
        "warning",
        "More than 25 % of sentences are longer than the language's limit (20 words in English; 75 characters in "
        "Japanese).",
        "readability",
    ),
    Rule(
        "READ011", "warning", "Paragraph longer than 150 words (550 characters in Japanese).", "readability"
    ),
    Rule(
        "READ012",
        "warning",
        "Section between headings longer than 300 words (1,100 characters in Japanese).",
        "readability",
    ),
    Rule("READ013", "warning", "More than 10 % of sentences use the passive voice (English).", "readability"),
    Rule("READ014", "warning", "Three or more sentences in a row start with the same word.", "readability"),
    Rule(
        "READ015",
        "info",
        "Fewer than 30 % of sentences contain a transition word (English).",
        "readability",
    ),
    Rule(
        "READ020",
        "info",
        "Jargon with a plain-language alternative (validate.plain_language extends the list).",
        "readability",
    ),
    Rule(
        "LANG001",
        "warning",
        "Title is not in the post's language (e.g. an English title on a Bengali post).",
        "language",
    ),
    Rule("LANG002", "warning", "Description is not in the post's language.", "language"),
    Rule(
        "LANG003",
        "warning",
        "A run of paragraphs in the body is in another language (e.g. an English section left in a translation).",
        "language",
    ),
    Rule(
        "VALIDATE000",
        "error",
        "A validate rule crashed on this post; the other rules still ran (please report it).",
        "general",
    ),
)

# Translate (pipeline.translate.stage).
TRANSLATE: tuple[Rule, ...] = (
    Rule(
        "TRANSLATE001",
        "warning",
        "No machine translation engine (Argos package or Apertium pair) for a target language; it was skipped.",
        "translate",
    ),
    Rule(
        "TRANSLATE002",
        "warning",
        "Draft was edited by hand in a way that cannot be aligned; left untouched.",
        "translate",
    ),
    Rule(
        "TRANSLATE003",
        "error",
        "A post failed to translate; the error is recorded and the run went on.",
        "translate",
    ),
    Rule(
        "TRANSLATE004",
        "info",
        "Segments need review (QA warnings, or the engine lost inline markup and pieces were translated apart).",
        "translate",
    ),
    Rule(
        "TRANSLATE005",
        "error",
        "The model failed on a segment (e.g. a paragraph longer than it can read); the draft keeps the source "
        "text there for a translator, the rest of the post is translated, and the next run tries it again.",
        "translate",
    ),
)

# Translation QA (pipeline.translate.qa): a failing check puts the segment in needs-review. Approval is a gate: an
# error must be fixed, a warning fixed or dismissed with a reason, before the segment can be approved.
TRANSLATION_QA: tuple[Rule, ...] = (
    Rule("TQA001", "warning", "Numbers, units and doses equal the source's.", "translation-qa"),
    Rule("TQA002", "error", "URLs equal the source's.", "translation-qa"),
    Rule(
        "TQA003",
        "error",
        "Every inline-markup placeholder appears exactly once, none missing, extra or broken (never saved).",
        "translation-qa",
    ),
    Rule("TQA004", "error", "Markdown delimiters stay balanced.", "translation-qa"),
    Rule("TQA005", "warning", "Required glossary terms are used.", "translation-qa"),
    Rule("TQA006", "warning", "Target/source length ratio is not an outlier.", "translation-qa"),
    Rule("TQA007", "error", "Translation is not empty.", "translation-qa"),
    Rule(
        "TQA008",
        "error",
        "No raw HTML or javascript:/data:/vbscript: link the source does not have.",
        "translation-qa",
    ),
)

# Cards (pipeline.cards).
CARDS: tuple[Rule, ...] = (
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
        "CARD005",
        "error",
        "A font is not installed, or complex-script text without raqm/FriBiDi.",
        "cards",
    ),
    Rule("CARD006", "warning", "Hero is smaller than the card and is enlarged.", "cards"),
    Rule(
        "CARD007",
        "info",
        "Title contrast was under the layout's minimum; the scrim was darkened.",
        "cards",
    ),
    Rule(
        "CARD008",
        "warning",
        "Title does not fit at the minimum size and was cut with an ellipsis.",
        "cards",
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

# Social planning (pipeline.social.stage).
SOCIAL: tuple[Rule, ...] = (
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

# Build (pipeline.build).
BUILD: tuple[Rule, ...] = (
    Rule(
        "BUILD001",
        "error",
        "Permalink leaves the output folder (`..`, or a path outside the site); the page is not built.",
        "build",
    ),
    Rule(
        "BUILD002",
        "error",
        "Permalink lands on something the build already writes: the home page, robots.txt, sitemap.xml, a static file or folder, or another post's page; the page is not built.",
        "build",
    ),
    Rule(
        "BUILD003",
        "error",
        "Alias (old URL) cannot redirect: it is the home page, has `..`, names a file the build writes, is another page, or already redirects elsewhere.",
        "build",
    ),
    Rule(
        "BUILD004",
        "warning",
        "The page's card or hero image cannot be read (over Pillow's decompression-bomb pixel limit, or not an "
        "image); the page is built without the image's pixel size.",
        "build",
    ),
    Rule(
        "BUILD005",
        "warning",
        "The post's Markdown could not be parsed; its page shows the text as is.",
        "build",
    ),
)

# Crawl (pipeline.crawl).
CRAWL: tuple[Rule, ...] = (
    Rule("CRAWL001", "error", "Published page does not answer 200 (4xx, 5xx or connection error).", "status"),
    Rule("CRAWL002", "error", "Published URL redirects instead of answering 200 directly.", "redirects"),
    Rule("CRAWL003", "warning", "Redirect chain longer than one hop.", "redirects"),
    Rule("CRAWL004", "error", "Redirect loop, or more than 10 hops.", "redirects"),
    Rule(
        "CRAWL005",
        "error",
        "Old slug (aliases/redirect_from) does not answer one 301 to the permalink.",
        "redirects",
    ),
    Rule(
        "CRAWL006",
        "info",
        "Page could not be verified: bot wall or rate limit answered instead.",
        "status",
    ),
    Rule("CRAWL007", "error", "Response larger than crawl.max_response_bytes; download cut off.", "status"),
    Rule("CRAWL010", "error", "Canonical link missing, duplicated or not the permalink.", "head"),
    Rule("CRAWL011", "error", "<title> differs from the front-matter title plus the site suffix.", "head"),
    Rule("CRAWL012", "error", "Meta description differs from the front-matter description.", "head"),
    Rule("CRAWL013", "error", "og:title, og:description or og:url missing or different.", "social"),
    Rule("CRAWL014", "error", "og:image missing or not the front-matter image.", "social"),
    Rule("CRAWL015", "warning", "twitter:card or twitter:image missing or different.", "social"),
    Rule("CRAWL020", "error", "og:image does not answer 200.", "images"),
    Rule("CRAWL021", "error", "og:image is not served as image/*, or cannot be decoded.", "images"),
    Rule("CRAWL022", "warning", "og:image is larger than crawl.image_max_bytes.", "images"),
    Rule("CRAWL023", "error", "og:image:width/height missing or not the decoded dimensions.", "images"),
    Rule("CRAWL024", "warning", "og:image smaller than 1200×630.", "images"),
    Rule("CRAWL030", "error", "hreflang cluster lacks a self-reference.", "hreflang"),
    Rule("CRAWL031", "error", "hreflang missing a translation, or not reciprocal.", "hreflang"),
    Rule("CRAWL032", "error", "hreflang code is not a valid language code.", "hreflang"),
    Rule("CRAWL033", "warning", "hreflang x-default missing or not the default-language page.", "hreflang"),
    Rule("CRAWL034", "error", "hreflang target does not answer 200 directly.", "hreflang"),
    Rule("CRAWL040", "error", "<html lang> is not the post's language.", "language"),
    Rule("CRAWL041", "error", "<html dir> does not match the language's direction (rtl).", "language"),
    Rule("CRAWL042", "error", "Published post carries noindex (meta robots or X-Robots-Tag).", "indexing"),
    Rule("CRAWL050", "error", "Published page missing from the sitemap.", "indexing"),
    Rule("CRAWL051", "warning", "Sitemap lists a URL that is not a published page.", "indexing"),
    Rule("CRAWL052", "error", "sitemap.xml missing or unreadable.", "indexing"),
    Rule("CRAWL053", "error", "Published page is disallowed by robots.txt.", "indexing"),
    Rule("CRAWL054", "error", "Sitemap lists a draft or unapproved translation.", "indexing"),
    Rule(
        "CRAWL060",
        "info",
        "Server asked to slow down (429/503 with Retry-After); honoured and retried.",
        "status",
    ),
    Rule(
        "CRAWL061",
        "warning",
        "Page slower than crawl.slow_page_ms, and again when timed alone.",
        "performance",
    ),
    Rule("CRAWL062", "warning", "Mixed content: http:// sub-resource on an https page.", "security"),
    Rule("CRAWL070", "error", "Broken internal link.", "links"),
    Rule("CRAWL071", "warning", "Broken external link.", "links"),
    Rule("CRAWL072", "info", "Crawl stopped at crawl.max_pages; some pages were not checked.", "status"),
    Rule(
        "CRAWL073",
        "error",
        "Internal link leads into a redirect loop, or through more than 10 redirects, and never reaches a page.",
        "links",
    ),
    Rule(
        "CRAWL074",
        "warning",
        "External link leads into a redirect loop, or through more than 10 redirects, and never reaches a page.",
        "links",
    ),
    Rule(
        "CRAWL075",
        "warning",
        "External links could not be checked: no external host answered (no network, or outbound requests "
        "blocked); they are not reported as broken.",
        "links",
    ),
)


# (section title in docs/rules.md, stage, table) in the order the docs list them. `validate.disable` and
# `validate.severity` reach the stages marked True: the loader's findings are reported by validate.
STAGE_TABLES: tuple[tuple[str, str, tuple[Rule, ...], bool], ...] = (
    ("Content loading", "content", CONTENT, True),
    ("Validate", "validate", VALIDATE, True),
    ("Translate", "translate", TRANSLATE, False),
    ("Translation QA", "translate", TRANSLATION_QA, False),
    ("Cards", "cards", CARDS, False),
    ("Social", "social", SOCIAL, False),
    ("Build", "build", BUILD, False),
    ("Crawl", "crawl", CRAWL, False),
)

ALL: dict[str, Rule] = {rule.id: rule for _title, _stage, table, _v in STAGE_TABLES for rule in table}
STAGE_OF: dict[str, str] = {rule.id: stage for _title, stage, table, _v in STAGE_TABLES for rule in table}
VALIDATE_SETTABLE: dict[str, Rule] = {
    rule.id: rule for _title, _stage, table, settable in STAGE_TABLES if settable for rule in table
}


def by_id(*tables: tuple[Rule, ...]) -> dict[str, Rule]:
    """id → Rule over some tables (a report's rule docs, a stage's severities)."""
    return {rule.id: rule for table in tables for rule in table}
