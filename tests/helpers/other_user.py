"""Run a piece of a test as another user (`nobody`), to show that user is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

OTHER_UID = 65534  # nobody

root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as another user"
)


def as_other_user(action: Callable[[], bytes]) -> bytes:
    """What `action` returns when run in a forked child as `nobody`. The child does not
    exec, so nothing of this user's files needs reading; it fails the test if `action`
    raises."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            os.close(read_end)
            os.setgid(OTHER_UID)
            os.setuid(OTHER_UID)
            os.write(write_end, action())
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        received = answer.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return received


NOBODY = OTHER_UID


def python_for_another_user() -> str | None:
    """A Python that `nobody` may run in a process of its own (this one may sit in root's
    private home); None where no test can act as another user (not Linux, not root)."""
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
