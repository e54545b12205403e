"""Offline language identification: which language a title, description or paragraph is written in.

py3langid (a maintained fork of langid.py) ships its naive-Bayes model inside the wheel (`data/model.npz.xz`,
4.6 MB) and reads nothing else: no download, no network. Its web-server mode is the only code that opens a URL,
and we never call it. The model knows 140 languages (ISO 639-1 codes and some ISO 639-3 ones).

Two things keep false alarms down on real multilingual sites, where translated pages are full of English
product names and identifiers:

- Script first. A Japanese, Bengali or Arabic text that is mostly in its own script is in its language whatever
  Latin words it holds; the identifier is asked only when the declared script is (nearly) absent, or when the
  declared language shares the Latin script with the candidates.
- Candidates are the site's own languages (plus English, the usual leftover), not all 97: Spanish text is not
  "Galician" or "Aragonese" on a site that publishes neither.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.langtags import primary

# Letters of each script, for the languages whose script is not Latin. A language not listed is written in
# Latin script. Serbian is written in both; it is left out so neither script is taken as a sign.
SCRIPTS: dict[str, str] = {
    **dict.fromkeys("ar fa ur ps ug sd ku ckb".split(), "Arabic"),
    **dict.fromkeys("ru uk be bg mk kk ky mn tg tt ba".split(), "Cyrillic"),
    **dict.fromkeys("hi mr ne sa".split(), "Devanagari"),
    "bn": "Bengali",
    "as": "Bengali",
    "pa": "Gurmukhi",
    "gu": "Gujarati",
    "or": "Oriya",
    "ta": "Tamil",
    "te": "Telugu",
    "kn": "Kannada",
    "ml": "Malayalam",
    "si": "Sinhala",
    "th": "Thai",
    "lo": "Lao",
    "km": "Khmer",
    "my": "Myanmar",
    "bo": "Tibetan",
    "dz": "Tibetan",
    "ka": "Georgian",
    "hy": "Armenian",
    "el": "Greek",
    "he": "Hebrew",
    "yi": "Hebrew",
    "am": "Ethiopic",
    "ti": "Ethiopic",
    "ja": "Han Hiragana Katakana",
    "zh": "Han",
    "yue": "Han",
    "ko": "Hangul Han",
}
NAMES: dict[str, str] = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "pl": "Polish", "ro": "Romanian", "uk": "Ukrainian", "ru": "Russian", "ja": "Japanese",
    "zh": "Chinese", "ko": "Korean", "bn": "Bengali", "hi": "Hindi", "ar": "Arabic", "fa": "Persian",
    "ur": "Urdu", "ta": "Tamil", "th": "Thai", "vi": "Vietnamese", "el": "Greek", "hy": "Armenian",
    "am": "Amharic", "km": "Khmer", "lo": "Lao", "my": "Burmese", "tr": "Turkish", "id": "Indonesian",
    "he": "Hebrew", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "cs": "Czech",
    "hu": "Hungarian", "ca": "Catalan",
}  # fmt: skip

# Tokens that are names rather than words of a language: CamelCase (OpenTelemetry), ALLCAPS (SDK, API), and
# anything holding a digit, underscore, @ or #, or a dot, slash or colon between word characters (v1.2,
# otel_sdk, k8s.io, @scope, #channel, app/config); a sentence's final dot does not make its last word a name.
# Anchored at token starts, each alternative a look-ahead over one token: 5× faster than scanning from every
# position.
_NAMEY = re.compile(r"(?<!\S)(?:(?=\S*[0-9_@#])|(?=\S*\w[./:]\w)|(?=\W*[^\W\d_]+[A-Z])|(?=\W*[A-Z]{2}))\S+")
_NOT_LETTER = re.compile(r"[\W\d_]+")


def base(lang: str) -> str:
    return primary(lang)


def name(lang: str) -> str:
    return NAMES.get(base(lang), lang)


@lru_cache(maxsize=64)
def _script_pattern(scripts: str) -> Any:
    import regex

    return regex.compile("[" + "".join(rf"\p{{sc={s}}}" for s in scripts.split()) + "]")


def letters(text: str) -> int:
    """Letters (alphabetic characters; marks and digits are not letters)."""
    return len(_NOT_LETTER.sub("", text))


@lru_cache(maxsize=1)
def _capitalised() -> re.Pattern[str]:
    """Words starting with an upper-case letter of any cased script (a `re` class built once from str.isupper:
    `re` is several times faster here than `regex` with \\p{Lu})."""
    upper = [c for c in map(chr, range(0x10000)) if c.isupper()]
    ranges: list[str] = []
    for c in upper:
        if ranges and ord(c) == ord(ranges[-1][-1]) + 1:
            ranges[-1] = ranges[-1][0] + c
        else:
            ranges.append(c)
    body = "".join(
        re.escape(r[0]) if len(r) == 1 else f"{re.escape(r[0])}-{re.escape(r[-1])}" for r in ranges
    )
    return re.compile(rf"(?<!\w)[{body}]\w*")


def prose_letters(text: str) -> int:
    """Letters outside capitalised words: a list of names ("Reese Lee (New Relic)") has almost none, a sentence
    in any language has plenty (German capitalises its nouns, but its verbs, articles and particles are
    lower case)."""
    return letters(_capitalised().sub(" ", text))


def own_script_letters(text: str, lang: str) -> int | None:
    """Letters of `lang`'s own script in `text`; None when the language is written in Latin script."""
    scripts = SCRIPTS.get(base(lang))
    if scripts is None:
        return None
    return len(_script_pattern(scripts).findall(text))


