"""The package's imports go one way: main -> cli, selftest, gui, core; gui -> core; core ->
core. Read from the source with `ast` (no module is imported, so no Qt is needed); every
import counts, also those inside functions and under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "frameio_desktop"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports (a name taken from a package is the
    submodule if there is one, else the package)."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            if not target.startswith(PACKAGE):
                continue
            while target not in known and "." in target:
                target = target.rpartition(".")[0]
            if target in known and target != name:
                found.add(target)
    # `from pkg.sub import x` also names `pkg.sub`'s package: keep only the most precise.
    return {t for t in found if not any(o.startswith(t + ".") for o in found)}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imported(name, path, set(mods)) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer(module: str) -> str:
    rest = module.removeprefix(PACKAGE).lstrip(".")
    return rest.split(".")[0] if rest else ""


#: What each layer may import, besides itself and the package's own face (`__init__`).
ALLOWED = {
    "core": {"core"},
    "gui": {"core", "gui"},
    "demo": {"core", "demo"},
    "cli": {"core", "cli_flags"},
    "cli_flags": {"core"},
    "demo_mode": {"core", "demo", "cli_flags"},
    "settings_entry": {"core", "gui", "demo_mode"},
    "api": {"core"},
    "selftest": {"core", "gui", "demo"},
    "__main__": {"launcher"},
    # The entry point: `token` asks the running app (core/agent) before main is imported.
    "launcher": {"core", "main"},
    "main": {"core", "gui", "cli", "cli_flags", "demo_mode", "settings_entry", "selftest", "demo"},
}


def test_the_graph_reads_the_real_imports() -> None:
    edges = graph()
    assert "frameio_desktop.gui.window" in edges["frameio_desktop.main"]
    assert "frameio_desktop.core.errors" in edges["frameio_desktop.cli"]
    assert "frameio_desktop.gui.sign_in_host" in edges["frameio_desktop.gui.window"]


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_only_go_down(module: str) -> None:
    if layer(module) == "":
        return  # the package's face: the version
    allowed = ALLOWED.get(layer(module))
    assert allowed is not None, f"{module}: a new layer; say what it may import in ALLOWED"
    upward = sorted(
        target for target in graph()[module] if layer(target) != "" and layer(target) not in allowed
    )
    assert upward == [], f"{module} imports upward"


def test_the_cycle_check_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]
