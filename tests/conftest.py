from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pytest

from tests.helpers.fakes import FakeClock, MemoryKeyring
from tests.helpers.sessions import SessionFactory, new_session

if TYPE_CHECKING:
    from tests.helpers.demo import GatedDemoServer

CUSTOM_REDIRECT = "adobe+abc123://adobeid/client-123"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    # Chromium will not start as root with its sandbox (tests only; the app warns).
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-background-networking")


def pytest_configure(config: pytest.Config) -> None:
    try:
        from PySide6.QtCore import QCoreApplication, Qt
    except ImportError:  # the core-only run has no Qt
        return
    # QtWebEngine is imported lazily, after the QApplication exists; it needs this first.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    # The app registers its custom redirect scheme before its first web view; in one test
    # process many web views come and go, so the custom scheme used in tests is registered
    # before any of them.
    from frameio_desktop.gui.webview import register_redirect_scheme

    register_redirect_scheme(CUSTOM_REDIRECT)
    try:
        from frameio_desktop.demo.server import DEMO_NATIVE_REDIRECT
    except ImportError:  # no demo extra installed
        return
    register_redirect_scheme(DEMO_NATIVE_REDIRECT)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """No test reads or writes the real user's settings, locks, .env or runtime folder
    (where the person's running app listens for sign-in handoffs)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))  # web profiles
    # Short, and private: a Unix socket path must fit in about 100 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="rt-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.chdir(home)
    for name in list(os.environ):
        if name.startswith("FRAMEIO_") or name in ("CLIENT_ID", "CLIENT_SECRET"):
            monkeypatch.delenv(name)
    yield
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture(autouse=True)
def _cyclic_collector_on_the_ui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """As in the app (gui/app.py): with Qt, Python's cyclic collector runs on the UI
    thread only, never on a worker thread that would free a Qt object there. After each
    test it collects what is due, for the tests that run no event loop."""
    collector = None
    if "qapp" in request.fixturenames:
        from frameio_desktop.gui.ui_thread_gc import collect_on_ui_thread

        request.getfixturevalue("qapp")
        collector = collect_on_ui_thread()
    yield
    if collector is None and "PySide6.QtCore" in sys.modules:
        from frameio_desktop.gui.ui_thread_gc import collect_on_ui_thread

        collector = collect_on_ui_thread()
    if collector is not None:
        collector.check()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def demo() -> Iterator[GatedDemoServer]:
    """The demo sign-in server on a free loopback port (10-minute access tokens), whose
    token requests a test can hold (`demo.state.token_gate`)."""
    from tests.helpers.demo import GatedDemoServer  # needs the demo extra (Flask)

    # The tests that use it refresh: they ask for a credential that gets refresh tokens.
    server = GatedDemoServer(token_ttl=600, refresh_tokens=True)
    server.start()
    yield server
    server.state.token_gate.set()
    server.stop()


@pytest.fixture
def make_session(tmp_path: Path) -> SessionFactory:
    """The one session factory: see tests/helpers/sessions.py."""
    return functools.partial(new_session, folder=tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lock_dir(tmp_path: Path) -> Path:
    return tmp_path / "locks"
