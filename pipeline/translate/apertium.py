"""Apertium, the rule-based offline engine (Debian's `apertium` + a language pair such as `apertium-eng-spa`).

We call the `apertium` command, never a wrapper library: one process per batch, because its start-up (about
0.3 s: a shell pipeline of a dozen finite-state tools loading their data) costs more than translating a whole
post. Every segment of the batch becomes one `<div>` of an HTML document run through `apertium -f html`, whose
format handling passes tags through untouched: our placeholders travel as `<ph id="n"/>` and come back
byte-exact (checked on every segment; a segment that loses one is translated again piece by piece). Code never
gets here: fenced and inline code are literal parts or placeholders before any engine sees the text.

Confidence: Apertium is run without `-u`, so it marks every word it does not know with `*` (and a failed
bilingual lookup with `@`, a failed generation with `#`). The share of words *not* marked is the confidence:
a sentence full of unknown words (drug names, jargon) is one a translator must read first. Literal `*`, `@`
and `#` in the prose are sent as tags too, so every mark in the output is one of Apertium's.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections.abc import Sequence

from pipeline.procs import ToolError, run_tool
from pipeline.text import words
from pipeline.translate import apertium_markup
from pipeline.translate.machine import EngineOutput, glue_like_source, placeholders_exact
from pipeline.translate.segment import PLACEHOLDER_RE, Segment

COMMAND_ENV = (
    "PIPELINE_APERTIUM"  # another `apertium` command (a different install); default: the one on PATH
)
# ISO 639-1 codes (the site's languages) → the ISO 639-3 names newer Apertium pairs use (`eng-spa`).
ISO3 = {
    "af": "afr", "an": "arg", "ar": "ara", "be": "bel", "bg": "bul", "br": "bre", "bs": "bos", "ca": "cat",
    "cs": "ces", "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng", "eo": "epo", "es": "spa",
    "et": "est", "eu": "eus", "fi": "fin", "fr": "fra", "ga": "gle", "gd": "gla", "gl": "glg", "he": "heb",
    "hi": "hin", "hr": "hrv", "hu": "hun", "is": "isl", "it": "ita", "kk": "kaz", "ky": "kir", "lt": "lit",
    "lv": "lav", "mk": "mkd", "mt": "mlt", "nb": "nob", "nl": "nld", "nn": "nno", "no": "nob", "oc": "oci",
    "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "se": "sme", "sk": "slk", "sl": "slv", "sq": "sqi",
    "sr": "srp", "sv": "swe", "tr": "tur", "tt": "tat", "uk": "ukr", "ur": "urd", "uz": "uzb",
}  # fmt: skip
_DIV = re.compile(r'<div id="s(\d+)">(.*?)</div>', re.S)
_PH_TAG = re.compile(r'<ph id="(\d+)"\s*/>')
_LIT_TAG = re.compile(r'<lit n="(\d+)"\s*/>')
_LITERALS = re.compile(r"[*@#\n\t]")
_MARK = re.compile(r"(?<!\w)[*@#](?=\w)")
_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")


def command() -> str:
    return os.environ.get(COMMAND_ENV) or "apertium"


@functools.cache
def _modes(cmd: str) -> tuple[str, ...] | str:
    """The translation directions installed (`apertium -l`), or why there are none."""
    path = shutil.which(cmd)
    if path is None:
        return "Apertium is not installed (`apt-get install apertium apertium-eng-spa`, or another pair)"
    try:
        out = run_tool([path, "-l"], b"", timeout=30)
    except ToolError as exc:
        return str(exc)
    return tuple(line.strip() for line in out.decode("utf-8", "replace").splitlines() if line.strip())


def _names(lang: str) -> list[str]:
    base = re.split(r"[-_]", lang)[0].lower()
    return list(dict.fromkeys([lang, base, ISO3.get(base, base)]))


def find_mode(src: str, tgt: str, option: str = "") -> tuple[str, str]:
    """(mode, "") for src→tgt, or ("", why not). `option` names the mode outright (`apertium:eng-spa`)."""
    modes = _modes(command())
    if isinstance(modes, str):
        return "", modes
    if option:
        return (option, "") if option in modes else ("", f"Apertium has no mode '{option}' (installed: "
                                                          f"{', '.join(modes) or 'none'})")  # fmt: skip
    for a in _names(src):
        for b in _names(tgt):
            if f"{a}-{b}" in modes:
                return f"{a}-{b}", ""
    pkg = f"apertium-{ISO3.get(src, src)}-{ISO3.get(tgt, tgt)}"
    return "", f"no Apertium pair for {src}→{tgt} (Debian: `apt-get install {pkg}` where it exists)"


def clear_cache() -> None:
    _modes.cache_clear()
    transfuse.cache_clear()


@functools.cache
def transfuse() -> bool:
    """Whether `apertium -f html` runs through Transfuse (see pipeline.translate.apertium_markup): the
    `apertium` script uses it when `tf-extract` is on PATH, unless APERTIUM_TRANSFUSE says no."""
    if os.environ.get("APERTIUM_TRANSFUSE", "").lower() in ("0", "no"):
        return False
    return shutil.which("tf-extract") is not None


def _encode(template: str, literals: list[str]) -> str:
    def lit(m: re.Match[str]) -> str:
        literals.append(m.group(0))
        return f'<lit n="{len(literals) - 1}"/>'

    text = template.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _LITERALS.sub(lit, text)
    return PLACEHOLDER_RE.sub(lambda m: f'<ph id="{m.group(1)}"/>', text)


def _decode(html: str, literals: list[str], pair: apertium_markup.Pairs | None = None) -> tuple[str, float]:
    """The template back from Apertium's HTML, and the share of its words Apertium knew. `pair`: the
    segment's paired placeholders when it went through Transfuse (apertium_markup); a result whose pairs
    cannot be put back comes back without placeholders, so the caller translates it piece by piece."""
    unknown = len(_MARK.findall(html))
    html = _MARK.sub("", html)
    if pair is not None:
        got = apertium_markup.decode(html, pair)
        if got is None:
            return "", 0.0
        text = apertium_markup.literals_back(got, literals)
    else:
        text = _PH_TAG.sub(lambda m: f"⟦{m.group(1)}⟧", html)
        text = _LIT_TAG.sub(
            lambda m: literals[int(m.group(1))] if int(m.group(1)) < len(literals) else "", text
        )
    text = _SPACES.sub(" ", text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    total = len(words(PLACEHOLDER_RE.sub(" ", text)))
    return text.strip(), (1.0 - min(unknown, total) / total) if total else 1.0


class ApertiumEngine:
    """One Apertium translation direction (`eng-spa`); see the module docstring."""

    name = "apertium"

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.calls = 0  # segments sent
        self.runs = 0  # processes started

    @property
    def model_id(self) -> str:
        return f"apertium:{self.mode}"

    def _translate(
        self, templates: Sequence[str], placeholders: Sequence[Sequence[str]] = ()
    ) -> tuple[list[str], list[float]] | str:
        """All templates in one `apertium` process; the error text when it fails. `placeholders`: each
        template's placeholder texts (its pairs travel as elements through Transfuse)."""
        literals: list[list[str]] = [[] for _ in templates]
        pairs: list[apertium_markup.Pairs | None] = [None] * len(templates)
        encoded: list[str] = []
        for i, template in enumerate(templates):
            if transfuse():
                pair = apertium_markup.pairs(placeholders[i] if i < len(placeholders) else ())
                text = apertium_markup.encode(template, pair, literals[i])
                if text is not None:
                    pairs[i] = pair
                    encoded.append(text)
                    continue
                literals[i] = []
            encoded.append(_encode(template, literals[i]))
        doc = "".join(f'<div id="s{i}">{e}</div>\n' for i, e in enumerate(encoded))
        data = doc.encode("utf-8")
        self.runs += 1
        try:
            out = run_tool([command(), "-f", "html", self.mode], data, timeout=60 + len(data) / 20_000)
        except ToolError as exc:
            return str(exc)
        found = {int(m.group(1)): m.group(2) for m in _DIV.finditer(out.decode("utf-8", "replace"))}
        texts: list[str] = []
        scores: list[float] = []
        for i, template in enumerate(templates):
            if i not in found:
                texts.append(template)
                scores.append(-1.0)  # lost in Apertium's output
                continue
            text, score = _decode(found[i], literals[i], pairs[i])
            texts.append(text)
            scores.append(score)
        return texts, scores

    def translate_batch(self, segments: Sequence[Segment]) -> EngineOutput:
        templates = [s.template for s in segments]
        self.calls += len(templates)
        result = EngineOutput(list(templates), [None] * len(templates))
        if not templates:
            return result
        got = self._translate(templates, [s.placeholders for s in segments])
        if isinstance(got, str):
            result.errors = dict.fromkeys(range(len(templates)), got)
            return result
        texts, scores = got
        redo: list[int] = []
        for i, (text, score) in enumerate(zip(texts, scores, strict=True)):
            if score < 0:
                result.errors[i] = "Apertium's output lost this segment"
            elif placeholders_exact(text, len(segments[i].placeholders)):
                result.texts[i], result.confidences[i] = (
                    glue_like_source(templates[i], text, self.mode.split("-")[-1]),
                    score,
                )
            else:
                redo.append(i)
        if redo:
            self._pieces(segments, redo, result)
        return result

    def _pieces(self, segments: Sequence[Segment], redo: list[int], result: EngineOutput) -> None:
        """Segments whose placeholders did not survive: the text between them, translated on its own."""
        chunks = [PLACEHOLDER_RE.split(segments[i].template) for i in redo]
        texts = [c.strip() for chunk in chunks for c in chunk[::2] if c.strip()]
        got = self._translate(texts)
        if isinstance(got, str):
            for i in redo:
                result.errors[i] = got
            return
        done = iter(zip(*got, strict=True))
        for i, chunk in zip(redo, chunks, strict=True):
            out: list[str] = []
            known: list[float] = []
            for j, c in enumerate(chunk):
                if j % 2:
                    out.append(f"⟦{c}⟧")
                elif c.strip():
                    text, score = next(done)
                    known.append(max(score, 0.0))
                    out.append(c[: len(c) - len(c.lstrip())] + text + c[len(c.rstrip()) :])
                else:
                    out.append(c)
            result.texts[i] = "".join(out)
            result.confidences[i] = min(known) if known else None
            result.fallbacks.add(i)
