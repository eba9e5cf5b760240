"""The settings form's **Check set-up**: `frameio-desktop doctor`'s checks, run on a pool
thread (`TaskRunner`), their results shown in the form.

It only translates: the checks (`core/doctor.py`) come in as a callable, so the window
runs exactly what the command line runs, on the saved settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from frameio_desktop.core.doctor_check import Check
from frameio_desktop.gui.tasks import Task, TaskRunner

RunChecks = Callable[[], Sequence[Check]]
BUTTON_TEXT = "Check set-up"
BUTTON_HELP = (
    "Check the saved settings, the keyring, the redirect, the display and browser, the "
    "network and the clock"
)


def results_text(checks: Sequence[Check]) -> str:
    """One line per check, ✓ or ✗, and under a failed one what to do; the failed ones
    first (what needs doing is read first, without scrolling past what passed)."""
    lines = []
    for check in sorted(checks, key=lambda check: check.ok):
        detail, fix = check.for_window
        lines.append(f"{'✓' if check.ok else '✗'} {check.name}: {detail}")
        if fix:
            lines.append(f"     What to do: {fix}")
    failed = sum(not check.ok for check in checks)
    summary = (
        f"All {len(checks)} checks passed."
        if not failed
        else f"{failed} of {len(checks)} checks failed."
    )
    return "\n".join([summary, *lines])


class SetupCheck(QObject):
    """The button and the results label; the form places both."""

    finished = Signal()

    def __init__(self, run_checks: RunChecks, runner: TaskRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self._run_checks = run_checks
        self._runner = runner
        self._task: Task | None = None
        self._had_focus = False
        self.button = QPushButton(BUTTON_TEXT, parent)
        self.button.setObjectName("checkSetup")
        self.button.setAccessibleName(BUTTON_TEXT)
        self.button.setAccessibleDescription(BUTTON_HELP)
        self.button.setToolTip(BUTTON_HELP + ". Save first to check changes.")
        self.button.clicked.connect(self.start)
        self.results = QLabel(parent)
        self.results.setObjectName("setupCheckResults")
        self.results.setTextFormat(Qt.TextFormat.PlainText)
        self.results.setWordWrap(True)
        self.results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.results.setAccessibleName("Set-up check")
        self.results.hide()

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        if self._task is not None:
            return
        # Disabling the button moves the keyboard focus on; it comes back when done.
        self._had_focus = self.button.hasFocus()
        self.button.setEnabled(False)
        self.button.setText("Checking…")
        self._show(
            "Checking the saved settings… (the network and the custom scheme can "
            "take a few seconds)"
        )
        self._task = self._runner.run(self._run_checks, self._done, self._failed)

    def cancel(self) -> None:
        """Drop a running check's result (the form is going away)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    def _done(self, checks: Sequence[Check]) -> None:
        self._finish(results_text(checks))

    def _failed(self, error: BaseException) -> None:
        self._finish(f"The check could not run: {type(error).__name__}: {error}")

    def _finish(self, text: str) -> None:
        self._task = None
        self.button.setEnabled(True)
        self.button.setText(BUTTON_TEXT)
        if self._had_focus:
            self.button.setFocus()
        self._show(text)
        self.finished.emit()

    def _show(self, text: str) -> None:
        self.results.setText(text)
        # A screen reader reads the results, not only the label's name.
        self.results.setAccessibleDescription(text)
        self.results.show()
