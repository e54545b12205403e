"""The review workspace's view of a draft: each segment with what a translator needs beside it.

Built from one read of the store per page: the memory entries, every engine's output, fuzzy matches, history,
comments, dismissals and the user's autosaved text. QA is judged here, fresh, against today's glossary and the
dismissals on record, so what the page shows is what the approval gate will decide.

Markup is shown as placeholders in both columns: `tokens()` cuts a template into text, glossary terms and
placeholder chips (each carrying the markup it protects), so neither the translator nor the page ever handles
raw `**` or `](url)` for a segment's markup.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.translate.engines import label
from pipeline.translate.memory import Entry, MachineOutput
from pipeline.translate.notes import Comment, Event, Wip, text_hash
from pipeline.translate.qa import Issue, current_notes, describe
from pipeline.translate.segment import PLACEHOLDER_RE, Segment

STATES = ("machine", "needs-review", "approved")
_DIFF_TOKEN = re.compile(r"⟦\d+⟧|\s+|[^\s⟦]+|⟦")


@dataclass(frozen=True)
class Token:
    """A piece of a template as shown: `text`, a glossary `term` (with its required translation), or a
    placeholder `ph` number `n` standing for `raw` markup."""

    kind: str
    text: str
    n: int = 0
    raw: str = ""
    hint: str = ""

    @property
    def label(self) -> str:
        """The markup as a chip shows it: short, one line."""
        flat = " ".join(self.raw.split()) or ("↵" if self.raw else "?")
        return flat if len(flat) <= 18 else flat[:8] + "…" + flat[-8:]


def placeholder_kind(raw: str) -> str:
    """A word for what a placeholder protects (the chip's tooltip)."""
    s = raw.strip()
    if not s:
        return "line break"
    if s.startswith("`"):
        return "code"
    if s.startswith("[^"):
        return "footnote"
    if s.startswith("<") and s.endswith(">"):
        return "HTML" if not s.startswith(("<http", "<mailto")) else "link"
    if s.startswith(("](", "]")):
        return "link end"
    if s in ("[", "!["):
        return "link start" if s == "[" else "image"
    if s.startswith(("{{", "{%", "{<")):
        return "template tag"
    if s.startswith(("http://", "https://", "www.")) or "@" in s:
        return "address"
    if s.startswith("&") and s.endswith(";"):
        return "character"
    if s.startswith("\\") and len(s) == 2:
        return "escaped character"
    if set(s) <= set("*_~="):
        return {
            "*": "italic",
            "_": "italic",
            "**": "bold",
            "__": "bold",
            "***": "bold italic",
            "~~": "strike",
        }.get(s, "emphasis")
    if "\n" in raw:
        return "line break"
    return "kept as is"


def tokens(template: str, placeholders: Sequence[str], terms: Mapping[str, str] | None = None) -> list[Token]:
    out: list[Token] = []
    pos = 0
    for m in PLACEHOLDER_RE.finditer(template):
        if m.start() > pos:
            out.extend(_text_tokens(template[pos : m.start()], terms))
        n = int(m.group(1))
        raw = placeholders[n - 1] if 0 < n <= len(placeholders) else ""
        out.append(Token("ph", m.group(0), n, raw, placeholder_kind(raw) if raw else "unknown placeholder"))
        pos = m.end()
    if pos < len(template):
        out.extend(_text_tokens(template[pos:], terms))
    return out


def _text_tokens(text: str, terms: Mapping[str, str] | None) -> list[Token]:
    if not terms:
        return [Token("text", text)]
    alts = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True) if t.strip())
    if not alts:
        return [Token("text", text)]
    out: list[Token] = []
    pos = 0
    lowered = {t.lower(): r for t, r in terms.items()}
    for m in re.finditer(rf"(?<!\w)(?:{alts})(?!\w)", text, re.IGNORECASE):
        if m.start() > pos:
            out.append(Token("text", text[pos : m.start()]))
        out.append(Token("term", m.group(0), hint=lowered.get(m.group(0).lower(), "")))
        pos = m.end()
    if pos < len(text):
        out.append(Token("text", text[pos:]))
    return out


def diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff of two templates: (op, text) with op in equal | delete | insert."""
    a, b = _DIFF_TOKEN.findall(old), _DIFF_TOKEN.findall(new)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("insert", "".join(b[j1:j2])))
    return ops


@dataclass
class SegmentView:
    id: str
    kind: str
    source_template: str
    placeholders: list[str]
    target_template: str
    state: str
    origin: str
    engine: str | None = None
    confidence: float | None = None
    who: str | None = None
    issues: list[Issue] = field(default_factory=list)
    fuzzy: dict[str, Any] | None = None
    glossary_hints: list[tuple[str, str]] = field(default_factory=list)
    machine: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    history: list[Event] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    wip: Wip | None = None
    key: str = ""

    @property
    def segment(self) -> Segment:
        return Segment(self.id, self.source_template, self.placeholders, self.kind)

    @property
    def source(self) -> str:
        return self.segment.render()

    @property
    def target(self) -> str:
        return self.segment.render(self.target_template)

    @property
    def qa(self) -> list[str]:
        return [f"{i.rule}: {i.message}" for i in self.issues]

    @property
    def open_issues(self) -> list[Issue]:
        return [i for i in self.issues if i.open]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def can_approve(self) -> bool:
        return not self.open_issues

    @property
    def source_tokens(self) -> list[Token]:
        return tokens(self.source_template, self.placeholders, dict(self.glossary_hints))

    @property
    def target_tokens(self) -> list[Token]:
        return tokens(self.target_template, self.placeholders)

    @property
    def editor_text(self) -> str:
        """What the editor shows: the user's autosaved text when it differs from the saved one."""
        return self.wip.text if self.wip is not None else self.target_template

    @property
    def wip_conflict(self) -> bool:
        """Someone saved this segment after the user started typing their unsaved text."""
        return self.wip is not None and self.wip.base != self.target_template

    @property
    def engine_label(self) -> str:
        return label(self.engine)

    @property
    def editor_problems(self) -> list[str]:
        """Placeholder problems of the text in the editor (an autosaved text may have some)."""
        from pipeline.translate.qa import placeholder_problems

        return placeholder_problems(self.segment, self.editor_text)

    @property
    def fuzzy_diff(self) -> list[tuple[str, str]]:
        """The source the old translation was made for, against the source now."""
        return diff(str((self.fuzzy or {}).get("source", "")), self.source_template)

    @property
    def confidence_class(self) -> str:
        if self.confidence is None:
            return ""
        return "weak" if self.confidence < 0.5 else "fair" if self.confidence < 0.8 else "good"

    def render_tokens(self, template: str) -> list[Token]:
        return tokens(template, self.placeholders)


def judge(
    seg: Segment,
    entry: Entry,
    glossary: Mapping[str, str] | None,
    dismissed: Mapping[tuple[str, str], Mapping[str, object]],
) -> list[Issue]:
    """The QA issues that hold for the entry's text now, with the dismissals made for exactly this text."""
    notes = current_notes(seg, entry.target, entry.origin, entry.qa, glossary)
    digest = text_hash(entry.target)
    return [describe(n, dismissed.get((n.split(":", 1)[0], digest))) for n in notes]


def machine_rows(outputs: list[MachineOutput], seg: Segment) -> list[dict[str, Any]]:
    return [
        {
            "engine": o.engine,
            "label": label(o.engine),
            "model_id": o.model_id,
            "template": o.target,
            "confidence": o.confidence,
            "tokens": tokens(o.target, seg.placeholders),
        }
        for o in outputs
    ]


def memory_rows(found: list[dict[str, Any]], seg: Segment) -> list[dict[str, Any]]:
    """Fuzzy matches labelled by who wrote them, with their source diffed against this segment's source."""
    rows = []
    for sug in found:
        origin = "human" if sug.get("origin") == "human" else "machine"
        engine = label(sug.get("engine")) if origin == "machine" and sug.get("engine") else ""
        rows.append(
            {
                **sug,
                "label": f"memory · {origin}" + (f" ({engine})" if engine else ""),
                "template": sug["target"],
                "tokens": tokens(str(sug["target"]), seg.placeholders),
                "diff": diff(str(sug["source"]), seg.template),
            }
        )
    return rows


@dataclass(frozen=True)
class Filters:
    """What the segment list shows: by state, failing check, glossary hit, text, and in which order."""

    state: str = ""
    check: str = ""
    glossary: bool = False
    q: str = ""
    sort: str = ""  # "" document order | "confidence": weakest machine output first

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> Filters:
        state = args.get("state", "")
        sort = args.get("sort", "")
        return cls(
            state if state in STATES else "",
            args.get("check", "")[:32],
            args.get("glossary", "") in ("1", "on", "true"),
            args.get("q", "")[:200],
            sort if sort == "confidence" else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.state or self.check or self.glossary or self.q)

    def keep(self, v: SegmentView) -> bool:
        if self.state and v.state != self.state:
            return False
        if self.check and not any(i.rule == self.check and i.open for i in v.issues):
            return False
        if self.glossary and not v.glossary_hints:
            return False
        if self.q:
            needle = self.q.casefold()
            hay = (v.source + "\n" + v.target + "\n" + v.editor_text).casefold()
            if needle not in hay:
                return False
        return True

    def apply(self, views: list[SegmentView]) -> list[SegmentView]:
        shown = [v for v in views if self.keep(v)]
        if self.sort == "confidence":
            shown.sort(
                key=lambda v: (v.confidence is None, v.confidence if v.confidence is not None else 2.0)
            )
        return shown
