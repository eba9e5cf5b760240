"""The README's settings table names every `FRAMEIO_*` variable the code reads, so a new
one cannot go undocumented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def variables_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "frameio_desktop").rglob("*.py"):
        found |= set(re.findall(r"[\"'](FRAMEIO_[A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
    return found


def settings_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("| Setting | Flag | Environment")
    return readme[start : readme.index("\n\n", start)]


def test_the_settings_table_names_every_variable() -> None:
    table = settings_table()
    missing = sorted(name for name in variables_in_code() if f"`{name}`" not in table)
    assert missing == [], f"add a row to README's settings table for {missing}"


def test_the_check_sees_the_variables() -> None:
    assert {"FRAMEIO_SIGN_IN_WINDOW", "FRAMEIO_DEMO_PORT"} <= variables_in_code()
