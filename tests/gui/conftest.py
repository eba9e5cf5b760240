from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from keyring.backend import KeyringBackend

from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.controller import SignInController
from frameio_desktop.gui.in_window_host import in_window_host_factory
from frameio_desktop.gui.window import MainWindow
from tests.helpers.fakes import FakeClock, MemoryKeyring
from tests.helpers.pages import RoutePages
from tests.helpers.qtobjects import dispose
from tests.helpers.sessions import SessionFactory

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


def make_window(qtbot, controller: SignInController, **values: Any) -> MainWindow:
    """The window on the demo, its sign-in page embedded (values override)."""
    w = MainWindow(
        controller,
        **{
            "provider_title": "Demo",
            "client_id": "frameio-desktop-demo",
            "profile": "demo",
            "host_factory": in_window_host_factory(),
            **values,
        },
    )
    qtbot.addWidget(w)
    return w


@pytest.fixture
def controller(
    qtbot, demo: DemoServer, make_session: SessionFactory, backend: MemoryKeyring, clock: FakeClock
):
    session = make_session(demo.settings_flags(), keyring=backend, clock=clock)
    c = SignInController(session, clock=clock)
    yield c
    c.runner.wait_idle()
    dispose(c)


@pytest.fixture
def window(qtbot, controller: SignInController):
    return make_window(qtbot, controller)


@pytest.fixture
def relaunch(
    qtbot, demo: DemoServer, make_session: SessionFactory, backend: MemoryKeyring, clock: FakeClock
) -> Iterator[Callable[..., tuple[SignInController, MainWindow]]]:
    """The app started again: a new session on the same keyring (or `keyring`), its
    controller and window. Waits for the controllers' work at the end."""
    started: list[SignInController] = []

    def start(keyring: KeyringBackend | None = None) -> tuple[SignInController, MainWindow]:
        session = make_session(demo.settings_flags(), keyring=keyring or backend, clock=clock)
        controller = SignInController(session, clock=clock)
        started.append(controller)
        return controller, make_window(qtbot, controller)

    yield start
    for controller in started:
        controller.runner.wait_idle()
        dispose(controller)
