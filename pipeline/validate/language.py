"""Language rules: the title, description and body are in the post's declared language.

A Bengali post with an English title, or an English section left inside a Japanese translation, reads wrong to
every visitor and sends search engines mixed signals (hreflang says one language, the text another). No anchor
tool checks this: Yoast analyses in the language it is told and never looks.

What is judged (pipeline.langid does the identifying):
- the title and the description, once product names, identifiers and `translate.do_not_translate` terms are
  taken out, when enough letters are left (`langid_title_min_letters`, `langid_description_min_letters`);
- the body paragraph by paragraph (list items too; headings, table cells and code never), and a finding is a
  *run* of consecutive paragraphs in one other language holding at least `langid_run_min_letters` letters —
  one stray English sentence or quoted error message is not a finding, an untranslated section is.

A text mostly in the declared language's own script (`langid_own_script_share` of its letters) is in that
language whatever English identifiers it holds: translated technical pages are full of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline import langid
from pipeline.content import Post
from pipeline.validate.prose import analyse
from pipeline.validate.registry import Check, Env, Hit, registrar

CHECKS: list[Check] = []
rule = registrar(CHECKS, "language")
_BODY_KINDS = frozenset({"paragraph", "item"})
ENGLISH_SHARE = 0.2  # see langid.ENGLISH_FUNCTION_WORDS
# Hugo shortcodes are markup, not prose; a `comment` shortcode's content is never rendered at all.
_SHORTCODE = re.compile(
    r"\{\{[<%]\s*comment\s*[%>]\}\}.*?(?:\{\{[<%]\s*/comment\s*[%>]\}\}|\Z)|\{\{[<%].*?[%>]\}\}", re.DOTALL
)


def identifier(env: Env) -> langid.Identifier:
    """One identifier per run, over the site's languages plus English."""
    got = env.memo.get("langid")
    if not isinstance(got, langid.Identifier):
        got = env.memo["langid"] = langid.Identifier([*env.config.site.languages, "en"])
    return got


def prewarm(env: Env, checks: Sequence[Check]) -> None:
    """Load the model before the validate pool forks (0.6 s once, instead of once per worker)."""
    if any(c.rule.id.startswith("LANG") for c in checks) and len(identifier(env).candidates) > 1:
        identifier(env).prewarm()
        langid.prose_letters("X")  # builds the upper-case class once


def _names(env: Env) -> list[str]:
    return list(env.config.translate.do_not_translate)


@dataclass
class Verdict:
    lang: str  # the language the text reads as (base code)
    confidence: float
    letters: int


def judge(text: str, lang: str, env: Env, min_letters: int, prose: bool = False) -> Verdict | None:
    """The language `text` reads as (its base code; `lang`'s own when it is in it), or None when it is too short
    or the identifier is not sure. `prose`: count only letters outside capitalised words towards `min_letters`,
    so a line of names and talk titles is not judged as a sentence."""
    declared = langid.base(lang)
    if declared == "en" and langid.english_share(text) >= ENGLISH_SHARE:
        return Verdict("en", 1.0, langid.letters(text))
    stripped = langid.strip_names(text, _names(env))
    total = langid.letters(stripped)
    if (langid.prose_letters(stripped) if prose else total) < min_letters:
        return None
    own = langid.own_script_letters(stripped, declared)
    if own is not None and own >= env.t(lang, "langid_own_script_share") * total:
        return Verdict(declared, 1.0, total)
    guess = identifier(env).identify(stripped, declared, env.t(lang, "langid_declared_prior"))
    if guess is None or guess.confidence < env.t(lang, "langid_min_confidence"):
        return None
    return Verdict(guess.lang, guess.confidence, total)


def checked(lang: str, env: Env) -> bool:
    """The language can be told apart from another candidate: a site with one language (plus English, its own)
    has nothing to compare with, and a language the model does not know cannot be checked."""
    ident = identifier(env)
    return len(ident.candidates) > 1 and langid.base(lang) in ident.candidates


