"""Loader throughput over every post in ../shared/corpora, against a naive loader measured in the same run.

The anchor is what a team writes first: a regex split, PyYAML `yaml.safe_load` (or `tomllib` for `+++` files),
and for the tokens line markdown-it's plain CommonMark parse. Ours also computes hashes, key lines, languages,
guards (aliases, nesting, binary, size) and the round-trip data, so a ratio near or above 1 means the safety is
paid for by libyaml. Prints `name value unit ratio-vs-anchor`; medians of 3 runs.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.content import ContentError, iter_markdown, load_post  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
RUNS = 3
TOKENS_STRIDE = 5
_FRONT = re.compile(r"\A(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)(.*)", re.S)


def corpus_files() -> list[tuple[Path, Path]]:
    """(file, corpus root) for every Markdown file in every corpus folder."""
    out: list[tuple[Path, Path]] = []
    for root in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        out.extend((path, root) for path in iter_markdown(root))
    return out


def ours(files: list[tuple[Path, Path]], tokens: bool) -> int:
    done = 0
    for path, root in files:
        try:
            post = load_post(path, root)
        except ContentError:
            continue
        if tokens:
            _ = post.tokens
        done += 1
    return done


def naive(files: list[tuple[Path, Path]], tokens: bool) -> int:
    import yaml
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    done = 0
    for path, _root in files:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        match = _FRONT.match(text)
        body = text
        if match:
            delim, front, body = match.groups()
            try:
                _ = tomllib.loads(front) if delim == "+++" else yaml.safe_load(front)
            except (yaml.YAMLError, tomllib.TOMLDecodeError):
                continue
        if tokens:
            md.parse(body)
        done += 1
    return done


def median_rate(
    fn: Callable[[list[tuple[Path, Path]], bool], int], files: list[tuple[Path, Path]], tokens: bool
) -> float:
    rates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        count = fn(files, tokens)
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> int:
    if not CORPORA.is_dir():
        print(f"# skipped: corpora not found at {CORPORA}")
        return 0
    try:
        import yaml  # noqa: F401
    except ImportError:
        print("# skipped: PyYAML (the anchor) is not installed; pip install -e '.[bench]'")
        return 0
    files = corpus_files()
    if not files:
        print(f"# skipped: no Markdown files under {CORPORA}")
        return 0
    print(f"# {len(files)} files under {CORPORA}, median of {RUNS} runs")
    ours(files, False)  # warm the page cache and imports for both sides
    naive(files, False)
    # markdown-it-py parses ~1 MB/s, so the tokens line uses every TOKENS_STRIDE-th file to stay near a minute.
    sample = files[::TOKENS_STRIDE]
    print(f"# tokens line: every {TOKENS_STRIDE}th file ({len(sample)} files)")
    for name, tokens, subset in (
        ("loader_posts_per_s", False, files),
        ("loader_tokens_posts_per_s", True, sample),
    ):
        mine = median_rate(ours, subset, tokens)
        anchor = median_rate(naive, subset, tokens)
        print(f"{name} {mine:.1f} posts/s {mine / anchor:.2f}")
        print(f"# {name} anchor {anchor:.1f} posts/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
