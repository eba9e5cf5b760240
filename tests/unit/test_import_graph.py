"""The package's imports go one way: main -> cli, selftest, gui, core; gui -> core; core ->
core. Read from the source with `ast` (no module is imported, so no Qt is needed); every
import counts, also those inside functions and under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from frameio_desktop.core.errors import ExitCode

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


# -- the script path loads no Qt ---------------------------------------------------------------

#: Runs in a fresh interpreter: imports `frameio_desktop.main`, then (with an argument) runs
#: that command through the program's entry point, and prints what of Qt and of the Qt
#: layer was loaded.
QT_PROBE = """
import json, sys
import frameio_desktop.main
code = None
if len(sys.argv) > 1:
    from frameio_desktop.launcher import main
    code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.startswith(("PySide6", "frameio_desktop.gui")))
print(json.dumps([code, loaded]))
"""


def modules_loaded(tmp_path: Path, *command: str) -> tuple[int | None, list[str]]:
    """The command's exit code (None without one), and the Qt modules loaded."""
    import json
    import os
    import subprocess
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FRAMEIO_")},
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_RUNTIME_DIR": str(tmp_path),
        # No keyring: the token path runs to its keyring check and stops there.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    result = subprocess.run(
        [sys.executable, "-c", QT_PROBE, *command],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    code, loaded = json.loads(result.stdout.strip().splitlines()[-1])
    return code, loaded


def test_importing_main_loads_no_qt(tmp_path: Path) -> None:
    """The composition root imports the Qt layer only for a window: importing `gui` runs
    a Qt workaround (gui/qtfix.py), which scripts must not pay for."""
    assert modules_loaded(tmp_path) == (None, [])


@pytest.mark.parametrize(
    "command",
    [
        ["token"],
        ["token", "--json", "--min-ttl", "30"],
        ["status"],
    ],
)
def test_the_script_commands_load_no_qt(tmp_path: Path, command: list[str]) -> None:
    settings = [
        "--provider",
        "frameio-v4",
        "--client-id",
        "probe-client",
        "--redirect-uri",
        "adobe+0123abcd://adobeid/probe-client",
    ]
    code, loaded = modules_loaded(tmp_path, *command, *settings)
    assert loaded == []
    # It went the whole way: to "no keyring" (token) or "not signed in" (status).
    assert code in (ExitCode.NO_KEYRING, ExitCode.NOT_SIGNED_IN)
