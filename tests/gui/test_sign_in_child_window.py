"""The sign-in window process's own logic, run in this process: what it reports to the
window process for each way a sign-in ends. (The end-to-end tests run it as a process.)"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from frameio_desktop.gui.sign_in_child.window import SignInWindowProcess
from tests.helpers.pages import CALLBACK

pytestmark = [pytest.mark.gui, pytest.mark.webengine]


class Child:
    def __init__(self) -> None:
        self.out = io.StringIO()
        self.quits = 0
        self.process = SignInWindowProcess(self.out, quit=self._quit)

    def _quit(self) -> None:
        self.quits += 1

    def events(self, name: str | None = None) -> list[dict]:
        found = [json.loads(line) for line in self.out.getvalue().splitlines()]
        return [e for e in found if name is None or e["event"] == name]

    def command(self, **command: object) -> None:
        self.process.on_command(command)


@pytest.fixture
def child(qtbot) -> Iterator[Child]:
    made = Child()
    yield made
    if not made.process.finished:
        made.command(cmd="close")
    qtbot.waitUntil(lambda: made.quits > 0, timeout=5000)  # web engine objects deleted


def open_page(child: Child, url: str, redirect_uri: str) -> None:
    child.command(
        cmd="open",
        authorize_url=url,
        redirect_uri=redirect_uri,
        geometry=[10, 20, 500, 600],
        parent_window=None,
    )


def test_redirect_is_reported_and_the_window_closes(qtbot, child: Child, pages) -> None:
    open_page(child, f"{pages.url}/start/302", pages.redirect_uri)
    assert child.process.frame is not None
    assert child.process.frame.geometry().getRect() == (10, 20, 500, 600)
    qtbot.waitUntil(lambda: bool(child.events("redirect")), timeout=15_000)
    [redirect] = child.events("redirect")
    assert redirect["url"].startswith(pages.redirect_uri)
    assert "code=the-code" in redirect["url"]
    assert pages.hits[CALLBACK] == 0
    assert child.process.finished
    assert not child.process.frame.isVisible()
    qtbot.waitUntil(lambda: child.quits > 0, timeout=5000)
    child.command(cmd="script", source="1")  # after the end: ignored, nothing reported
    assert child.events("result") == []


def test_closing_the_window_is_a_cancel(qtbot, child: Child, pages) -> None:
    open_page(child, f"{pages.url}/start/stay", pages.redirect_uri)
    qtbot.waitUntil(lambda: bool(child.events("loaded")), timeout=15_000)
    child.process.frame.close()
    assert [e["event"] for e in child.events() if e["event"] != "loaded"] == ["cancel"]
    assert child.process.finished


def test_script_results_come_back_by_id(qtbot, child: Child, pages) -> None:
    open_page(child, f"{pages.url}/start/stay", pages.redirect_uri)
    qtbot.waitUntil(lambda: bool(child.events("loaded")), timeout=15_000)
    child.command(cmd="script", source="6 * 7", id=5)
    child.command(cmd="script", source="document.title", id=6)
    qtbot.waitUntil(lambda: len(child.events("result")) == 2, timeout=10_000)
    results = {e["id"]: e["value"] for e in child.events("result")}
    assert results == {5: 42, 6: "stay"}


def test_unreachable_page_is_reported_as_failed(qtbot, child: Child) -> None:
    open_page(child, "http://127.0.0.1:9/authorize", "http://127.0.0.1:9/callback")
    qtbot.waitUntil(lambda: bool(child.events("failed")), timeout=15_000)
    [failed] = child.events("failed")
    assert "127.0.0.1" in failed["message"]


def test_close_before_open_just_ends(child: Child) -> None:
    child.command(cmd="close")
    assert child.quits == 1
    assert child.events() == []
    child.command(cmd="open", authorize_url="http://127.0.0.1:9/", redirect_uri="x:/")
    assert child.process.frame is None  # ended: a late open opens nothing


def test_a_page_refusing_embedded_views_offers_the_browser(qtbot, child: Child) -> None:
    from tests.helpers.refusal import RefusingAuthorizer

    refusing = RefusingAuthorizer("http://127.0.0.1:9/never")
    try:
        open_page(child, refusing.url + "?state=s", "http://127.0.0.1:9/callback")
        view = child.process.view
        assert view is not None
        qtbot.waitUntil(lambda: view.refused, timeout=15_000)
        assert child.events("failed") == []  # Google's 403 page is shown, not an error
        view.continue_button.click()
        assert child.events("browser") == [{"event": "browser"}]
        assert child.process.finished
    finally:
        refusing.stop()
