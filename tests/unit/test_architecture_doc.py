"""docs/architecture.md maps the code: every module under frameio_desktop/ has its line."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "frameio_desktop"
DOC = ROOT / "docs" / "architecture.md"


def named_in_the_map() -> set[str]:
    """The module paths (or patterns, such as `gui/pages/*.py`) the map's tables name."""
    rows = (line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `"))
    return {m.group(1) for row in rows if (m := re.match(r"\| `([^`]+)`", row))}


def test_every_module_has_its_line_in_the_map() -> None:
    named = named_in_the_map()
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if path.name == "__init__.py" and path.parent != PACKAGE and module != "gui/__init__.py":
            continue  # a package's docstring; its modules have their lines
        if not any(fnmatch.fnmatch(module, pattern) for pattern in named):
            missing.append(module)
    assert missing == [], "add a line to docs/architecture.md for each"


def test_the_map_names_no_module_that_is_gone() -> None:
    gone = [
        pattern
        for pattern in named_in_the_map()
        if not any(
            fnmatch.fnmatch(p.relative_to(PACKAGE).as_posix(), pattern)
            for p in PACKAGE.rglob("*.py")
        )
    ]
    assert gone == []
