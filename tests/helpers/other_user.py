"""Another user on this computer, for tests of what other local users can reach: runs
a Python as `nobody` (possible only as root on Linux; None otherwise)."""

from __future__ import annotations

import os
import subprocess
import sys

NOBODY = 65534


def python_for_another_user() -> str | None:
    """A Python that user `nobody` may run (this one may sit in root's private home)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    for candidate in (sys.executable, "/usr/bin/python3"):
        try:
            probe = subprocess.run(
                [candidate, "-I", "-c", "pass"], user=NOBODY, cwd="/", timeout=30, check=False
            )
        except OSError:
            continue
        if probe.returncode == 0:
            return candidate
    return None


OTHER_PYTHON = python_for_another_user()