def strip_names(text: str, names: Iterable[str] = ()) -> str:
    """`text` without product names, identifiers and the site's do-not-translate terms."""
    for term in sorted(names, key=len, reverse=True):
        if term and term.lower() in text.lower():
            text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return _NAMEY.sub(" ", text)


# The model's labels, written out so that knowing them does not cost loading the model (0.6 s);
# tests/test_langid.py checks them against the model.
LABELS: frozenset[str] = frozenset(
    """
    af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha he hi hr ht hu hy id
    ig is it ja jv ka kk km kn ko ku ky la lg ln lo lt lv mg mk ml mn mr ms my ne nl no om or pa pl ps pt qu ro ru
    sa si sk sl so sq sr sv sw ta te th tl tr ug uk ur uz vi xh yo zh zu zxx ace bcl dz ext gcf gom grc gug hbo
    kik nso pcm rw se sn st an ary crh fo fuv gcr guw kab lb lij ltg uzs wa sdh arz ba mt nn oc tg tk tt vec vo wuu
    yue
    """.split()
)


IDENTIFY_CHARS = 400  # identification settles within a few hundred characters; the model walks every byte

# English function words. In running English they are 35-50 % of the words; in other languages' prose almost
# none. On opentelemetry.io, every paragraph of an English page with at least 20 % of them was identified as
# English (12,034 of 12,034), and every English paragraph left in a translation had more than 20 %: such a
# paragraph on an English page skips the identifier (0.2 ms a paragraph).
ENGLISH_FUNCTION_WORDS = frozenset(
    """
    the of and to a in is that for it as with on be are this by or from at an not you your can we our will if
    which has have they their more was were but all its
    """.split()
)
_TOKEN = re.compile(r"[^\W\d_]+")


def english_share(text: str) -> float:
    """The share of `text`'s words that are English function words."""
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if t in ENGLISH_FUNCTION_WORDS) / len(tokens)


@dataclass(frozen=True)
class Guess:
    lang: str
    confidence: float


class Identifier:
    """py3langid restricted to a set of candidate languages, with probabilities that sum to 1."""

    _lock = threading.Lock()

    def __init__(self, candidates: Iterable[str]) -> None:
        self.candidates = tuple(sorted({base(c) for c in candidates} & LABELS))
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _model_for(self.candidates)
        return self._model

    def prewarm(self) -> None:
        self._load()

    def identify(self, text: str, prior: str = "", weight: float = 1.0) -> Guess | None:
        """The most likely candidate language of `text`, or None when there is nothing to choose between.

        `prior` is `weight` times as likely as any other candidate before the text is read: the post's declared
        language, which its front matter vouches for. Short Spanish text can score 0.94 Romanian on its own.
        """
        if len(self.candidates) < 2:
            return None
        ranked = self._load().rank(text[:IDENTIFY_CHARS])
        if prior and weight != 1.0:
            ranked = [(lang, p * weight if lang == prior else p) for lang, p in ranked]
        total = sum(p for _, p in ranked) or 1.0
        lang, p = max(ranked, key=lambda pair: pair[1])
        return Guess(lang, float(p / total))


def labels() -> frozenset[str]:
    return LABELS


@lru_cache(maxsize=1)
def _base_model() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _model_for(candidates: tuple[str, ...]) -> Any:
    """A copy of the model restricted to `candidates` (restricting slices the tables; the full model stays)."""
    import copy

    model = copy.copy(_base_model())
    model.set_languages(list(candidates))
    return model
