"""Exchange with CAT tools: XLIFF 2.0 and gettext PO, export and import, per language or per post.

Units carry templates. In XLIFF the source's markup travels as `<ph id="n" dataRef="dn" disp="**"/>` with the
markup itself in `<originalData>`, so a CAT tool shows it as a protected tag (XLIFF 1.2 files, from an
older export, are still read); in PO it is the `⟦n⟧` text. Ids are `<draft path>#<segment id>` (XLIFF 2:
`file/@original` + `unit/@id`).

Import applies the same rules as the review screen: a unit whose target's placeholders are missing, extra or
broken is refused and written nowhere; a changed target becomes a human edit with fresh QA; a unit marked
approved (XLIFF `final`, PO without `fuzzy`) is approved only when no QA issue stays open. The report says which
units were refused and which were imported but not approved, and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.fsutil import atomic_write_text
from pipeline.stages import Context
from pipeline.translate import review
from pipeline.translate.segment import PLACEHOLDER_RE, Segment


class ExchangeError(Exception):
    """The file cannot be read as PO/XLIFF or names unknown units; the message says where."""


@dataclass
class Unit:
    id: str
    source: str
    target: str
    approved: bool
    note: str = ""
    placeholders: list[str] = field(default_factory=list, compare=False)


def collect(ctx: Context, lang: str, source_rel: str | None = None) -> list[Unit]:
    units = []
    drafts = review.draft_paths(ctx, lang)
    for draft_rel, rel in drafts.items():
        if source_rel is not None and rel != source_rel:
            continue
        for seg in review.draft_segments(ctx, rel, lang, suggestions=False):
            units.append(
                Unit(
                    f"{draft_rel}#{seg.id}",
                    seg.source_template,
                    seg.target_template,
                    seg.state == "approved",
                    "; ".join(seg.qa),
                    seg.placeholders,
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
            out.append(f"#. {' '.join(u.note.split())}")
        if u.placeholders:
            out.append(
                "#. " + " ".join(f"⟦{n}⟧={' '.join(p.split())}" for n, p in enumerate(u.placeholders, 1))
            )
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


# --- XLIFF -------------------------------------------------------------------------------------------------

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"


def _inline(parent: Any, template: str, placeholders: list[str]) -> None:
    """Fill an XLIFF 2 <source>/<target> with text and <ph/> elements for the template's placeholders."""
    from lxml import etree

    pos = 0
    last: Any = None
    for m in PLACEHOLDER_RE.finditer(template):
        text = template[pos : m.start()]
        if last is None:
            parent.text = (parent.text or "") + text
        else:
            last.tail = (last.tail or "") + text
        n = int(m.group(1))
        attrib = {"id": str(n), "dataRef": f"d{n}"}
        if 0 < n <= len(placeholders):
            attrib["disp"] = " ".join(placeholders[n - 1].split()) or "↵"
        last = etree.SubElement(parent, f"{{{XLIFF2}}}ph", attrib=attrib)
        pos = m.end()
    rest = template[pos:]
    if last is None:
        parent.text = (parent.text or "") + rest
    else:
        last.tail = (last.tail or "") + rest


def dumps_xliff(units: list[Unit], src_lang: str, lang: str) -> str:
    from lxml import etree

    nsmap: Any = {None: XLIFF2}
    root = etree.Element(f"{{{XLIFF2}}}xliff", nsmap=nsmap, version="2.0", srcLang=src_lang, trgLang=lang)
    files: dict[str, Any] = {}
    for u in units:
        original, _, unit_id = u.id.rpartition("#")
        if original not in files:
            files[original] = etree.SubElement(
                root, f"{{{XLIFF2}}}file", id=f"f{len(files) + 1}", original=original
            )
        unit = etree.SubElement(files[original], f"{{{XLIFF2}}}unit", id=unit_id)
        if u.note:
            notes = etree.SubElement(unit, f"{{{XLIFF2}}}notes")
            etree.SubElement(notes, f"{{{XLIFF2}}}note", category="qa").text = u.note
        if u.placeholders:
            data = etree.SubElement(unit, f"{{{XLIFF2}}}originalData")
            for n, markup in enumerate(u.placeholders, start=1):
                etree.SubElement(data, f"{{{XLIFF2}}}data", id=f"d{n}").text = markup
        segment = etree.SubElement(
            unit, f"{{{XLIFF2}}}segment", state="final" if u.approved else "translated"
        )
        _inline(etree.SubElement(segment, f"{{{XLIFF2}}}source"), u.source, u.placeholders)
        _inline(etree.SubElement(segment, f"{{{XLIFF2}}}target"), u.target, u.placeholders)
    return str(
        etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")
    )


def _template(el: Any) -> str:
    """Text of an XLIFF <source>/<target>, each <ph id="n"/> back as ⟦n⟧ (other inline codes: their text)."""
    if el is None:
        return ""
    out = [el.text or ""]
    for child in el:
        tag = str(child.tag).rsplit("}", 1)[-1]
        if tag in ("ph", "x"):
            out.append(f"⟦{child.get('id', '?')}⟧")
        else:
            out.append(_template(child))
        out.append(child.tail or "")
    return "".join(out)


