"""The settings form's **Check set-up**: the doctor's checks run on a pool thread and shown
in the form, through the real widgets and, in the window, the real settings access."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from frameio_desktop.core.configure import PROVIDER_CHOICES, check_all, current_setup
from frameio_desktop.core.doctor_check import Check
from frameio_desktop.gui.settings_form import SettingsForm
from frameio_desktop.gui.tasks import TaskRunner
from frameio_desktop.main import DemoOnDemand
from tests.gui.test_window_settings import (  # noqa: F401 - fixtures
    demo_file_values,
    on_demand,
    start_app,
    write_settings,
)
from tests.unit.test_error_remedies import window_jargon

pytestmark = pytest.mark.gui


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.wait_idle()


def form_with(qtbot, tmp_path: Path, run, runner: TaskRunner) -> SettingsForm:
    state = current_setup(
        {}, environ={}, dotenv_path=tmp_path / ".env", settings_path=tmp_path / "s.json"
    )
    form = SettingsForm(
        state, lambda v: check_all(v, state), PROVIDER_CHOICES, setup_check=(run, runner)
    )
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def test_the_checks_run_off_the_ui_thread_and_their_results_are_shown(
    qtbot, tmp_path: Path, runner: TaskRunner
) -> None:
    release = threading.Event()
    threads: list[threading.Thread] = []

    def run() -> Sequence[Check]:
        threads.append(threading.current_thread())
        release.wait(30)
        return [
            Check("keyring", True, "unlocked"),
            Check("clock", False, "12 min ahead of ims-na1", "Set the clock automatically."),
        ]

    form = form_with(qtbot, tmp_path, run, runner)
    form.resize(560, 420)  # shorter than the fields: the results need scrolling to
    check = form.setup_check
    assert check is not None
    assert not check.results.isVisible()
    qtbot.mouseClick(check.button, Qt.MouseButton.LeftButton)
    assert not check.button.isEnabled()  # the window stays responsive meanwhile
    assert "Checking" in check.results.text()
    with qtbot.waitSignal(check.finished, timeout=30_000):
        release.set()
    assert threads
    assert threads[0] is not threading.main_thread()
    text = check.results.text()
    assert text.startswith("1 of 2 checks failed.")
    # The failed check comes first, though it ran last.
    assert text.index("✗ clock") < text.index("✓ keyring")
    # The results are scrolled into view (they come in under the fields).
    qtbot.waitUntil(lambda: form.fields_scroll.verticalScrollBar().value() > 0)
    assert not check.results.visibleRegion().isEmpty()
    assert "✓ keyring: unlocked" in text
    assert "✗ clock: 12 min ahead of ims-na1" in text
    assert "What to do: Set the clock automatically." in text
    assert check.results.accessibleDescription() == text
    assert check.button.isEnabled()
    # Started from the keyboard, the focus is back on the button (not moved on to Cancel).
    check.button.setFocus()
    qtbot.waitUntil(check.button.hasFocus)
    with qtbot.waitSignal(check.finished, timeout=30_000):
        qtbot.keyClick(check.button, Qt.Key.Key_Space)
    assert check.button.hasFocus()


def test_closing_the_form_drops_a_running_check(qtbot, tmp_path: Path, runner: TaskRunner) -> None:
    release = threading.Event()

    def run() -> Sequence[Check]:
        release.wait(30)
        return [Check("clock", True, "fine")]

    form = form_with(qtbot, tmp_path, run, runner)
    check = form.setup_check
    assert check is not None
    check.start()
    form.hide()
    with qtbot.assertNotEmitted(check.finished, wait=200):
        release.set()
        runner.wait_idle()
    assert "fine" not in check.results.text()


def test_the_window_runs_the_doctors_checks_on_the_saved_settings(
    qtbot,
    start_app,  # noqa: F811 - a fixture imported above
    on_demand: DemoOnDemand,  # noqa: F811 - a fixture imported above
) -> None:
    demo = on_demand.start()
    write_settings(demo_file_values(demo))
    app = start_app()
    app.window.open_settings()
    form = app.window.settings.form
    assert form is not None
    button = form.findChild(QPushButton, "checkSetup")
    assert button is not None
    assert form.setup_check is not None
    with qtbot.waitSignal(form.setup_check.finished, timeout=120_000):
        button.click()
    text = form.setup_check.results.text()
    for name in ("settings", "redirect", "keyring", "session", "network", "clock"):
        assert f" {name}: " in text
    # In the window's words: the command line's doctor says provider=frameio-v4 (the
    # settings file); the form names the provider by its title, and no variable, flag,
    # preset id or Python class.
    assert "✓ settings: provider: Frame.io V4 (Adobe IMS); " in text
    assert window_jargon(text) == []
    assert "✓ network: authorize and token 127.0.0.1 answers" in text
    assert "✓ clock: within" in text


def test_a_section_and_long_results_get_the_height_their_wrapped_text_needs(
    qtbot,
    start_app,  # noqa: F811 - a fixture imported above
    on_demand: DemoOnDemand,  # noqa: F811 - a fixture imported above
) -> None:
    """In the window, a section (as the background options are) and many wrapped lines of
    results: each is as tall as its text needs at its own width. As rows of the form they
    got less, and the last checks were cut off below blank space."""
    write_settings(demo_file_values(on_demand.start()))
    app = start_app()
    app.window.resize(560, 740)
    app.window.open_settings()
    form = app.window.settings.form
    assert form is not None
    assert form.setup_check is not None
    note = QLabel("A note that wraps over several lines in a window of this width. " * 4)
    note.setWordWrap(True)
    form.add_section(note)
    results = form.setup_check.results
    results.setText(
        "\n".join(f"✗ check {n}: " + "a detail that wraps at this width " * 4 for n in range(8))
    )
    results.show()

    def fits(label: QLabel) -> bool:
        return label.height() >= label.heightForWidth(label.width())

    qtbot.waitUntil(lambda: fits(results) and fits(note), timeout=5_000)
