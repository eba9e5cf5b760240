"""What every benchmark shares: the result row, and how figures and ratios are written."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    number: int
    title: str
    figure: str
    baseline: str
    ratio: str
    target: str
    met: bool | None
    note: str = ""


def spread(values: list[float], unit: str, scale: float = 1.0) -> str:
    values = [v * scale for v in values]
    return (
        f"{statistics.median(values):.1f} {unit} "
        f"({min(values):.1f}–{max(values):.1f}, n={len(values)})"
    )


def ratio_line(app: list[float], base: list[float], target: float) -> tuple[str, bool]:
    ratio = statistics.median(app) / statistics.median(base)
    return f"{ratio:.2f}×", ratio <= target
