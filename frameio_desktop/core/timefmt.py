"""How times and durations are shown to people (window and command line alike)."""

from __future__ import annotations

from datetime import datetime, timedelta


def format_duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def format_expiry(moment: datetime | None, now: datetime) -> str:
    """'2026-11-28 14:05:00 CET (in 59 min 58 s)', or '... (expired)'."""
    if moment is None:
        return "unknown"
    local = moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    left = moment - now
    if left.total_seconds() <= 0:
        return f"{local} (expired)"
    return f"{local} (in {format_duration(left)})"
