"""The window's V2 sunset notice (by the controller's clock) and "Signed in until" for a
sign-in without a refresh token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.window import MainWindow
from tests.gui.conftest import make_window
from tests.gui.test_controller import sign_in
from tests.helpers.fakes import FakeClock
from tests.helpers.sessions import SessionFactory

NO_SETTINGS_SWITCH = "Frame.io V4 (Adobe IMS): start the app again with it as the provider"


@pytest.fixture
def v2_demo() -> Iterator[DemoServer]:
    server = DemoServer(provider="frameio-v2", token_ttl=600).start()
    yield server
    server.stop()


@pytest.fixture
def no_refresh_demo() -> Iterator[DemoServer]:
    """An IMS-shaped demo whose credential gets no refresh token (a Native App)."""
    server = DemoServer(token_ttl=3600, refresh_tokens=False).start()
    yield server
    server.stop()


def test_v2_notice_before_the_retirement_day(
    make_session: SessionFactory, qtbot, v2_demo: DemoServer
) -> None:
    clock = FakeClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    controller = SignInController(make_session(v2_demo.settings_flags(), clock=clock), clock=clock)
    window = make_window(qtbot, controller)
    controller.start()
    qtbot.waitUntil(lambda: controller.state is State.SIGNED_OUT)
    assert window.signed_out_page.sunset_label.isVisibleTo(window)
    assert "retired on 2026-12-01" in window.signed_out_page.sunset_label.text()
    # This window has no Settings button (the demo, `login`): the notice does not send
    # the person to one (with one, tests/gui/test_window_remedies.py).
    assert NO_SETTINGS_SWITCH in window.signed_out_page.sunset_label.text()
    assert "Settings" not in window.signed_out_page.sunset_label.text()
    assert not window.signed_out_page.sunset.action_button.isVisibleTo(window)
    assert "--" not in window.signed_out_page.sunset_label.text()

    sign_in(qtbot, controller)
    assert window.stack.currentWidget() is window.signed_in_page
    assert window.signed_in_page.sunset_label.isVisibleTo(window)
    assert "retired on 2026-12-01" in window.signed_in_page.sunset_label.text()

    # The day comes while the window is open: the next tick says it has happened.
    clock.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    controller.keeper.on_tick()
    assert "has been retired" in window.signed_in_page.sunset_label.text()
    assert NO_SETTINGS_SWITCH in window.signed_in_page.sunset_label.text()
    controller.runner.wait_idle()


def test_v2_notice_after_the_retirement_day(
    make_session: SessionFactory, qtbot, v2_demo: DemoServer
) -> None:
    clock = FakeClock(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    controller = SignInController(make_session(v2_demo.settings_flags(), clock=clock), clock=clock)
    window = make_window(qtbot, controller)
    controller.start()
    qtbot.waitUntil(lambda: controller.state is State.SIGNED_OUT)
    assert "has been retired (since 2026-12-01)" in window.signed_out_page.sunset_label.text()
    assert NO_SETTINGS_SWITCH in window.signed_out_page.sunset_label.text()
    assert "--" not in window.signed_out_page.sunset_label.text()


def test_a_window_built_after_the_launch_shows_the_notice_at_once(
    make_session: SessionFactory, qtbot, v2_demo: DemoServer
) -> None:
    clock = FakeClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    controller = SignInController(make_session(v2_demo.settings_flags(), clock=clock), clock=clock)
    controller.start()  # as main.launch does: the launch starts before the window exists
    qtbot.waitUntil(lambda: controller.state is State.SIGNED_OUT)
    window = make_window(qtbot, controller)
    assert window.signed_out_page.sunset_label.isVisibleTo(window)
    assert "retired on 2026-12-01" in window.signed_out_page.sunset_label.text()


def test_v4_shows_no_notice(qtbot, controller: SignInController, window: MainWindow) -> None:
    controller.start()
    qtbot.waitUntil(lambda: controller.state is State.SIGNED_OUT)
    assert not window.signed_out_page.sunset_label.isVisibleTo(window)
    sign_in(qtbot, controller)
    assert not window.signed_in_page.sunset_label.isVisibleTo(window)


def test_without_a_refresh_token_the_window_says_until_when(
    make_session: SessionFactory, qtbot, no_refresh_demo: DemoServer, clock: FakeClock
) -> None:
    controller = SignInController(
        make_session(no_refresh_demo.settings_flags(), clock=clock), clock=clock
    )
    window = make_window(qtbot, controller)
    sign_in(qtbot, controller)
    tokens = controller.tokens
    assert tokens.refresh_token is None
    local = tokens.expires_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    text = window.signed_in_page.until_label.text()
    assert text.startswith(f"Signed in until {local}")
    assert text.endswith("(in 1 h 00 min)")
    assert window.signed_in_page.until_label.isVisibleTo(window)
    assert not window.signed_in_page.refresh_expires_label.isVisibleTo(
        window
    )  # no refresh-token line
    assert not window.signed_in_page.refresh_button.isEnabled()
    clock.advance(60)
    controller.keeper.on_tick()
    assert window.signed_in_page.until_label.text().endswith("(in 59 min 00 s)")
    controller.runner.wait_idle()


def test_with_a_refresh_token_there_is_no_until_line(
    qtbot, controller: SignInController, window: MainWindow
) -> None:
    sign_in(qtbot, controller)
    assert not window.signed_in_page.until_label.isVisibleTo(window)
    assert window.signed_in_page.refresh_expires_label.isVisibleTo(window)
    assert window.signed_in_page.refresh_expires_label.text().startswith("expires ")
    # "(in 13 d 23 h)" wraps as one piece in the narrow column, never a lone "h)".
    bracket = window.signed_in_page.refresh_expires_label.text().partition(" (in")[2]
    assert bracket
    assert " " not in bracket


def test_the_window_is_freed_without_the_cyclic_garbage_collector(
    qtbot, controller: SignInController
) -> None:
    # A reference cycle through the window leaves it (and its timers) to the cyclic
    # collector, which may run on a worker thread: Qt then warns that timers cannot be
    # stopped from another thread, and may crash.
    import gc
    import weakref

    from frameio_desktop.gui.in_window_host import in_window_host_factory

    gc.collect()
    collecting = gc.isenabled()  # off with Qt: the UI thread collects (ui_thread_gc)
    gc.disable()
    try:
        window = MainWindow(
            controller,
            provider_title="Demo",
            client_id="frameio-desktop-demo",
            profile="demo",
            host_factory=in_window_host_factory(),
        )
        freed = weakref.ref(window)
        del window
        assert freed() is None
    finally:
        if collecting:
            gc.enable()