def foreign(text: str, lang: str, env: Env, min_letters: int) -> Verdict | None:
    """judge() when the text is confidently in another language than `lang`, else None."""
    if not checked(lang, env):
        return None
    verdict = judge(text, lang, env, min_letters)
    return verdict if verdict is not None and verdict.lang != langid.base(lang) else None


def _message(what: str, verdict: Verdict, lang: str) -> str:
    return (
        f"{what} reads as {langid.name(verdict.lang)}, not {langid.name(lang)} "
        f"(language identifier confidence {verdict.confidence:.2f}); translate it"
    )


@rule("LANG001")
def title_language(post: Post, env: Env) -> Iterator[Hit]:
    if post.title:
        verdict = foreign(post.title, post.lang, env, env.t(post.lang, "langid_title_min_letters"))
        if verdict is not None:
            yield Hit(
                post.line_of("title"),
                _message("title", verdict, post.lang),
                "title",
                data={"detected": verdict.lang, "confidence": round(verdict.confidence, 3)},
            )


@rule("LANG002")
def description_language(post: Post, env: Env) -> Iterator[Hit]:
    if post.description:
        min_letters = env.t(post.lang, "langid_description_min_letters")
        verdict = foreign(post.description, post.lang, env, min_letters)
        if verdict is not None:
            yield Hit(
                post.line_of("description"),
                _message("description", verdict, post.lang),
                "description",
                data={"detected": verdict.lang, "confidence": round(verdict.confidence, 3)},
            )


@dataclass
class _Run:
    lang: str
    first_line: int
    last_line: int
    start: str
    paragraphs: int = 0
    letters: int = 0
    confidence: float = 1.0


@rule("LANG003")
def body_language(post: Post, env: Env) -> Iterator[Hit]:
    declared = langid.base(post.lang)
    if not checked(post.lang, env):
        return
    min_letters = env.t(post.lang, "langid_paragraph_min_letters")
    run_min = env.t(post.lang, "langid_run_min_letters")
    runs: list[_Run] = []
    current: _Run | None = None
    doc = analyse(post)
    # Link text names its target, in the target's language: an English talk or article title cited in a
    # Japanese post is not untranslated prose.
    link_texts: dict[int, list[str]] = {}
    for link in doc.links:
        if link.text.strip():
            link_texts.setdefault(link.line, []).append(link.text)
    for section in doc.sections:
        current = None  # a run does not continue across a heading
        for unit in section.units:
            if unit.kind not in _BODY_KINDS:
                continue
            body = _SHORTCODE.sub(" ", unit.text)
            for text in sorted(link_texts.get(unit.line, ()), key=len, reverse=True):
                body = body.replace(text, " ")
            verdict = judge(body, post.lang, env, min_letters, prose=True)
            if verdict is None:  # too short or unsure: neither starts nor breaks a run
                continue
            if verdict.lang == declared:
                current = None
                continue
            if current is None or current.lang != verdict.lang:
                current = _Run(verdict.lang, unit.line, unit.line, unit.text[:40])
                runs.append(current)
            current.last_line = unit.line
            current.paragraphs += 1
            current.letters += verdict.letters
            current.confidence = min(current.confidence, verdict.confidence)
    for run in runs:
        if run.letters >= run_min:
            where = (
                f"line {run.first_line}"
                if run.first_line == run.last_line
                else f"lines {run.first_line}–{run.last_line}"
            )
            one = run.paragraphs == 1
            count, verb, them = (
                ("1 paragraph", "reads", "it") if one else (f"{run.paragraphs} paragraphs", "read", "them")
            )
            yield Hit(
                run.first_line,
                f"{count} ({where}, {run.letters} letters) {verb} as {langid.name(run.lang)}, not "
                f"{langid.name(post.lang)} (language identifier confidence ≥ {run.confidence:.2f}); translate {them}",
                f"body:{run.lang}:{run.start}",
                data={"detected": run.lang, "letters": run.letters, "paragraphs": run.paragraphs},
            )
