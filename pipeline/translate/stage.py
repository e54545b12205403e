"""`run_stage`: translate source posts into draft files, memory first, model only for what is new.

Per target language: cut every source post into segments, import hand edits found in existing drafts, look
every segment up in the memory, send only the missing ones through each engine of the pair in one batched pass
(pipeline.translate.engines: the first available engine writes the draft, the others leave suggestions), QA
them, store them with their confidence, then render and atomically write the drafts. An unchanged re-run makes
zero model calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.compute import uses_ray
from pipeline.content import Post, display_path
from pipeline.findings import Finding
from pipeline.fsutil import atomic_write_text
from pipeline.history import record_run
from pipeline.rules import TRANSLATE, TRANSLATION_QA, by_id
from pipeline.stages import Context, Stage, StageResult, StageSkipped
from pipeline.translate import drafts as d
from pipeline.translate.engine import EngineSettings
from pipeline.translate.engines import engines_for
from pipeline.translate.machine import EngineOutput, MachineEngine
from pipeline.translate.memory import (
    Entry,
    MachineOutput,
    Memory,
    key_of,
    load_draft_record,
    save_draft_record,
)
from pipeline.translate.qa import run_qa
from pipeline.translate.segment import Segment

MODEL_ERROR = "TRANSLATE005"  # prefix of the QA note on a segment the model failed on
FALLBACK = "TRANSLATE004"  # prefix of the QA note on a segment whose markup the engine lost


def missing_engine_message(src: str, tgt: str, reasons: Sequence[str]) -> str:
    return f"no translation engine for {src}→{tgt}: {'; '.join(reasons) or 'none configured'}"


def settings_of(ctx: Context) -> EngineSettings:
    tc = ctx.config.translate
    return EngineSettings(beam_size=tc.beam_size, threads=tc.threads, max_batch_tokens=tc.max_batch_tokens)


def source_posts(ctx: Context, paths: Sequence[Path] | None = None) -> list[Post]:
    """Posts in the default language that are not themselves translations, optionally limited to paths."""
    default = ctx.config.site.default_language
    return [p for p in ctx.content.select(paths) if p.lang == default and not p.is_translation]


def run_stage(
    ctx: Context,
    paths: Sequence[Path] | None = None,
    languages: Sequence[str] | None = None,
    settings: EngineSettings | None = None,
) -> StageResult:
    config = ctx.config
    src = config.site.default_language
    langs = [lang for lang in (languages or config.translate.languages) if lang != src]
    if not langs:
        raise StageSkipped("no target languages; set translate.languages in the config or pass --to LANG")
    settings = settings or settings_of(ctx)
    engines: dict[str, list[MachineEngine]] = {}
    result = StageResult("translate")
    slots = None
    if uses_ray(config):  # the Argos model calls run in Ray actors (pipeline.compute.translate)
        from pipeline.compute.translate import Slots

        slots = Slots(config)
    missing: list[str] = []  # every target's reason: `--to ar,zh-cn` named ar's only, then zh-cn's next run
    for lang in langs:
        found, reasons = engines_for(config, src, lang, settings, slots=slots)
        if not found:
            message = missing_engine_message(src, lang, reasons)
            missing.append(message)
            result.findings.append(Finding("TRANSLATE001", "warning", None, None, message))
        else:
            engines[lang] = found
    if not engines:
        if slots is not None:
            slots.close()
        raise StageSkipped("\n".join(missing))
    posts = source_posts(ctx, paths)
    counts = dict.fromkeys(
        (
            "posts",
            "drafts_written",
            "drafts_unchanged",
            "segments",
            "memory_hits",
            "model_calls",
            "needs_review",
            "hand_edits",
            "failed",
            "failed_segments",
            "fallbacks",
            "carried_over",
            "human_translations",
        ),
        0,
    )
    counts["posts"] = len(posts)
    try:
        for done, (lang, pair) in enumerate(engines.items()):
            if ctx.progress:
                ctx.progress(f"translate {src}→{lang}", done, len(engines))
            _translate_language(ctx, pair, posts, src, lang, counts, result)
            counts["model_calls"] += sum(engine.calls for engine in pair)
    finally:
        if slots is not None:
            result.data["ray_actors_replaced"] = slots.replaced  # actors lost mid-run, their batches redone
            slots.close()
    result.counts = counts
    result.data["engines"] = {lang: [e.model_id for e in pair] for lang, pair in engines.items()}
    result.changed = list(result.outputs)  # the drafts it wrote: later stages re-read them
    if counts["needs_review"]:
        result.findings.append(
            Finding("TRANSLATE004", "info", None, None, f"{counts['needs_review']} segment(s) need review")
        )
    if paths is None and languages is None:  # a whole-site run: the audit's history compares these
        record_run(ctx, "translate", result.findings, result.counts)
    return result


def _translated_by_people(groups: dict[str, list[Post]], post: Post, lang: str, draft_rel: str) -> bool:
    """The article already has a `lang` page that is no draft of ours, in another file than the draft would be
    (a `<lang>/…` draft of w3.org/WAI's `index.ar.md`, found by its `ref:`): the draft would be a second page of
    the article in that language. A file where the draft goes is TRANSLATE002, as before."""
    return any(
        o.lang == lang and o.rel != draft_rel and not o.is_translation
        for o in groups.get(post.translation_key, [])
    )


def _translate_language(
    ctx: Context,
    engines: list[MachineEngine],
    posts: list[Post],
    src: str,
    lang: str,
    counts: dict[str, int],
    result: StageResult,
) -> None:
    config = ctx.config
    glossary = config.translate.glossary.get(lang, {})
    plans: list[d.DraftPlan] = []
    blocked: set[str] = set()
    records: dict[str, dict[str, Any]] = {}
    groups = ctx.content.groups()
    with ctx.store.begin() as conn:
        memory = Memory(conn, src, lang)
        for post in posts:
            try:
                plan = d.plan_post(post, lang, config)
            except Exception as exc:  # one bad post never stops the run
                counts["failed"] += 1
                result.findings.append(
                    Finding(
                        "TRANSLATE003",
                        "error",
                        display_path(post.path),
                        None,
                        f"cannot segment: {exc}",
                        data={"lang": lang},
                    )
                )
                continue
            record = load_draft_record(conn, post.rel, lang)
            if record is not None:
                records[post.rel] = record
                aligned, edits = d.import_hand_edits(plan, record, memory, config)
                counts["hand_edits"] += edits
                if not aligned:
                    blocked.add(post.rel)
                    result.findings.append(
                        Finding(
                            "TRANSLATE002",
                            "warning",
                            display_path(plan.draft_path),
                            None,
                            "draft was edited by hand and its paragraphs no longer line up with the source; "
                            "left untouched (restore the structure or delete the file to regenerate it)",
                            data={"lang": lang},
                        )
                    )
            elif _translated_by_people(groups, post, lang, plan.draft_rel):
                blocked.add(post.rel)
                counts["human_translations"] += 1
            elif plan.draft_path.exists():
                blocked.add(post.rel)
                result.findings.append(
                    Finding(
                        "TRANSLATE002",
                        "warning",
                        display_path(plan.draft_path),
                        None,
                        "a file exists where the draft goes but was not written by this pipeline; left untouched",
                        data={"lang": lang},
                    )
                )
            if post.rel not in blocked:  # a draft left untouched needs no machine translation
                plans.append(plan)
    # Memory lookup, then one batched engine pass for everything new.
    with ctx.store.begin() as conn:
        memory = Memory(conn, src, lang)
        all_segments = [s for p in plans for s in p.segments]
        counts["segments"] += len(all_segments)
        known = memory.get_many([s.template for s in all_segments])
        pending: dict[str, Segment] = {}
        fuzzy: dict[str, dict[str, Any]] = {}
        for plan in plans:
            old = {s["id"]: s for s in (records.get(plan.post.rel) or {}).get("segments", [])}
            for seg in plan.segments:
                k = key_of(seg.template)
                if k in known and not _retry(known[k]):
                    counts["memory_hits"] += 1
                    continue
                pending.setdefault(k, seg)
                prev = old.get(seg.id)
                if prev and prev["key"] != k:
                    fuzzy[k] = {"source": prev["src"], "target": prev["out"]}
        counts["carried_over"] += _carry_over(memory, pending, glossary)
        todo = list(pending.values())
        outputs = [engine.translate_batch(todo) for engine in engines] if todo else []
        failed: dict[str, str] = {}
        for i, seg in enumerate(todo):
            k = key_of(seg.template)
            for engine, out in zip(engines, outputs, strict=True):
                if i not in out.errors:
                    memory.put_suggestion(seg.template, _suggestion(engine, out, i, seg, glossary))
            chosen = next(((e, o) for e, o in zip(engines, outputs, strict=True) if i not in o.errors), None)
            if chosen is None:
                failed[k] = outputs[0].errors[i]
                memory.put_machine(
                    seg.template, seg.template, engines[0].model_id, [f"{MODEL_ERROR}: {failed[k]}"]
                )
                continue
            engine, out = chosen
            qa = run_qa(seg, out.texts[i], glossary)
            if i in out.fallbacks:
                counts["fallbacks"] += 1
                qa.append(f"{FALLBACK}: the engine lost inline markup; pieces translated separately")
            counts[f"by_{engine.name}"] = counts.get(f"by_{engine.name}", 0) + 1
            memory.put_machine(
                seg.template, out.texts[i], engine.model_id, qa, fuzzy.get(k), out.confidences[i], engine.name
            )
        counts["failed_segments"] += len(failed)
        for plan in plans:
            for seg in plan.segments:
                why = failed.get(key_of(seg.template))
                if why:
                    result.findings.append(
                        Finding(
                            MODEL_ERROR,
                            "error",
                            display_path(plan.post.path),
                            None,
                            f"segment {seg.id} ({len(seg.template):,} characters) could not be translated into "
                            f"{lang} ({why}); the draft keeps the source text there — split the paragraph or "
                            "translate it by hand",
                            data={"lang": lang},
                        )
                    )
    # The machine output is committed before any draft is written: a kill -9 between writing a draft and
    # recording it leaves a draft that the next run recognises as its own output (drafts.import_hand_edits),
    # not as a translator's edit.
    with ctx.store.begin() as conn:
        memory = Memory(conn, src, lang)
        entries: dict[str, Entry] = memory.get_many([s.template for s in all_segments])
        counts["needs_review"] += sum(1 for e in entries.values() if e.state == "needs-review")
        for plan in plans:
            text, seg_records, _block = d.render(plan, entries, config)
            written = d.text_hash(text)
            record = records.get(plan.post.rel)
            current = plan.draft_path.read_bytes() if plan.draft_path.exists() else None
            if current is not None and d.text_hash_bytes(current) == written:
                counts["drafts_unchanged"] += 1
            else:
                atomic_write_text(plan.draft_path, text)
                counts["drafts_written"] += 1
                result.outputs.append(plan.draft_path)
            if record is None or record["written_hash"] != written or record["segments"] != seg_records:
                save_draft_record(
                    conn, plan.post.rel, plan.lang, plan.draft_rel, src, plan.post.hash, written, seg_records
                )


def _carry_over(memory: Memory, pending: dict[str, Segment], glossary: Any) -> int:
    """People's translations made when markup at a segment's ends was still cut off outside it (before the
    workspace showed it as placeholders) are carried over to the new cut, approval included, instead of being
    translated again; removes them from `pending` and returns how many."""
    legacy = {k: d.legacy_template(seg.template) for k, seg in pending.items()}
    olds = memory.get_many([x[0] for x in legacy.values() if x])
    carried = 0
    for k, found in legacy.items():
        old = olds.get(key_of(found[0])) if found else None
        if found is None or old is None or not old.protected:
            continue
        seg = pending.pop(k)
        target = d.from_legacy(old.target, found[1], found[2], found[3])
        qa = run_qa(seg, target, glossary)
        memory.carry_over(seg.template, target, old, qa)
        carried += 1
    return carried


def _suggestion(
    engine: MachineEngine, out: EngineOutput, i: int, seg: Segment, glossary: Any
) -> MachineOutput:
    return MachineOutput(
        engine.name, engine.model_id, out.texts[i], out.confidences[i], run_qa(seg, out.texts[i], glossary)
    )


def _retry(entry: Entry) -> bool:
    """A segment the model failed on last time is tried again (unless a person has since translated it)."""
    return not entry.protected and any(q.startswith(MODEL_ERROR) for q in entry.qa)


STAGE = Stage(
    "translate",
    run=run_stage,
    reads=("source posts", "translation memory", "Argos packages", "Apertium pairs"),
    writes=("draft posts", "translation memory"),
    rules=by_id(TRANSLATE, TRANSLATION_QA),
    compute=True,
)
