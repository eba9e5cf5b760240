"""The custom-scheme redirect through the real desktop chain: the handler registered with the
real xdg-mime in temporary XDG folders, `xdg-open` (through GNOME's `gio open`) starting it
with the URL, and the started process handing the URL over the handoff socket.

Runs with temporary `XDG_*` folders only, so it never changes the person's own handlers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from frameio_desktop.core.browser import scheme
from frameio_desktop.core.browser.handoff import SOCKET_NAME, HandoffServer

SCHEME = "adobe+abc123"
URL = f"{SCHEME}://adobeid/client-123?code=the-code&state=the-state"
TOOLS = ("xdg-open", "xdg-mime", "gio")

pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS) or sys.platform != "linux",
    reason="needs xdg-utils and gio (scripts/test installs them)",
)

# The handler: the second instance's part, handing its argument to the running one.
HANDLER = (
    "import sys; from frameio_desktop.core.browser.handoff import hand_over; hand_over(sys.argv[1])"
)


@pytest.fixture
def desktop() -> Iterator[dict[str, str]]:
    base = Path(tempfile.mkdtemp(prefix="xdg-"))  # short: the socket path must fit
    runtime = base / "run"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(base / "data"),
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_DATA_DIRS": str(base / "none"),  # no system-wide handlers for the scheme
        "XDG_RUNTIME_DIR": str(runtime),
        # xdg-utils 1.1.3's generic opener takes a scheme with digits for a file name;
        # GNOME's `gio open` (what most Linux desktops end up calling) does not.
        "XDG_CURRENT_DESKTOP": "GNOME",
    }
    yield env
    shutil.rmtree(base, ignore_errors=True)


def test_xdg_open_starts_the_handler_which_hands_over(desktop: dict[str, str]) -> None:
    command = [sys.executable, "-c", HANDLER]
    assert scheme.register(SCHEME, command, platform="linux", environ=desktop).changed
    assert scheme.is_registered(SCHEME, command, platform="linux", environ=desktop)

    arrived = threading.Event()
    received: list[str] = []

    def deliver(url: str) -> str | None:
        received.append(url)
        arrived.set()
        return None

    socket_path = Path(desktop["XDG_RUNTIME_DIR"]) / "frameio-desktop" / SOCKET_NAME
    with HandoffServer(deliver, socket_path):
        subprocess.run(["xdg-open", URL], env=desktop, check=True, timeout=60)
        assert arrived.wait(60)
    assert received == [URL]


def test_unregister_undoes_it(desktop: dict[str, str]) -> None:
    command = [sys.executable, "-c", HANDLER]
    scheme.register(SCHEME, command, platform="linux", environ=desktop)
    assert scheme.unregister(SCHEME, platform="linux", environ=desktop).changed
    query = subprocess.run(
        ["xdg-mime", "query", "default", f"x-scheme-handler/{SCHEME}"],
        env=desktop,
        capture_output=True,
        text=True,
        check=True,
    )
    assert query.stdout.strip() == ""
    assert not scheme.is_registered(SCHEME, command, platform="linux", environ=desktop)
    opened = subprocess.run(["xdg-open", URL], env=desktop, capture_output=True, timeout=60)
    assert opened.returncode != 0
