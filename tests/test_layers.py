"""Layering of the `auditor` package: no import circle, no function over 60 lines without a reason.

Why: a module-level import circle makes the import order decide what works (a name is
missing while its module is half initialised), and hides which module owns what. The graph is
read with `ast`, without importing anything: an import at a module's top level (also inside a
top-level `try`/`if`, but not in `if TYPE_CHECKING:`) is an edge; `from auditor.x import y` is
an edge to auditor.x.y when that is a module, else to auditor.x.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "auditor"

# modules whose circles are tolerated (none: the catalogue ↔ checks circle is gone, issue 14)
ALLOWED: set[str] = set()

# files, and "path:function" names, whose long functions are tolerated (none left: issue 14)
LONG_EXEMPT: set[str] = set()
NOT_YET_SPLIT: set[str] = set()
MAX_LINES = 60
REASON = "long because:"


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        parts = list(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _top_level_imports(body: list[ast.stmt]):
    """Import statements run when the module is imported (not those in functions or classes)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _top_level_imports(node.body)
            yield from _top_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]):
                yield from _top_level_imports(block)
        elif isinstance(node, (ast.With,)):
            yield from _top_level_imports(node.body)


def _targets(module: str, is_package: bool, node: ast.stmt, modules: dict[str, Path]) -> set[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        names = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names]
    out = set()
    for name in names:
        while name and name not in modules:  # `import auditor.x.y` binds auditor.x.y; a missing name stops at its module
            name = name.rpartition(".")[0]
        if name.startswith("auditor") and name != module:
            out.add(name)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = set()
        for node in _top_level_imports(tree.body):
            graph[name] |= _targets(name, path.name == "__init__.py", node, modules)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components with more than one module (each is one or more import circles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def a_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One circle through the component's first module, to print: a → b → … → a."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}

    def walk(v: str) -> bool:
        for w in sorted(graph[v] & members):
            if w == start:
                return True
            if w not in seen:
                seen.add(w)
                path.append(w)
                if walk(w):
                    return True
                path.pop()
        return False

    walk(start)
    return path + [start]


def _allowed(module: str) -> bool:
    return any(module == a or module.startswith(a + ".") for a in ALLOWED)


def test_no_import_cycle_outside_the_allowed_modules():
    graph = import_graph()
    bad = [c for c in strongly_connected(graph) if not all(_allowed(m) for m in c)]
    assert not bad, "import circles:\n" + "\n".join(" → ".join(a_cycle(graph, c)) for c in bad)


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert a_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_the_graph_resolves_module_and_name_imports():
    graph = import_graph()
    assert "auditor.cells" in graph["auditor.tables"]  # from auditor.cells import parse_value
    assert "auditor.report.html" in graph["auditor.report.stream"]
    assert "auditor.report" not in graph["auditor.report.stream"]  # the module imported, not its package
    assert all(t in graph for deps in graph.values() for t in deps)


def _exempt(rel: str) -> bool:
    return any(rel == e or (e.endswith("/") and rel.startswith(e)) for e in LONG_EXEMPT)


def _has_reason(fn: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> bool:
    doc = ast.get_docstring(fn) or ""
    head = lines[fn.lineno - 1: fn.body[0].lineno + 5]  # the signature and the body's first lines
    return REASON in doc or any("#" in ln and REASON in ln.split("#", 1)[1] for ln in head)


def long_functions() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        if _exempt(rel):
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_LINES and not _has_reason(node, lines) and f"{rel}:{node.name}" not in NOT_YET_SPLIT:
                    out.append(f"{rel}:{node.lineno} {node.name} ({n} lines)")
    return out


def test_no_function_longer_than_60_lines_without_a_reason():
    long = long_functions()
    assert not long, (f"functions over {MAX_LINES} lines; split them, or say why in the docstring or a "
                      f"comment in their first lines ('{REASON} …'):\n" + "\n".join(long))
