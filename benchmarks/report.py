"""docs/benchmarks.md: the table of this run's rows (and the earlier rows it did not
measure, marked with their date), the notes, the machine, and the analysis kept as it is."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import ROOT, Result


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    import PySide6

    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"{int(mem) / 1024 / 1024:.0f} GiB; Python {platform.python_version()}, "
        f"PySide6 {PySide6.__version__}; offscreen Qt platform, software rendering"
    )


def earlier_rows(existing: str, measured: set[int]) -> list[str]:
    """Rows of the previous report for benchmarks not run this time (`--skip-bundle`,
    `--only`), marked with the date they were measured, so the table stays whole."""
    when = existing.partition("Measured ")[2].partition(" UTC")[0] or "an earlier run"
    kept = []
    for line in existing.partition("## Analysis")[0].splitlines():
        cells = line.split("|")
        if len(cells) < 3 or not line.startswith("| "):
            continue
        number = cells[1].strip()
        digits = number.rstrip("abcdefgh")
        if not digits.isdigit() or int(digits) in measured:
            continue
        if "measured " not in cells[2]:
            cells[2] = f"{cells[2].rstrip()} (measured {when} UTC, not in this run) "
        kept.append("|".join(cells))
    return kept


def row_order(line: str) -> tuple[int, str]:
    number = line.split("|")[1].strip()
    digits = number.rstrip("abcdefgh")
    return int(digits), number


def write_report(results: list[Result], rounds: int) -> Path:
    path = ROOT / "docs" / "benchmarks.md"
    existing = path.read_text() if path.exists() else ""
    rows = [
        f"| {r.number} | {r.title} | {r.figure} | {r.baseline} | {r.ratio} | {r.target} | "
        f"{'met' if r.met else 'missed' if r.met is not None else '—'} |"
        for r in results
    ]
    rows += earlier_rows(existing, {r.number for r in results})
    notes = "\n".join(f"- {r.number}: {r.note}" for r in results if r.note)
    analysis = existing.split("## Analysis", 1)[1] if "## Analysis" in existing else "\n"
    path.write_text(
        "# Benchmarks\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `scripts/benchmarks` "
        f"({rounds} rounds after a warm-up; median, min–max).\n\n"
        f"Machine: {machine()}.\n\n"
        "| # | measures | figure | baseline (same run) | ratio | target | |\n"
        "|---|---|---|---|---|---|---|\n"
        + "\n".join(sorted(rows, key=row_order))
        + f"\n\n{notes}\n\n## Analysis"
        + analysis
    )
    return path
