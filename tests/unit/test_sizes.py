"""Rooms a newcomer can hold in their head: no module under frameio_desktop/ over 500 lines,
no class over 350 (issue 24). Split by what each part owns (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "frameio_desktop"
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 350

MODULES = sorted(PACKAGE.rglob("*.py"))


def name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_no_module_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name(path)} has {lines} lines"


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_no_class_over_350_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    big = {
        node.name: (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    assert {k: v for k, v in big.items() if v > MAX_CLASS_LINES} == {}