def loads_xliff(data: bytes) -> list[Unit]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ExchangeError(f"not valid XML: {exc}") from None
    if root.tag == f"{{{XLIFF2}}}xliff":
        return _loads_xliff2(root)
    units = []
    for tu in root.iter(f"{{{XLIFF12}}}trans-unit", "trans-unit"):
        src = tu.find(f"{{{XLIFF12}}}source")
        tgt = tu.find(f"{{{XLIFF12}}}target")
        src = src if src is not None else tu.find("source")
        tgt = tgt if tgt is not None else tu.find("target")
        approved = tu.get("approved") == "yes" or (
            tgt is not None and tgt.get("state") in ("final", "signed-off")
        )
        units.append(Unit(str(tu.get("id")), _template(src), _template(tgt), approved))
    return units


def _loads_xliff2(root: Any) -> list[Unit]:
    units: list[Unit] = []
    for file_el in root.iter(f"{{{XLIFF2}}}file"):
        original = file_el.get("original") or ""
        for unit in file_el.iter(f"{{{XLIFF2}}}unit"):
            segments = unit.findall(f"{{{XLIFF2}}}segment")
            if len(segments) != 1:
                raise ExchangeError(
                    f"unit '{original}#{unit.get('id')}' has {len(segments)} segments; merge them back into one"
                )
            seg = segments[0]
            units.append(
                Unit(
                    f"{original}#{unit.get('id')}",
                    _template(seg.find(f"{{{XLIFF2}}}source")),
                    _template(seg.find(f"{{{XLIFF2}}}target")),
                    seg.get("state") == "final",
                )
            )
    return units


# --- import ------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    changed: int = 0
    approved: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (unit id, why): nothing written
    not_approved: list[tuple[str, str]] = field(default_factory=list)  # imported, but an issue stays open

    def summary(self) -> str:
        parts = [f"imported {self.changed} changed segment(s), approved {self.approved}"]
        if self.not_approved:
            shown = "; ".join(f"{u}: {why}" for u, why in self.not_approved[:5])
            parts.append(f"{len(self.not_approved)} not approved because QA issues stay open ({shown})")
        if self.refused:
            shown = "; ".join(f"{u}: {why}" for u, why in self.refused[:5])
            parts.append(f"{len(self.refused)} refused and not written ({shown})")
        return "; ".join(parts)


def import_units(
    ctx: Context, lang: str, units: list[Unit], who: str, source_rel: str | None = None
) -> ImportReport:
    """Apply changed targets and approvals (only of `source_rel`'s draft when given)."""
    from pipeline.translate.memory import Memory
    from pipeline.translate.qa import placeholder_problems, run_qa

    current = {u.id: u for u in collect(ctx, lang, source_rel)}
    drafts = review.draft_paths(ctx, lang)
    for unit in units:
        if unit.id not in current:
            where = f"the draft of {source_rel}" if source_rel else "any draft"
            raise ExchangeError(
                f"unit '{unit.id}' matches no segment of {where}; export again and retranslate"
            )
    report = ImportReport()
    touched: dict[str, list[tuple[str, str]]] = {}  # source post → (segment id, unit id) to approve
    src_lang = ctx.config.site.default_language
    glossary = ctx.config.translate.glossary.get(lang)
    for unit in units:
        mine = current[unit.id]
        if mine.source != unit.source:
            report.refused.append((unit.id, "the source text changed since the export; export again"))
            continue
        if unit.target == mine.target and unit.approved == mine.approved:
            continue
        draft_rel, seg_id = unit.id.rsplit("#", 1)
        rel = drafts[draft_rel]
        seg = Segment(seg_id, mine.source, mine.placeholders)
        if unit.target != mine.target:
            problems = placeholder_problems(seg, unit.target)
            if problems:
                report.refused.append((unit.id, f"placeholders: {'; '.join(problems)} (TQA003)"))
                continue
            with ctx.store.begin() as conn:
                Memory(conn, src_lang, lang, where=rel).put_human(
                    unit.source, unit.target, who, run_qa(seg, unit.target, glossary), action="import"
                )
            report.changed += 1
        touched.setdefault(rel, [])
        if unit.approved:
            touched[rel].append((seg_id, unit.id))
    for rel, approve in touched.items():
        for seg_id, unit_id in approve:
            view = review.segment_view(ctx, rel, lang, seg_id)
            if view.state == "approved":
                continue
            if not view.can_approve:
                why = "; ".join(f"{i.rule} {i.message}" for i in view.open_issues)
                report.not_approved.append((unit_id, why))
                continue
            with ctx.store.begin() as conn:
                Memory(conn, src_lang, lang, where=rel).approve(current[unit_id].source, who, view.qa)
            report.approved += 1
        review.rewrite_draft(ctx, rel, lang)
    return report


def parse(data: bytes, name: str) -> list[Unit]:
    suffix = Path(name).suffix.lower()
    if suffix in (".xlf", ".xliff"):
        return loads_xliff(data)
    if suffix in (".po", ".pot"):
        try:
            return loads_po(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise ExchangeError(f"{name}: not UTF-8") from None
    raise ExchangeError(f"{name}: unknown exchange format; use .po or .xlf")


def dumps(units: list[Unit], name: str, src_lang: str, lang: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".xlf", ".xliff"):
        return dumps_xliff(units, src_lang, lang)
    if suffix in (".po", ".pot"):
        return dumps_po(units, lang)
    raise ExchangeError(f"{name}: unknown exchange format; use .po or .xlf")


def export_file(ctx: Context, lang: str, path: Path) -> int:
    units = collect(ctx, lang)
    atomic_write_text(path, dumps(units, path.name, ctx.config.site.default_language, lang))
    return len(units)


def import_file(ctx: Context, lang: str, path: Path, who: str) -> ImportReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read ({exc.strerror})") from None
    return import_units(ctx, lang, parse(data, str(path)), who)
