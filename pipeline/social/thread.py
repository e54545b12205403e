"""A long text as a numbered thread, and the first comment: the parts one ledger item sends, in order.

A thread is split at sentence boundaries (pipeline.text's splitter, which keeps "Dr." and "2.5" whole), packed
greedily so each part carries as many whole sentences as fit, and numbered "1/3" on its own last line; the
numbering is part of the measured text, so every part fits the platform's exact limit. A sentence longer than a
part is cut at word boundaries (never inside a link, hashtag or grapheme; CJK between graphemes), as truncation
does. The first comment, when there is one, is the first reply: it follows the head post and is not numbered.

Parts are computed when the text is saved and stored on the item, so a crash between parts resumes with the same
parts even if this code changes in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.platforms import PLATFORMS
from pipeline.social import lengths
from pipeline.text import sentence_pairs


class ThreadError(ValueError):
    """The text cannot be sent as asked (too long for one post, or a piece no part can hold); says why."""


@dataclass(frozen=True)
class Parts:
    texts: list[str]
    comment_index: int | None = None  # which part is the first comment

    @property
    def is_thread(self) -> bool:
        return len(self.texts) - (self.comment_index is not None) > 1


def _pieces(text: str, lang: str) -> list[str]:
    """Sentences with their trailing separators (their concatenation is the text)."""
    return [s + sep for s, sep in sentence_pairs(text, lang)] or [text]


def _fits(platform: str, text: str, limit: int | None) -> bool:
    return lengths.fits(platform, text, limit)


def _cut(platform: str, piece: str, ok: Callable[[str], bool]) -> list[str]:
    """A sentence too long for one part, cut at allowed points into pieces that each fit."""
    out: list[str] = []
    rest = piece
    while rest.strip():
        if ok(rest.strip()):
            out.append(rest)
            break
        points = [p for p in lengths.cut_points(rest) if ok(rest[:p].strip())]
        if not points:
            raise ThreadError(
                f"'{rest.strip()[:40]}…' cannot be split to fit one post on {PLATFORMS[platform].label} "
                "(a link or word longer than a part)"
            )
        cut = points[-1]
        out.append(rest[:cut])
        rest = rest[cut:].lstrip()
    return out


def _pack(platform: str, pieces: list[str], limit: int | None, total_digits: int) -> list[str]:
    """Greedy packing of pieces into parts whose text plus the widest numbering fits."""
    widest = "\n" + "9" * total_digits + "/" + "9" * total_digits

    def ok(text: str) -> bool:
        return _fits(platform, text + widest, limit)

    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = current + piece
        if ok(candidate.strip()):
            current = candidate
            continue
        if current.strip():
            parts.append(current.strip())
        current = ""
        if ok(piece.strip()):
            current = piece
            continue
        chunks = _cut(platform, piece, ok)
        parts += [c.strip() for c in chunks[:-1]]
        current = chunks[-1]
    if current.strip():
        parts.append(current.strip())
    return parts


def split(
    platform: str,
    text: str,
    lang: str = "en",
    limit: int | None = None,
    thread: bool = False,
    first_comment: str = "",
) -> Parts:
    """The parts to send for one item: the text (or its thread when `thread` and it is too long), then the first
    comment as the first reply. Raises ThreadError saying what to change."""
    entry = PLATFORMS[platform]
    text = text.strip()
    comment = first_comment.strip()
    if comment and entry.replies == "none":
        raise ThreadError(f"{entry.label} has no replies or comments: leave the first comment empty")
    comment_limit = min(filter(None, (limit or entry.limit, entry.reply_limit)))
    if comment and not _fits(platform, comment, comment_limit):
        m = lengths.measure(platform, comment, comment_limit)
        raise ThreadError(f"the first comment is {m.length}/{m.limit} on {entry.label}; shorten it")
    if _fits(platform, text, limit):
        texts = [text]
    elif not thread or entry.replies != "thread":
        m = lengths.measure(platform, text, limit)
        extra = f" and {m.byte_length}/{m.byte_limit} bytes" if m.byte_limit else ""
        how = " or send it as a thread" if entry.replies == "thread" else ""
        raise ThreadError(f"text is {m.length}/{m.limit} on {entry.label}{extra}; shorten it{how}")
    else:
        pieces = _pieces(text, lang)
        digits = 1
        while True:
            body = _pack(platform, pieces, limit, digits)
            if len(str(len(body))) <= digits:
                break
            digits = len(str(len(body)))
        texts = [f"{part}\n{i}/{len(body)}" for i, part in enumerate(body, 1)]
    parts = Parts([texts[0], comment, *texts[1:]], comment_index=1) if comment else Parts(texts)
    if len(parts.texts) > entry.max_parts:
        raise ThreadError(
            f"that makes {len(parts.texts)} posts; {entry.label} threads here stop at {entry.max_parts}: shorten it"
        )
    return parts


def card_part(texts: list[str], link_url: str) -> int:
    """Which part carries the link card: the first that holds the link, else the head post."""
    if link_url:
        for i, text in enumerate(texts):
            if link_url in text:
                return i
    return 0
