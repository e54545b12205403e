"""The joints between modules, checked by reading the source: no import cycles, one rule catalogue that knows
every id the code can emit, config on the ground floor, one module that builds Markdown parsers, small modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pipeline.rules import ALL, STAGE_TABLES

PKG = Path(__file__).resolve().parent.parent / "pipeline"
DOCS = PKG.parent / "docs"
STAGE_PACKAGES = ("validate", "translate", "cards", "social", "build", "crawl", "web", "commands")
RULE_ID = re.compile(r"^[A-Z]{2,}\d{3}$")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    parts = name.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


def _imports(module: str) -> set[str]:
    """Every pipeline module `module` imports, at the top or inside a function (a lazy import is still a
    dependency); imports under `if TYPE_CHECKING:` are for the type checker only and do not count."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(filter(None, (_resolve(a.name) for a in child.names)))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, *([child.module] if child.module else [])])
                for alias in child.names:
                    target = _resolve(f"{base}.{alias.name}")
                    found.add(target if target == f"{base}.{alias.name}" else _resolve(base) or "")
            visit(child)

    visit(ast.parse(path.read_text("utf-8")))
    found.discard(module)
    found.discard("")
    return found


GRAPH = {m: _imports(m) for m in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in GRAPH:
        if root in index:
            continue
        work = [(root, iter(sorted(GRAPH[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_cycles_in_pipeline() -> None:
    assert _cycles() == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    GRAPH["pipeline.rules"].add("pipeline.config")  # config imports rules: this closes a loop
    try:
        assert ["pipeline.config", "pipeline.rules"] in _cycles()
    finally:
        GRAPH["pipeline.rules"].discard("pipeline.config")


def _closure(module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        for dep in GRAPH[todo.pop()]:
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_config_and_the_catalogue_import_no_stage_package() -> None:
    for ground in ("pipeline.config", "pipeline.rules", "pipeline.findings", "pipeline.content"):
        above = sorted(m for m in _closure(ground) if m.split(".")[1:2] and m.split(".")[1] in STAGE_PACKAGES)
        assert above == [], f"{ground} reaches {above}"
    assert _closure("pipeline.rules") == {"pipeline.rule_fixes"}, "the catalogue is data only"
    assert _closure("pipeline.rule_fixes") == set()


def test_no_module_over_600_lines() -> None:
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text("utf-8").splitlines())) > 600}
    assert long == {}


def test_one_module_builds_markdown_parsers() -> None:
    builders = sorted(
        str(path.relative_to(PKG.parent))
        for path in PKG.rglob("*.py")
        if re.search(
            r"^\s*(import markdown_it_pyrs|from markdown_it import MarkdownIt)", path.read_text("utf-8"), re.M
        )
    )
    assert builders == ["pipeline/content/markdown.py"]


def _emitted_ids() -> dict[str, str]:
    """Every string literal in the code that looks like a rule id, with where it is."""
    found: dict[str, str] = {}
    for module, path in MODULES.items():
        if module in ("pipeline.rules", "pipeline.rule_fixes"):  # the catalogue names ids; it emits none
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE_ID.match(node.value):
                found.setdefault(node.value, f"{path.relative_to(PKG.parent)}:{node.lineno}")
    return found


def test_every_rule_id_the_code_can_emit_is_catalogued_and_documented() -> None:
    emitted = _emitted_ids()
    assert len(emitted) > 100  # the scan sees the validate, cards, crawl, translate, social and build ids
    missing = {rid: where for rid, where in emitted.items() if rid not in ALL}
    assert missing == {}, "add these to pipeline/rules.py"
    documented = set(re.findall(r"\| `([A-Z]{2,}\d{3})` \|", (DOCS / "rules.md").read_text("utf-8")))
    assert set(ALL) <= documented, "run `make docs`"
    assert {"SOCIAL001", "SOCIAL002", "TQA001", "TRANSLATE001", "CONTENT014"} <= documented


def test_every_catalogued_rule_is_emitted_somewhere() -> None:
    """A catalogue line without code behind it would document a check that never runs."""
    assert sorted(set(ALL) - set(_emitted_ids())) == []


def test_catalogue_ids_are_unique_across_stages() -> None:
    ids = [rule.id for _title, _stage, table, _settable in STAGE_TABLES for rule in table]
    assert len(ids) == len(set(ids))


def test_the_runner_names_no_stage() -> None:
    from pipeline.order import STAGES

    source = (PKG / "runner.py").read_text("utf-8")
    literals = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)}
    assert not literals & {stage.name for stage in STAGES}
    assert not {
        m for m in GRAPH["pipeline.runner"] if m.split(".")[1:2] and m.split(".")[1] in STAGE_PACKAGES
    }
    assert [stage.name for stage in STAGES] == ["validate", "translate", "cards", "social", "build", "crawl"]
