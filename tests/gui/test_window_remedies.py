"""Words a window user can act on (issue 21 section 7): every error and notice the window
can show names no flag or variable, offers its own button where one helps, keeps its
words where a screen reader finds them and is announced as it appears."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QApplication

from frameio_desktop.core.errors import (
    SETTING_WORDS,
    ApiRetiredError,
    ConfigError,
    FrameioDesktopError,
)
from frameio_desktop.gui.controller import State
from frameio_desktop.gui.settings_access import Configuration
from frameio_desktop.main import DemoOnDemand
from tests.gui.test_window_settings import App
from tests.helpers.accessibility import shown_words
from tests.helpers.fakes import MemoryKeyring
from tests.helpers.qtobjects import dispose
from tests.unit.test_error_remedies import COMMAND_LINE_WORDS, all_error_classes, sample

pytestmark = pytest.mark.gui


@pytest.fixture
def app(qtbot, tmp_path: Path) -> Iterator[App]:
    """The window as `main` builds it, with the settings form; nothing configured yet."""
    demo = DemoOnDemand(token_ttl=600)
    started = App(qtbot, tmp_path, MemoryKeyring(), demo)
    yield started
    started.window.release_web_engine()
    started.controller.runner.wait_idle()
    dispose(started.controller)
    demo.stop()


def command_line_words(app: App) -> list[str]:
    return [w for w in shown_words(app.window) if COMMAND_LINE_WORDS.search(w)]


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[QAccessible.Event, str]]:
    """What the window hands screen readers to announce."""
    seen: list[tuple[QAccessible.Event, str]] = []

    def record(event: QAccessibleEvent) -> None:
        message = getattr(event, "message", None)
        seen.append((event.type(), message() if message else ""))

    monkeypatch.setattr(QAccessible, "updateAccessibility", record)
    return seen


def test_no_error_the_window_can_show_names_a_flag_or_a_variable(app: App) -> None:
    checked = []
    for cls in all_error_classes():
        error = sample(cls)
        app.controller.shared.fail(error)
        assert app.controller.state is State.ERROR
        assert app.window.error_page.text_label.text() == error.window_message
        assert command_line_words(app) == [], cls.__name__
        app.window.error_page.back_button.click()
        checked.append(cls)
    assert len(checked) > 40


@pytest.mark.parametrize("source", ["", "settings file", "flag", "environment", ".env"])
def test_no_missing_setting_is_shown_with_a_flag_or_a_variable(app: App, source: str) -> None:
    for setting in SETTING_WORDS:
        problem = ConfigError(setting, "is not set", source=source, origin="x")
        app.window.settings.apply(
            Configuration(session=None, settings=None, problem=problem, provider_title="x")
        )
        assert command_line_words(app) == [], setting
        shown = app.window.signed_out_page.settings_needed.text_label.text()
        assert f"The {SETTING_WORDS[setting]} is not set" in shown


def test_a_retired_provider_offers_its_settings_with_the_successor_chosen(app: App) -> None:
    app.controller.shared.fail(ApiRetiredError("Frame.io (legacy V2)", _day(), "frameio-v4"))
    button = app.window.error_page.action_button
    assert button.isVisibleTo(app.window)
    assert button.text() == "Open settings"
    button.click()
    form = app.window.settings.form
    assert form is not None
    assert form.provider.currentData() == "frameio-v4"
    assert QApplication.focusWidget() is form.provider
    assert app.controller.state is State.SIGNED_OUT  # the error page is left behind


def test_a_missing_setting_opens_the_settings_on_its_field(app: App) -> None:
    app.window.start_sign_in()  # no configuration: the sign-in fails with the setting
    assert app.controller.state is State.ERROR
    assert app.window.error_page.action_button.text() == "Open settings"
    app.window.error_page.action_button.click()
    form = app.window.settings.form
    assert form is not None
    assert QApplication.focusWidget() is form.client_id


def test_the_v2_notice_offers_the_settings_with_frame_io_v4_chosen(
    qtbot, tmp_path: Path, announced
) -> None:
    from frameio_desktop.demo.server import DemoServer
    from tests.gui.test_window_settings import write_settings

    v2 = DemoServer(provider="frameio-v2", token_ttl=600).start()
    demo = DemoOnDemand(token_ttl=600)
    try:
        write_settings(v2.settings_flags())
        app = App(qtbot, tmp_path, MemoryKeyring(), demo)
        page = app.window.signed_out_page
        notice = page.sunset_label.text()
        assert "Frame.io V4 (Adobe IMS) in Settings" in notice
        assert not COMMAND_LINE_WORDS.search(notice)
        assert page.sunset_label.accessibleName() == "Provider notice"
        assert page.sunset_label.accessibleDescription() == notice
        assert any(message == notice for _, message in announced)
        button = page.sunset.action_button
        assert button.isVisibleTo(app.window)
        assert button.text() == "Open settings"
        button.click()
        form = app.window.settings.form
        assert form is not None
        assert form.provider.currentData() == "frameio-v4"
        assert QApplication.focusWidget() is form.provider
        app.window.settings.close()
        app.window.release_web_engine()
        app.controller.runner.wait_idle()
        dispose(app.controller)
    finally:
        demo.stop()
        v2.stop()


def test_an_error_without_a_button_shows_none(app: App) -> None:
    app.controller.shared.fail(FrameioDesktopError("Something happened."))
    assert not app.window.error_page.action_button.isVisibleTo(app.window)


def test_an_error_keeps_its_words_for_screen_readers_and_is_announced(app: App, announced) -> None:
    error = ApiRetiredError("Frame.io (legacy V2)", _day(), "frameio-v4")
    app.controller.shared.fail(error)
    label = app.window.error_page.text_label
    assert label.accessibleDescription() == error.window_message
    assert (QAccessible.Event.Announcement, f"{error.title}. {error.window_message}") in (announced)


def test_a_notice_keeps_its_words_for_screen_readers_and_is_announced_once(
    qtbot, announced
) -> None:
    from frameio_desktop.gui.pages.notice import Notice

    notice = Notice("sunsetNotice", "Provider notice")
    qtbot.addWidget(notice)
    notice.show_notice("Frame.io V2 is retired soon.", "Open settings")
    assert notice.text_label.accessibleName() == "Provider notice"
    assert notice.text_label.accessibleDescription() == "Frame.io V2 is retired soon."
    assert announced == [(QAccessible.Event.Announcement, "Frame.io V2 is retired soon.")]
    notice.show_notice("Frame.io V2 is retired soon.", "Open settings")  # each tick
    assert len(announced) == 1
    notice.show_notice(None)
    notice.show_notice("Frame.io V2 is retired soon.", "Open settings")  # shown again
    assert len(announced) == 2


def _day():
    from datetime import date

    return date(2026, 12, 1)
