"""The settings form: fields, a hint under each, and the reason beside any bad value.

It only translates: it is given the starting values with their sources, a function that
checks values (the core's rules, `core.configure`), and the provider presets; it emits
`save_requested(SetupValues)` and `cancel_requested()`. Saving is the host's job.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from frameio_desktop.core.configure import (
    Check,
    Level,
    SetupState,
    SetupValues,
    can_save,
)
from frameio_desktop.core.providers import ProviderPreset
from frameio_desktop.core.settings import DOTENV, ENVIRONMENT, FLAG, KEYRING
from frameio_desktop.gui.setup_check import RunChecks, SetupCheck
from frameio_desktop.gui.tasks import TaskRunner

log = logging.getLogger(__name__)

Validate = Callable[[SetupValues], Mapping[str, Check]]

LABELS: dict[str, str] = {
    "provider": "Provider",
    "issuer": "Issuer",
    "client_id": "Client ID",
    "redirect_uri": "Redirect URI",
    "client_secret": "Client secret",
    "profile": "Profile",
    "scopes": "Scopes",
    "authorize_url": "Authorize URL",
    "token_url": "Token URL",
    "account_url": "Account URL",
    "revoke_url": "Revoke URL",
}
HINTS: dict[str, str] = {
    "provider": "Frame.io V4 signs in with your Adobe ID.",
    "issuer": "The OpenID Connect server's address; its endpoints are found from it.",
    "client_id": "The client ID (API key) of your credential in Adobe Developer Console.",
    "redirect_uri": (
        "Native App credential in Adobe Developer Console: adobe+<hash>://adobeid/<client id>"
    ),
    "client_secret": "Kept in the system keyring, never in the settings file.",
    "profile": "Keeps separate sign-ins apart. Empty: “default”.",
    "scopes": "Separated by spaces. Empty: the provider's own list.",
    "authorize_url": "Empty: the provider's own address.",
    "token_url": "Empty: the provider's own address.",
    "account_url": "Empty: the provider's own address.",
    "revoke_url": "Empty: the provider's own address.",
}
#: The redirect URI's hint for Frame.io V4 with a Web App credential, and for any other
#: provider (the Native App one is HINTS["redirect_uri"]).
WEB_APP_REDIRECT_HINT = (
    "Web App credential in Adobe Developer Console: its Default redirect URI (https://…)"
)
OTHER_REDIRECT_HINT = "The redirect URI registered for this app with your provider."
WEB_APP_LABEL = "This is a Web App credential (has a client secret)"
ADVANCED_FIELDS = ("scopes", "authorize_url", "token_url", "account_url", "revoke_url")


def source_note(name: str, source: str) -> str:
    """Where an overriding value comes from, and that it wins, in plain words (no flag
    or variable name: a person who double-clicked the app has no command line)."""
    where = {
        FLAG: "on the command line that started the app",
        ENVIRONMENT: "in the environment the app was started from",
        DOTENV: "in a .env file in the folder the app was started from",
    }.get(source, f"by the {source}")
    return f"Set {where}; it wins over this form. Change it there."


def _small(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class _Row:
    """One field: its label (the buddy), the editor, a hint and the check's message."""

    def __init__(self, name: str, editor: QWidget, form: QFormLayout) -> None:
        self.name = name
        self.editor = editor
        self.label = QLabel(LABELS[name])
        self.label.setObjectName("fieldName")
        self.label.setBuddy(editor)
        # The label is the accessible name; a screen reader also gets the hint.
        editor.setAccessibleName(LABELS[name])
        editor.setObjectName(f"field_{name}")
        self.hint = _small(HINTS.get(name, ""), "hint")
        self.message = _small("", "fieldMessage")
        self.message.hide()
        #: Changed by the person (or Save was tried): its error is then shown as one.
        self.touched = False
        self.box = QWidget()
        column = QVBoxLayout(self.box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        column.addWidget(self.hint)
        column.addWidget(self.message)
        # Shown only once it has a parent: a parentless widget shown is a window of its own.
        self.hint.setVisible(bool(self.hint.text()))
        form.addRow(self.label, self.box)
        self.form = form
        self.describe()

    def show_check(self, check: Check) -> None:
        self.message.setText(check.message)
        # An empty form is not a mistake: a field not yet touched shows what it needs
        # calmly; the same words turn into an error once it is changed or Save is tried.
        level = check.level.value
        if check.level is Level.ERROR and not self.touched:
            level = "pending"
        self.message.setProperty("level", level)
        self.message.setVisible(check.level is not Level.OK)
        # Restyle: a dynamic property does not re-apply the style sheet by itself.
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.describe()

    def describe(self) -> None:
        parts = [self.hint.text()] if self.hint.isVisibleTo(self.box) else []
        if self.message.text() and not self.message.isHidden():
            level = self.message.property("level")
            prefix = {"error": "Error: ", "warning": "Warning: "}.get(str(level), "")
            parts.insert(0, prefix + self.message.text())
        self.editor.setAccessibleDescription(" ".join(parts))

    def set_visible(self, visible: bool) -> None:
        self.form.setRowVisible(self.label, visible)


class SettingsForm(QWidget):
    """Provider, client ID, redirect URI, secret (Web App only), profile, Advanced."""

    save_requested = Signal(object)  # SetupValues
    cancel_requested = Signal()

    def __init__(
        self,
        state: SetupState,
        validate: Validate,
        presets: Sequence[ProviderPreset],
        parent: QWidget | None = None,
        *,
        setup_check: tuple[RunChecks, TaskRunner] | None = None,
    ) -> None:
        """`setup_check`: the doctor's checks and the runner that runs them off the UI
        thread; with it the form has a **Check set-up** button."""
        super().__init__(parent)
        self.setObjectName("settingsForm")
        self.state = state
        self.validate = validate
        self.presets = {p.name: p for p in presets}
        self.checks: Mapping[str, Check] = {}
        self.rows: dict[str, _Row] = {}

        heading = _small("Settings", "heading")
        intro = _small(
            "What this app needs to sign you in. They are saved in your settings file; "
            "the client secret, if there is one, in the system keyring.",
            "muted",
        )
        self.problem = _small(state.file_problem or "", "formProblem")
        self.problem.hide()

        fields = QWidget()
        fields.setObjectName("formFields")
        # The form's rows, then the sections and the check's results in a column of their
        # own: a QFormLayout gives a whole-width row less height than its wrapped text needs
        # (the results and the background note were cut off below blank space).
        column = QVBoxLayout(fields)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        rows = QWidget()
        column.addWidget(rows)
        form = QFormLayout(rows)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(10)

        self.provider = QComboBox()
        for preset in presets:
            self.provider.addItem(preset.title, preset.name)
        self._add("provider", self.provider, form)
        self.issuer = self._line("issuer", form)
        self.client_id = self._line("client_id", form)
        self.redirect_uri = self._line("redirect_uri", form)
        self.web_app = QCheckBox(WEB_APP_LABEL)
        self.web_app.setObjectName("webApp")
        self.web_app.setAccessibleName(WEB_APP_LABEL)
        form.addRow(QLabel(), self.web_app)  # in the fields' column
        self.client_secret = self._line("client_secret", form)
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.profile = self._line("profile", form)

        self.advanced = QToolButton()
        self.advanced.setObjectName("advancedToggle")
        self.advanced.setText("Advanced")
        self.advanced.setAccessibleName("Advanced settings")
        self.advanced.setAccessibleDescription("Scopes and endpoint overrides")
        self.advanced.setCheckable(True)
        self.advanced.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced.toggled.connect(self._show_advanced)
        form.addRow(self.advanced)
        # Advanced rows live in the same form (aligned columns); the toggle shows them.
        self.endpoint_edits = {name: self._line(name, form) for name in ADVANCED_FIELDS}
        self.setup_check = SetupCheck(*setup_check, self) if setup_check else None
        self._column, self._sections_at = column, column.count()  # see add_section
        if self.setup_check is not None:
            column.addWidget(self.setup_check.results)
        column.addStretch(1)

        scroll = QScrollArea()
        scroll.setObjectName("formScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(fields)
        scroll.viewport().setAutoFillBackground(False)
        if self.setup_check is not None:
            self.setup_check.finished.connect(self._scroll_to_results)
        #: Where the check's results start, until the scroll range reaches it.
        self._scroll_to: int | None = None
        scroll.verticalScrollBar().rangeChanged.connect(self._range_changed)
        self.fields_scroll = scroll

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("formCancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setAccessibleDescription("Close the settings without saving")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("formSave")
        self.save_button.setAccessibleName("Save settings")
        self.save_button.setProperty("primary", True)
        self.save_button.setToolTip("Save the settings (Enter)")
        self.save_button.clicked.connect(self.submit)
        for button in (self.cancel_button, self.save_button):
            button.setMinimumHeight(36)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        if self.setup_check is not None:
            self.setup_check.button.setMinimumHeight(36)
            row.addWidget(self.setup_check.button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 20, 32, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.problem)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.problem.setVisible(bool(state.file_problem))

        # Enter saves from anywhere in the form (a line edit passes Enter on).
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self)
            enter.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            enter.activated.connect(self.submit)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.cancel_requested)

        self._show_advanced(False)
        self._fill(state)
        self._tab_order()
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self.web_app.toggled.connect(self._web_app_changed)
        for edit in (self.issuer, self.client_id, self.redirect_uri, self.client_secret):
            edit.textChanged.connect(self.revalidate)
        for edit in (self.profile, *self.endpoint_edits.values()):
            edit.textChanged.connect(self.revalidate)
        self._provider_changed()
        self._web_app_changed()

    # -- building ------------------------------------------------------------------------

    def _add(self, name: str, editor: QWidget, form: QFormLayout) -> _Row:
        row = _Row(name, editor, form)
        self.rows[name] = row
        return row

    def _line(self, name: str, form: QFormLayout) -> QLineEdit:
        edit = QLineEdit()
        edit.setClearButtonEnabled(name != "client_secret")
        row = self._add(name, edit, form)
        edit.textEdited.connect(lambda _text: setattr(row, "touched", True))
        return edit

    def _fill(self, state: SetupState) -> None:
        for name, row in self.rows.items():
            value = state.fields.get(name)
            if value is None:
                continue
            if name == "provider":
                index = self.provider.findData(value.value)
                self.provider.setCurrentIndex(max(index, 0))
            elif name != "client_secret" and isinstance(row.editor, QLineEdit):
                row.editor.setText(value.value)
            if value.read_only:
                self._lock(row, source_note(name, value.source))
        self.web_app.setChecked(state.web_app)
        secret = state.fields.get("client_secret")
        if secret is not None and secret.read_only:
            self.web_app.setEnabled(False)
            self.client_secret.setPlaceholderText("(set outside the app)")
        elif secret is not None and secret.source == KEYRING:
            self.client_secret.setPlaceholderText("Saved in the keyring; empty keeps it")
        # Advanced opens by itself when something in it is set, so nothing set is hidden.
        if any(name in state.fields and state.fields[name].value for name in ADVANCED_FIELDS):
            self.advanced.setChecked(True)

    def _lock(self, row: _Row, note: str) -> None:
        if isinstance(row.editor, QLineEdit):
            row.editor.setReadOnly(True)
        else:
            row.editor.setEnabled(False)
        row.editor.setProperty("overridden", True)
        row.hint.setText(note)
        row.hint.show()
        row.describe()

    def _tab_order(self) -> None:
        chain: list[QWidget] = [
            self.provider,
            self.issuer,
            self.client_id,
            self.redirect_uri,
            self.web_app,
            self.client_secret,
            self.profile,
            self.advanced,
            *self.endpoint_edits.values(),
            *([self.setup_check.button] if self.setup_check else []),
            self.cancel_button,
            self.save_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- reacting ------------------------------------------------------------------------

    def _provider_changed(self) -> None:
        preset = self.presets.get(self.provider.currentData())
        discovery = preset is not None and preset.discovery
        self.rows["issuer"].set_visible(discovery)
        if preset is not None:
            self.endpoint_edits["scopes"].setPlaceholderText(" ".join(preset.scopes))
            for name in ADVANCED_FIELDS[1:]:
                default = getattr(preset, name)
                placeholder = default or ("from the issuer" if discovery else "none")
                self.endpoint_edits[name].setPlaceholderText(placeholder)
        self._redirect_hint()
        self.revalidate()

    def _web_app_changed(self) -> None:
        self.rows["client_secret"].set_visible(self.web_app.isChecked())
        self._redirect_hint()
        self.revalidate()

    def _redirect_hint(self) -> None:
        """The redirect URI's hint for the chosen provider and kind of credential (not
        over a note saying where an overriding value comes from)."""
        row = self.rows["redirect_uri"]
        if row.editor.property("overridden"):
            return
        if self.provider.currentData() != "frameio-v4":
            row.hint.setText(OTHER_REDIRECT_HINT)
        else:
            web = self.web_app.isChecked()
            row.hint.setText(WEB_APP_REDIRECT_HINT if web else HINTS["redirect_uri"])

    def _show_advanced(self, shown: bool) -> None:
        for name in ADVANCED_FIELDS:
            self.rows[name].set_visible(shown)
        self.advanced.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def values(self) -> SetupValues:
        fields = {"provider": str(self.provider.currentData() or "")}
        for name, row in self.rows.items():
            if isinstance(row.editor, QLineEdit):
                fields[name] = row.editor.text()
        return SetupValues(fields, web_app=self.web_app.isChecked())

    def revalidate(self) -> None:
        self.checks = self.validate(self.values())
        for name, row in self.rows.items():
            row.show_check(self.checks.get(name, Check(Level.OK)))
        self.save_button.setEnabled(can_save(self.checks))

    def add_section(self, widget: QWidget) -> None:
        """A section at the end of the fields, in their scroll area (before Check
        set-up's results): it scrolls with them instead of squeezing them."""
        self._column.insertWidget(self._sections_at, widget)
        self._sections_at += 1

    def _scroll_to_results(self) -> None:
        """The check's results come in under the fields: scroll up to their top, so they
        are read without scrolling. Laid out now; the scroll range may grow only later
        (then `_range_changed` scrolls)."""
        check, bar = self.setup_check, self.fields_scroll.verticalScrollBar()
        fields = self.fields_scroll.widget()
        layout = fields.layout() if fields is not None else None
        if check is None or layout is None:
            return
        layout.activate()  # the results get their place now
        top = check.results.y()
        self._scroll_to = None if top <= bar.maximum() else top
        bar.setValue(top)

    def _range_changed(self, _: int, maximum: int) -> None:
        if self._scroll_to is not None:
            self.fields_scroll.verticalScrollBar().setValue(self._scroll_to)
            self._scroll_to = None if self._scroll_to <= maximum else self._scroll_to

    def submit(self) -> None:
        for row in self.rows.values():
            row.touched = True
        self.revalidate()
        if not can_save(self.checks):
            first = next(
                row
                for name, row in self.rows.items()
                if self.checks.get(name, Check(Level.OK)).level is Level.ERROR
            )
            if first.name in ADVANCED_FIELDS:
                self.advanced.setChecked(True)
            first.editor.setFocus()
            return
        self.save_requested.emit(self.values())

    def show_problem(self, text: str) -> None:
        """A failure the host met while saving (say, the keyring refused the secret)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    # -- focus ---------------------------------------------------------------------------

    def first_field(self) -> QWidget:
        for widget in (self.provider, self.client_id, self.redirect_uri, self.profile):
            if widget.isEnabled() and not (isinstance(widget, QLineEdit) and widget.isReadOnly()):
                return widget
        return self.save_button

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt)
        super().showEvent(event)
        self.first_field().setFocus()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt)
        # Closed by the window (not minimised): a check still running shows nothing.
        if not event.spontaneous() and self.setup_check is not None:
            self.setup_check.cancel()
        super().hideEvent(event)
