"""The cards stage: plan every (post, language, kind) card, skip the fresh ones, render the rest in processes.

Gather first, then write: workers only compute and return encoded bytes; the parent writes each file atomically
and records it in the store. A card goes where the post names it (`ogImage`/`twitterImage`), else to
`cards.output_pattern` filled from the post's URL (`UrlModel.card_path`); build and social find it there
(`content.urls.card_image`), so no front matter is written. Problems are per card findings; one bad post never
stops the others.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Literal

from pipeline.cards import cache
from pipeline.cards.fonts import CardError
from pipeline.cards.layout import Layout, layout_dirs, load_layout
from pipeline.cards.render import CardOutcome, CardSpec, Kind, is_card, render_card, warm
from pipeline.compute import uses_ray
from pipeline.content import Post, UrlModel, display_path
from pipeline.content.assets import page_resource
from pipeline.findings import Finding
from pipeline.fsutil import UnsafePathError, atomic_write_bytes, safe_join
from pipeline.history import record_run
from pipeline.procs import process_pool
from pipeline.rules import ALL, CARDS, by_id
from pipeline.stages import Context, Stage, StageResult

KINDS: tuple[tuple[Kind, str], ...] = (("og", "ogImage"), ("twitter", "twitterImage"))
FORMATS: dict[str, Literal["jpeg", "png"]] = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}


@dataclass
class Planned:
    spec: CardSpec
    post: Post
    url_path: str


def _finding(
    rule: str, post: Post, message: str, key: str | None = None, severity: str | None = None
) -> Finding:
    sev = severity or ALL[rule].severity
    line = post.line_of(key) if key else post.line_of("title")
    return Finding(rule, sev, display_path(post.path), line, message, data={"lang": post.lang})  # type: ignore[arg-type]


def _select(ctx: Context, paths: Sequence[Path] | None, lang: str | None) -> list[Post]:
    allowed = {lang} if lang else set(ctx.config.cards.languages) or set(ctx.config.site.languages)
    # Only pages get cards: a post the generator writes no page for (Hugo `build.render: link`) has none to show.
    return [p for p in ctx.content.select(paths) if p.lang in allowed and p.renders and p.path_url]


_CARD_KEYS = ("layout", "focus")


def _card_settings(post: Post) -> tuple[str | None, tuple[float, float] | None]:
    raw = post.meta.get("card")
    if raw is None:
        return None, None
    if not isinstance(raw, dict):
        raise CardError("CARD013", "`card:` must be a mapping such as {layout: default, focus: [0.5, 0.3]}")
    # Themes use `card:` too (Docsy's section cards on kubernetes.io: {name, title, weight}): keys that are not
    # ours belong to them. Only a near miss of ours (`layuot:`) is a mistake worth stopping the card for.
    typos = {
        k: m[0] for k in raw if k not in _CARD_KEYS and (m := get_close_matches(str(k), _CARD_KEYS, 1, 0.75))
    }
    if typos:
        wrong = ", ".join(f"{k!r} (did you mean {v!r}?)" for k, v in sorted(typos.items(), key=str))
        raise CardError("CARD013", f"`card:` has unknown key(s) {wrong}; allowed: layout, focus")
    layout = raw.get("layout")
    if layout is not None and not isinstance(layout, str):
        raise CardError("CARD013", "`card.layout` must be a layout name (a file in templates/cards/)")
    focus = raw.get("focus")
    if focus is None:
        return layout, None
    if (
        not isinstance(focus, list)
        or len(focus) != 2
        or not all(isinstance(v, int | float) and 0 <= v <= 1 for v in focus)
    ):
        raise CardError("CARD013", "`card.focus` must be [x, y] with fractions of the image in 0..1")
    return layout, (float(focus[0]), float(focus[1]))


def _ours(out: Path, recorded: dict[str, int]) -> bool:
    """A card a cards run made: recorded here and not replaced since (same size), or carrying our marker.

    Paths from `cards.output_pattern` are the stage's own folder and skip this check, so cards rendered before
    the marker existed still re-render there with an empty store.
    """
    size = recorded.get(str(out))
    if size is not None and out.stat().st_size == size:
        return True
    return is_card(out)


def plan(ctx: Context, posts: list[Post]) -> tuple[list[Planned], list[Finding]]:
    config = ctx.config
    static = config.static_root
    dirs = layout_dirs(config.root, config.templates_root)
    layouts: dict[str, Layout] = {}
    planned: list[Planned] = []
    findings: list[Finding] = []
    seen_out: dict[Path, str] = {}
    recorded = cache.recorded_paths(ctx.store)
    urls = ctx.content.urls or UrlModel.from_config(config)
    for post in posts:
        site_name = config.site.name_for(post.lang)
        try:
            layout_name, focus = _card_settings(post)
            name = layout_name or config.cards.layout
            if name not in layouts:
                layouts[name] = load_layout(name, dirs, config.root)
            layout = layouts[name]
        except CardError as exc:
            findings.append(_finding(exc.rule, post, str(exc), "card"))
            continue
        hero: Path | None = None
        if post.image:
            if post.image.startswith(("http://", "https://", "//")):
                findings.append(
                    _finding(
                        "CARD003", post, f"hero {post.image} is remote; cards need a local file", "image"
                    )
                )
                continue
            try:
                hero = page_resource(post, post.image) or safe_join(static, post.image)
            except UnsafePathError as exc:
                findings.append(_finding("CARD001", post, f"hero image path is unsafe: {exc}", "image"))
                continue
            if not hero.is_file():
                findings.append(
                    _finding("CARD003", post, f"hero image {post.image} not found under {static}", "image")
                )
                continue
        else:
            findings.append(_finding("CARD012", post, "no `image:`; the card uses the layout background"))
        for kind, key in KINDS:
            named = post.meta.get(key)
            pattern_path = urls.card_path(post, kind, config.cards.output_pattern)
            url_path = named.strip() if isinstance(named, str) and named.strip() else pattern_path
            if url_path.startswith(("http://", "https://", "//")):
                findings.append(
                    _finding("CARD002", post, f"{key} {url_path} is remote; name a path under the site", key)
                )
                continue
            try:
                out = safe_join(static, url_path)
            except UnsafePathError as exc:
                findings.append(_finding("CARD002", post, f"{key} path is unsafe: {exc}", key))
                continue
            fmt = FORMATS.get(out.suffix.lower())
            if fmt is None:
                findings.append(
                    _finding("CARD009", post, f"{key} {url_path}: cards are .jpg (or .png)", key, "error")
                )
                continue
            if fmt == "png":
                findings.append(
                    _finding(
                        "CARD009",
                        post,
                        f"{key} names a .png; the card is written as PNG as named, but a .jpg is ~5× smaller",
                        key,
                    )
                )
            if out in seen_out:
                findings.append(
                    _finding(
                        "CARD014",
                        post,
                        f"{key} {url_path} is also the card of {seen_out[out]}; give each language its own "
                        "path (delete the key: the card then goes to cards.output_pattern, by the page's URL)",
                        key,
                    )
                )
                continue
            seen_out[out] = f"{post.rel} ({kind})"
            if url_path != pattern_path and out.exists() and not _ours(out, recorded):
                # A hand-made image, another post's hero, a library photo: the post chose it; keep it.
                findings.append(
                    _finding(
                        "CARD015",
                        post,
                        f"{key} {url_path} is an existing image that no cards run made; it is used as is and "
                        "never overwritten (remove the key, or the file, to get a rendered card)",
                        key,
                    )
                )
                continue
            spec = CardSpec(
                post_rel=post.rel,
                lang=post.lang,
                kind=kind,
                out=out,
                fmt=fmt,
                # An untitled home page shows the site's title, as the generator titles it (Post.shown_title).
                title=" ".join((post.title or (site_name if post.is_home else "")).split()),
                site=site_name,
                tag=post.tags[0] if post.tags else "",
                layout=layout,
                hero=hero,
                focus=focus,
                max_bytes=config.cards.max_bytes,
            )
            planned.append(Planned(spec, post, url_path))
    return planned, findings


def _workers(config_processes: int, jobs: int) -> int:
    wanted = config_processes or os.cpu_count() or 1
    return max(1, min(wanted, jobs))


def render_all(
    specs: list[CardSpec], processes: int, progress: Callable[[str, int, int], None] | None = None
) -> list[CardOutcome]:
    """Render in worker processes (fork on Linux: no re-import cost); in-process when one worker is enough."""
    outcomes: list[CardOutcome] = []
    if processes <= 1 or len(specs) <= 1:
        for spec in specs:
            outcomes.append(render_card(spec))
            if progress:
                progress("cards", len(outcomes), len(specs))
        return outcomes
    warm(specs)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with process_pool(processes, method) as pool:
        chunk = max(1, len(specs) // (processes * 4))
        for outcome in pool.map(render_card, specs, chunksize=chunk):
            outcomes.append(outcome)
            if progress:
                progress("cards", len(outcomes), len(specs))
    return outcomes


def _render_chunk(_shared: None, specs: list[CardSpec]) -> list[CardOutcome]:
    return [render_card(spec) for spec in specs]


def render_on_ray(ctx: Context, specs: list[CardSpec]) -> list[CardOutcome]:
    """The cards as Ray tasks, in runs of consecutive specs (one hero's cards stay together, as in the pool)."""
    from pipeline.compute.cluster import chunked, connect, slots
    from pipeline.compute.tasks import map_chunks

    if not specs:
        return []
    chunks = chunked(specs, slots(connect(ctx.config)) * 4)
    parts = map_chunks(
        ctx.config, _render_chunk, chunks, progress=lambda done, total: ctx.tick("cards", done, total)
    )
    return [outcome for part in parts for outcome in part]


def run_stage(
    ctx: Context, paths: Sequence[Path] | None = None, lang: str | None = None, force: bool = False
) -> StageResult:
    result = StageResult("cards")
    posts = _select(ctx, paths, lang)
    planned, findings = plan(ctx, posts)
    result.findings.extend(findings)
    store = ctx.store
    hero_digests: dict[Path | None, str] = {}
    todo: list[Planned] = []
    fresh: list[Planned] = []
    for item in planned:
        hero = item.spec.hero
        if hero not in hero_digests:
            hero_digests[hero] = cache.hero_digest(hero)
        try:
            item.spec = replace(item.spec, key=cache.cache_key(item.spec, hero_digests[hero]))
        except CardError as exc:
            result.findings.append(_finding(exc.rule, item.post, str(exc)))
            continue
        if not force and cache.is_fresh(store, item.spec):
            fresh.append(item)
        else:
            todo.append(item)
    # Cards from one hero (OG and X, every language version) side by side: each worker decodes and resizes a
    # hero once for the run of cards that follows (see crop.load_hero).
    todo.sort(key=lambda item: str(item.spec.hero or ""))
    if uses_ray(ctx.config):
        outcomes = render_on_ray(ctx, [p.spec for p in todo])
    else:
        workers = _workers(ctx.config.cards.processes, len(todo))
        outcomes = render_all([p.spec for p in todo], workers, ctx.progress)
    rendered = failed = 0
    for item, outcome in zip(todo, outcomes, strict=True):
        for rule, severity, message in outcome.notes:
            result.findings.append(
                _finding(rule, item.post, f"{item.spec.kind}: {message}", severity=severity)
            )
        if outcome.error is not None or outcome.data is None:
            rule, message = outcome.error or ("CARD010", "no output")
            result.findings.append(_finding(rule, item.post, f"{item.spec.kind} card: {message}"))
            failed += 1
            continue
        atomic_write_bytes(item.spec.out, outcome.data)
        cache.record(store, outcome, item.url_path, alt=item.spec.title)
        result.outputs.append(item.spec.out)
        rendered += 1
    result.counts = {
        "cards": len(planned),
        "rendered": rendered,
        "cached": len(fresh),
        "failed": failed,
    }
    if any(f.severity == "error" for f in result.findings) and rendered == 0 and not fresh and planned:
        result.status = "failed"
    if paths is None and lang is None:  # a whole-site run: the audit's history compares these
        record_run(ctx, "cards", result.findings, result.counts)
    return result


STAGE = Stage(
    "cards",
    run=run_stage,
    reads=("posts", "hero images", "layouts", "card cache"),
    writes=("card images", "card cache"),
    rules=by_id(CARDS),
    compute=True,
)
