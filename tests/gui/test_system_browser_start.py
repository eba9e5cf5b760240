"""The system-browser sign-in opens a one-time start address (issue 19, medium 2): a
second fetch of it stops the sign-in, since someone else may have read the request."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import requests

from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.system_browser_host import SystemBrowserHosts
from frameio_desktop.gui.window import MainWindow
from tests.helpers.sessions import new_session


def test_a_second_fetch_of_the_start_address_stops_the_sign_in(qtbot, demo, tmp_path) -> None:
    controller = SignInController(new_session(demo.settings_flags(), folder=tmp_path))
    opened: list[str] = []
    runtime = Path(tempfile.mkdtemp(prefix="rt-"))
    hosts = SystemBrowserHosts(open_url=opened.append, handoff_path=runtime / "s" / "h.sock")
    window = MainWindow(
        controller,
        provider_title="Demo",
        client_id="frameio-desktop-demo",
        profile="demo",
        host_factory=hosts.host_factory(),
    )
    qtbot.addWidget(window)
    try:
        window.show()
        with qtbot.waitSignal(controller.interactive.page_requested, timeout=10_000):
            window.signed_out_page.sign_in_button.click()
        (start,) = opened
        assert controller.interactive.pending is not None
        assert controller.interactive.pending.state not in start
        first = requests.get(start, allow_redirects=False, timeout=10)
        assert first.headers["Location"] == controller.interactive.pending.authorize_url
        with qtbot.waitSignal(
            controller.state_changed, check_params_cb=lambda s: s is State.ERROR, timeout=10_000
        ):
            assert requests.get(start, allow_redirects=False, timeout=10).status_code == 410
        assert controller.problem is not None
        assert "opened twice" in controller.problem.message
    finally:
        assert window.release_web_engine()
        controller.runner.wait_idle()
        hosts.close()
        shutil.rmtree(runtime, ignore_errors=True)
