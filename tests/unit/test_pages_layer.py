"""The window's pages (`gui/pages/`) take plain values and emit intents: none of them
imports the controller, its jobs, the hosts or anything else of the app's Qt layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import frameio_desktop.gui.pages

PAGES = sorted(Path(frameio_desktop.gui.pages.__file__).parent.glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_there_are_pages() -> None:
    assert {p.stem for p in PAGES} >= {"signed_out", "signed_in", "busy", "waiting", "error"}


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_a_page_imports_only_pages_and_core(path: Path) -> None:
    app_modules = {m for m in imported_modules(path) if m.startswith("frameio_desktop")}
    outside = {
        m
        for m in app_modules
        if not m.startswith(("frameio_desktop.gui.pages", "frameio_desktop.core."))
    }
    assert outside == set()
