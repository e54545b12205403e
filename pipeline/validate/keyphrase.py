"""Focus keyphrase rules (Yoast's core assessments): where the phrase appears and how often."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from pipeline.content import Post
from pipeline.langtags import primary
from pipeline.text import words
from pipeline.validate.prose import analyse
from pipeline.validate.registry import Check, Env, Hit, registrar

CHECKS: list[Check] = []
rule = registrar(CHECKS, "keyphrase")


def keyphrase(post: Post, env: Env) -> str | None:
    """`keyphrase` in front matter, else, where the site says its first tag is the focus keyphrase
    (validate.keyphrase_from_tags; default language only: tags are slugs in that language), the first tag."""
    if post.keyphrase:
        return post.keyphrase.strip()
    if not env.config.validate_.keyphrase_from_tags or post.lang != env.config.site.default_language:
        return None
    return post.tags[0].replace("-", " ") if post.tags else None


def _norm(text: str) -> str:
    return " ".join(w.lower() for w in words(text.replace("-", " ")))


# Korean writes a particle onto the word before it, inside the same space-separated word (걷기가, 걷기는, 걷기를
# are 걷기 and a particle; ICU keeps them whole): there a phrase word is found at the start of a text word.
PARTICLE_LANGUAGES = frozenset({"ko"})


def _hits(text: str, phrase: str, lang: str) -> int:
    """How often the phrase occurs in `text` as whole words (or word starts, in PARTICLE_LANGUAGES)."""
    if primary(lang) not in PARTICLE_LANGUAGES:
        return f" {_norm(text)} ".count(f" {_norm(phrase)} ")
    want, have = _norm(phrase).split(), _norm(text).split()
    n = len(want)
    return (
        sum(all(have[i + k].startswith(want[k]) for k in range(n)) for i in range(len(have) - n + 1))
        if want
        else 0
    )


def _contains(text: str, phrase: str, lang: str = "") -> bool:
    return _hits(text, phrase, lang) > 0


@rule("KEY001")
def in_title(post: Post, env: Env) -> Iterator[Hit]:
    phrase = keyphrase(post, env)
    if phrase and post.title and not _contains(post.title, phrase, post.lang):
        yield Hit(post.line_of("title"), f"keyphrase '{phrase}' is not in the title", "title")


@rule("KEY002")
def in_description(post: Post, env: Env) -> Iterator[Hit]:
    phrase = keyphrase(post, env)
    if phrase and post.description and not _contains(post.description, phrase, post.lang):
        yield Hit(
            post.line_of("description"), f"keyphrase '{phrase}' is not in the description", "description"
        )


@rule("KEY003")
def in_intro(post: Post, env: Env) -> Iterator[Hit]:
    phrase = keyphrase(post, env)
    doc = analyse(post)
    first = next((u for u in doc.units if u.kind == "paragraph"), None)
    if phrase and first and not _contains(first.text, phrase, post.lang):
        yield Hit(first.line, f"keyphrase '{phrase}' is not in the first paragraph", "intro")


@rule("KEY004")
def in_headings(post: Post, env: Env) -> Iterator[Hit]:
    phrase = keyphrase(post, env)
    subs = [h for h in analyse(post).headings if h.level in (2, 3)]
    if phrase and subs:
        share = sum(_contains(h.text, phrase, post.lang) for h in subs) / len(subs)
        want = env.t(post.lang, "keyphrase_heading_share")
        if share < want:
            yield Hit(
                subs[0].line,
                f"keyphrase '{phrase}' is in {share:.0%} of H2/H3 headings (aim for {want:.0%})",
                "headings",
            )


@rule("KEY005")
def in_permalink(post: Post, env: Env) -> Iterator[Hit]:
    phrase = keyphrase(post, env)
    if phrase and post.path_url:
        # the URL's words as the phrase's are found (ICU): a Thai slug is one run of letters (การเดินทุกวัน), and a
        # Persian word keeps its ZWNJ (پیاده‌روی), where splitting at every non-letter found neither
        slug_words = set(_norm(regex.sub(r"[^\p{L}\p{M}\p{N}\u200c\u200d]+", " ", post.path_url)).split())
        missing = [w for w in _norm(phrase).split() if w not in slug_words and len(w) > 3]
        if missing:
            yield Hit(
                post.line_of("permalink"),
                f"URL {post.path_url} lacks keyphrase words: {', '.join(missing)}",
                "permalink",
            )


@rule("KEY006")
def density(post: Post, env: Env) -> Iterator[Hit]:
    phrase = keyphrase(post, env)
    if not phrase:
        return
    text = _norm(analyse(post).prose)
    total = len(text.split())
    if total < 100:
        return
    hits = _hits(analyse(post).prose, phrase, post.lang)
    pct = 100 * hits * len(phrase.split()) / total
    lo, hi = env.t(post.lang, "keyphrase_density_min"), env.t(post.lang, "keyphrase_density_max")
    if pct < lo:
        yield Hit(
            post.body_line,
            f"keyphrase '{phrase}' density is {pct:.2f}% ({hits} uses); aim for {lo}–{hi}%",
            "density",
        )
    elif pct > hi:
        yield Hit(
            post.body_line,
            f"keyphrase '{phrase}' density is {pct:.2f}% ({hits} uses); over {hi}% reads as stuffing",
            "density",
        )
