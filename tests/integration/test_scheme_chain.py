"""The custom-scheme redirect through the real desktop chain: the handler registered with the
real xdg-mime in temporary XDG folders, `xdg-open` (through GNOME's `gio open`) starting it
with the URL, and the started process handing the URL over the handoff socket.

Runs with temporary `XDG_*` folders only, so it never changes the person's own handlers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from frameio_desktop.core.browser import scheme
from frameio_desktop.core.browser.handoff import SOCKET_NAME, HandoffServer
from tests.helpers.desktop import needs_desktop_tools, private_desktop

SCHEME = "adobe+abc123"
URL = f"{SCHEME}://adobeid/client-123?code=the-code&state=the-state"
pytestmark = needs_desktop_tools

# The handler: the second instance's part, handing its argument to the running one.
HANDLER = (
    "import sys; from frameio_desktop.core.browser.handoff import hand_over; hand_over(sys.argv[1])"
)


@pytest.fixture
def desktop() -> Iterator[dict[str, str]]:
    with private_desktop() as xdg:
        yield {**os.environ, **xdg}


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
