"""The package's layers (DESIGN.md "Shape"): imports run downwards only, no circle, no view
sees the store, the core never imports a widget library.

Every import counts, also those inside a function or under ``TYPE_CHECKING``: a lazy import is
still an arrow a reader has to follow.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "codevwidgets"
# From the ground up; a layer may import its own modules and those of the layers below it.
LAYERS = ("core", "store", "authoring", "record", "demo", "widgets", "server", "pages", "cli")
# Faces kept for documented public paths (codevwidgets.advice.looks_like_advice).
FACES = ("advice",)
WIDGET_LIBRARIES = {"ipywidgets", "anywidget", "traitlets", "IPython", "ipykernel", "comm"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names), wherever the import statement is."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from codevwidgets.core import runbook` imports the module core.runbook.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py") if "notebooks" not in p.parts}
GRAPH = {
    name: {m for m in imports_of(path) if m in MODULES and m != name}
    for name, path in MODULES.items()
}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "codevwidgets"


def rank(module: str) -> int:
    name = layer(module)
    if name in FACES:
        return len(LAYERS)
    return LAYERS.index(name) if name in LAYERS else -1


def test_every_module_lives_in_a_layer() -> None:
    loose = sorted(m for m in MODULES if rank(m) < 0 and m != "codevwidgets")
    assert loose == []


def test_imports_run_downwards_only() -> None:
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if target != "codevwidgets" and rank(target) > rank(module)
    )
    assert upward == []


def test_no_view_imports_the_store() -> None:
    seen = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if layer(module) == "widgets"
        for target in targets
        if layer(target) == "store"
    )
    assert seen == []


def test_the_core_imports_no_widget_library() -> None:
    found = sorted(
        f"{module} -> {imported}"
        for module, path in MODULES.items()
        if layer(module) == "core"
        for imported in imports_of(path)
        if imported.split(".")[0] in WIDGET_LIBRARIES
    )
    assert found == []


def test_no_import_circle() -> None:
    # Tarjan's strongly connected components, written out: the graph is small.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []
    counter = itertools.count()

    def visit(node: str) -> None:
        index[node] = low[node] = next(counter)
        stack.append(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert circles == []


@pytest.mark.parametrize(
    ("module", "layer_name"),
    [("codevwidgets.store.base", "store"), ("codevwidgets.widgets.console", "widgets")],
)
def test_the_walk_sees_the_layers(module: str, layer_name: str) -> None:
    """The checks above would pass on an empty graph: this one would not."""
    assert layer(module) == layer_name
    assert GRAPH[module]


def test_no_class_is_past_400_lines() -> None:
    """Issue 20: a class a reader can hold in mind; past 400 lines, split it by concern."""
    long = sorted(
        f"{path.relative_to(PACKAGE)}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 400
    )
    assert long == []
