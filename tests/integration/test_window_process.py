"""The window as a process: SIGINT and SIGTERM quit it cleanly, and without a display it
says so in plain words with its own exit code (Qt's own message blames a library). Real
processes, offscreen Qt."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import IO

import pytest

from frameio_desktop.core.errors import ExitCode
from tests.helpers.cli import secret_service_missing

pytestmark = [
    pytest.mark.gui,
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read_until(stream: IO[str] | None, text: str) -> str:
    assert stream is not None
    seen = ""
    for line in stream:
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never came; the stream said: {seen!r}")


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, ExitCode.INTERRUPTED), (signal.SIGTERM, ExitCode.TERMINATED)],
)
def test_the_window_quits_cleanly_on_a_signal(signum: int, code: ExitCode) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "FRAMEIO_DEMO_PORT": str(free_port()),
        "PYTHONUNBUFFERED": "1",
    }
    window = subprocess.Popen(
        [sys.executable, "-m", "frameio_desktop", "-v", "--demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        read_until(window.stderr, "SIGINT and SIGTERM quit it")  # the handlers are in place
        window.send_signal(signum)
        _, err = window.communicate(timeout=30)
    finally:
        window.kill()
    assert window.returncode == code, err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err


@pytest.mark.parametrize("arguments", [[], ["--demo"]])
def test_without_a_display_the_window_says_so(arguments: list[str]) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "-m", "frameio_desktop", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == ExitCode.NO_DISPLAY, result.stderr
    assert "There is no display to show the window on" in result.stderr
    assert "login --no-browser" in result.stderr
    assert "xcb" not in result.stderr
