from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.controller import SignInController
from frameio_desktop.gui.embedded_host import embedded_host_factory
from frameio_desktop.gui.window import MainWindow
from tests.helpers.demo import demo_session
from tests.helpers.fakes import FakeClock, MemoryKeyring
from tests.helpers.pages import RoutePages
from tests.helpers.qtobjects import dispose

pytestmark = pytest.mark.gui


@pytest.fixture
def pages() -> Iterator[RoutePages]:
    """Pages that reach the redirect URI every way a page can, on a counting server."""
    server = RoutePages().start()
    yield server
    server.stop()


@pytest.fixture
def backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def controller(qtbot, demo: DemoServer, tmp_path: Path, backend: MemoryKeyring, clock: FakeClock):
    session = demo_session(demo, tmp_path, backend, clock=clock)
    c = SignInController(session, clock=clock)
    yield c
    c.runner.wait_idle()
    dispose(c)


@pytest.fixture
def window(qtbot, controller: SignInController):
    w = MainWindow(
        controller,
        provider_title="Demo",
        client_id="frameio-desktop-demo",
        profile="demo",
        host_factory=embedded_host_factory(),
    )
    qtbot.addWidget(w)
    return w
