"""Exchange with CAT tools: gettext PO and XLIFF 1.2, export and import, with segment ids and states.

Units carry templates (placeholders as `⟦n⟧`), so a CAT tool sees inline markup as opaque tokens. Ids are
`<draft path>#<segment id>`. Import stores changed or newly approved units as human edits and rewrites the
touched drafts; an approved state maps to XLIFF `final` / PO without `fuzzy`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.fsutil import atomic_write_text
from pipeline.stages import Context
from pipeline.translate import review


class ExchangeError(Exception):
    """The file cannot be read as PO/XLIFF or names unknown units; the message says where."""


@dataclass
class Unit:
    id: str
    source: str
    target: str
    approved: bool
    note: str = ""


def collect(ctx: Context, lang: str) -> list[Unit]:
    units = []
    for summary in review.list_drafts(ctx, lang):
        for seg in review.draft_segments(ctx, summary.source_rel, lang, suggestions=False):
            note = "; ".join(seg.qa)
            units.append(
                Unit(
                    f"{summary.draft_rel}#{seg.id}",
                    seg.source_template,
                    seg.target_template,
                    seg.state == "approved",
                    note,
                )
            )
    return units


# --- PO ----------------------------------------------------------------------------------------------------


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def dumps_po(units: list[Unit], lang: str) -> str:
    out = [
        'msgid ""',
        'msgstr ""',
        _po_quote(f"Language: {lang}\n"),
        _po_quote("Content-Type: text/plain; charset=UTF-8\n"),
        "",
    ]
    for u in units:
        if u.note:
            out.append(f"#. {u.note}")
        if not u.approved:
            out.append("#, fuzzy")
        out += [
            f"msgctxt {_po_quote(u.id)}",
            f"msgid {_po_quote(u.source)}",
            f"msgstr {_po_quote(u.target)}",
            "",
        ]
    return "\n".join(out)


_PO_STR = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _po_unquote(chunks: list[str]) -> str:
    raw = "".join(chunks)
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw)


def loads_po(text: str) -> list[Unit]:
    units: list[Unit] = []
    fields: dict[str, list[str]] = {}
    fuzzy = False
    current: str | None = None

    def flush() -> None:
        nonlocal fuzzy
        if "msgctxt" in fields and "msgid" in fields:
            units.append(
                Unit(
                    _po_unquote(fields["msgctxt"]),
                    _po_unquote(fields["msgid"]),
                    _po_unquote(fields.get("msgstr", [])),
                    not fuzzy,
                )
            )
        fields.clear()
        fuzzy = False

    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            flush()
            current = None
            continue
        if stripped.startswith("#,"):
            fuzzy = "fuzzy" in stripped
            continue
        if stripped.startswith("#"):
            continue
        key, _, rest = stripped.partition(" ")
        if key in ("msgctxt", "msgid", "msgstr"):
            if key == "msgctxt" and "msgid" in fields:
                flush()
            current = key
            fields[key] = _PO_STR.findall(rest)
        elif stripped.startswith('"') and current:
            fields[current].extend(_PO_STR.findall(stripped))
        else:
            raise ExchangeError(f"line {lineno}: not PO syntax: {stripped[:40]!r}")
    flush()
    return units


# --- XLIFF 1.2 ---------------------------------------------------------------------------------------------

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"


def dumps_xliff(units: list[Unit], src_lang: str, lang: str) -> str:
    from lxml import etree

    nsmap: Any = {None: XLIFF_NS}
    root = etree.Element(_q("xliff"), nsmap=nsmap, version="1.2")
    file_el = etree.SubElement(
        root,
        _q("file"),
        original="pipeline",
        datatype="plaintext",
        attrib={"source-language": src_lang, "target-language": lang},
    )
    body = etree.SubElement(file_el, _q("body"))
    for u in units:
        tu = etree.SubElement(body, _q("trans-unit"), id=u.id, approved="yes" if u.approved else "no")
        etree.SubElement(tu, _q("source")).text = u.source
        etree.SubElement(
            tu, _q("target"), state="final" if u.approved else "needs-review-translation"
        ).text = u.target
        if u.note:
            etree.SubElement(tu, _q("note")).text = u.note
    return str(
        etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")
    )


def _q(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def _text(el: Any) -> str:
    return "".join(str(t) for t in el.itertext()) if el is not None else ""


def loads_xliff(data: bytes) -> list[Unit]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ExchangeError(f"not valid XML: {exc}") from None
    units = []
    for tu in root.iter(f"{{{XLIFF_NS}}}trans-unit", _q("trans-unit")):
        src = tu.find(f"{{{XLIFF_NS}}}source")
        tgt = tu.find(f"{{{XLIFF_NS}}}target")
        if src is None:
            src = tu.find("source")
        if tgt is None:
            tgt = tu.find("target")
        approved = tu.get("approved") == "yes" or (
            tgt is not None and tgt.get("state") in ("final", "signed-off")
        )
        units.append(
            Unit(
                str(tu.get("id")),
                _text(src),
                _text(tgt),
                approved,
            )
        )
    return units


# --- files -------------------------------------------------------------------------------------------------


def export_file(ctx: Context, lang: str, path: Path) -> int:
    units = collect(ctx, lang)
    if path.suffix.lower() in (".xlf", ".xliff"):
        atomic_write_text(path, dumps_xliff(units, ctx.config.site.default_language, lang))
    elif path.suffix.lower() in (".po", ".pot"):
        atomic_write_text(path, dumps_po(units, lang))
    else:
        raise ExchangeError(f"{path}: unknown exchange format; use .po or .xlf")
    return len(units)


def import_units(ctx: Context, lang: str, units: list[Unit], who: str) -> int:
    """Apply changed targets and approvals; returns how many units changed."""
    from pipeline.translate.memory import ApprovalBlocked
    from pipeline.translate.qa import blocking

    current = {u.id: u for u in collect(ctx, lang)}
    refused: list[str] = []
    changed = 0
    touched: set[tuple[str, str]] = set()
    drafts = {s.draft_rel: s.source_rel for s in review.list_drafts(ctx, lang)}
    for unit in units:
        mine = current.get(unit.id)
        if mine is None:
            raise ExchangeError(f"unit '{unit.id}' matches no draft segment; export again and retranslate")
        if mine.source != unit.source:
            raise ExchangeError(f"unit '{unit.id}': source text changed since export; export again")
        if unit.target == mine.target and unit.approved == mine.approved:
            continue
        draft_rel, seg_id = unit.id.rsplit("#", 1)
        source_rel = drafts[draft_rel]
        if unit.target != mine.target:
            from pipeline.translate.memory import Memory
            from pipeline.translate.qa import run_qa
            from pipeline.translate.segment import Segment

            seg_view = next(v for v in review.draft_segments(ctx, source_rel, lang, False) if v.id == seg_id)
            seg = Segment(seg_id, seg_view.source_template, seg_view.placeholders)
            qa = run_qa(seg, unit.target, ctx.config.translate.glossary.get(lang))
            if unit.approved and blocking(qa):
                refused.append(unit.id)
            with ctx.store.begin() as conn:
                Memory(conn, ctx.config.site.default_language, lang).put_human(
                    unit.source, unit.target, who, qa, unit.approved and not blocking(qa)
                )
        elif unit.approved:
            from pipeline.translate.memory import Memory

            try:
                with ctx.store.begin() as conn:
                    Memory(conn, ctx.config.site.default_language, lang).approve(unit.source, who)
            except ApprovalBlocked:
                refused.append(unit.id)
        touched.add((source_rel, lang))
        changed += 1
    for source_rel, lg in sorted(touched):
        review.rewrite_draft(ctx, source_rel, lg)
    if refused:
        raise ExchangeError(
            f"imported {changed} changed unit(s), but did not approve {', '.join(refused)}: raw HTML or "
            "javascript:/data: links the source does not have; fix those targets and import again"
        )
    return changed


def import_file(ctx: Context, lang: str, path: Path, who: str) -> int:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read ({exc.strerror})") from None
    if path.suffix.lower() in (".xlf", ".xliff"):
        units = loads_xliff(data)
    elif path.suffix.lower() in (".po", ".pot"):
        try:
            units = loads_po(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise ExchangeError(f"{path}: not UTF-8") from None
    else:
        raise ExchangeError(f"{path}: unknown exchange format; use .po or .xlf")
    return import_units(ctx, lang, units, who)
