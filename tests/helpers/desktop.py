"""A private freedesktop.org desktop for the custom-scheme tests: XDG folders of its own,
so the person's own URL handlers are never touched."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

#: What registering and opening a scheme handler runs (scripts/test installs them).
TOOLS = ("xdg-open", "xdg-mime", "gio")

needs_desktop_tools = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS) or sys.platform != "linux",
    reason="needs xdg-utils and gio (scripts/test installs them)",
)


@contextlib.contextmanager
def private_desktop() -> Iterator[dict[str, str]]:
    """The XDG variables of a desktop in a temporary folder, removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="xdg-"))  # short: a socket path must fit
    runtime = base / "run"
    runtime.mkdir(mode=0o700)
    try:
        yield {
            "XDG_DATA_HOME": str(base / "data"),
            "XDG_CONFIG_HOME": str(base / "config"),
            "XDG_DATA_DIRS": str(base / "none"),  # no system-wide handlers for the scheme
            "XDG_RUNTIME_DIR": str(runtime),
            # xdg-utils 1.1.3's generic opener takes a scheme with digits for a file name;
            # GNOME's `gio open`, which most desktops end up calling, does not.
            "XDG_CURRENT_DESKTOP": "GNOME",
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)
