"""`frameio-desktop doctor`: one run of checks that answers "why can't I sign in?".

Each check is a `Check`: a name, whether it passed, what was found, and the fix in one
line (`doctor_check`). The checks live beside this module (`doctor_settings`,
`doctor_keyring`, `doctor_scheme`, `doctor_network`); this one runs them in order and
renders the result for the command line (text or JSON). No Qt: the window's settings form
runs the same checks on a pool thread and shows the list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from frameio_desktop.core.doctor_check import Check, DoctorContext

__all__ = ["Check", "DoctorContext", "run_checks", "run_doctor"]


CheckFunction = Callable[[DoctorContext], "Check | Sequence[Check]"]


def all_checks() -> list[CheckFunction]:
    """Every check, in the order they run and are shown."""
    from frameio_desktop.core import doctor_keyring, doctor_network, doctor_scheme
    from frameio_desktop.core import doctor_settings as settings

    return [
        settings.check_settings,
        settings.check_redirect,
        doctor_keyring.check_keyring,
        settings.check_session,
        settings.check_display_and_browser,
        doctor_scheme.check_custom_scheme,
        doctor_network.check_network,
    ]


def run_checks(
    context: DoctorContext | None = None, checks: Sequence[CheckFunction] | None = None
) -> list[Check]:
    """Run every check; a check that fails unexpectedly is a failed check, not a crash."""
    context = context or DoctorContext()
    results: list[Check] = []
    for check in checks if checks is not None else all_checks():
        try:
            found = check(context)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the rest
            name = getattr(check, "__name__", "check").removeprefix("check_").replace("_", " ")
            found = Check(
                name,
                False,
                f"the check itself failed: {type(exc).__name__}: {exc}",
                "Run again with -v and report it.",
            )
        results.extend([found] if isinstance(found, Check) else found)
    return results


def all_passed(checks: Sequence[Check]) -> bool:
    return all(check.ok for check in checks)


def checks_json(checks: Sequence[Check]) -> dict[str, Any]:
    """`doctor --json`: `{"checks": [{"name", "ok", "detail", "fix"}]}`."""
    return {"checks": [check.to_json() for check in checks]}


def marks_for(out: TextIO) -> tuple[str, str]:
    """✓ and ✗, or plain `ok`/`XX` where the terminal's encoding has no such characters."""
    encoding = getattr(out, "encoding", None) or "ascii"
    try:
        "✓✗→".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "ok", "XX"
    return "✓", "✗"


def render_text(checks: Sequence[Check], out: TextIO) -> None:
    """One line per check (✓ or ✗, its name, what was found), and under a failed one its
    fix, on one line."""
    good, bad = marks_for(out)
    arrow = "→" if good == "✓" else "->"
    width = max((len(check.name) for check in checks), default=0)
    for check in checks:
        out.write(f"{good if check.ok else bad} {check.name.ljust(width)}  {check.detail}\n")
        if check.fix:
            out.write(f"  {' ' * width}  {arrow} {check.fix}\n")
    failed = [check.name for check in checks if not check.ok]
    if failed:
        out.write(f"\n{len(failed)} of {len(checks)} checks failed: {', '.join(failed)}.\n")
    else:
        out.write(f"\nAll {len(checks)} checks passed.\n")


def render_json(checks: Sequence[Check], out: TextIO) -> None:
    json.dump(checks_json(checks), out)
    out.write("\n")


def run_doctor(flags: Mapping[str, str | None], *, as_json: bool, out: TextIO) -> int:
    """`frameio-desktop doctor [--json]`: run every check, print them; 0 only if all pass
    (else `ExitCode.CHECK_FAILED`)."""
    from frameio_desktop.core.errors import ExitCode

    checks = run_checks(DoctorContext(flags=flags))
    (render_json if as_json else render_text)(checks, out)
    return ExitCode.OK if all_passed(checks) else ExitCode.CHECK_FAILED
