"""The settings form's life in the window: opened in place of the current page, saved
(asking first when the change ends the current sign-in), closed; and "Try the demo"."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget

from frameio_desktop.core.configure import SetupValues
from frameio_desktop.core.errors import FrameioDesktopError
from frameio_desktop.core.settings import Settings
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.settings_access import Configuration, SettingsAccess

if TYPE_CHECKING:
    # Imported when the settings are opened: every launch would pay for the form's module
    # and the Qt widget classes it binds (~4-8 ms of start-up, benchmark 2).
    from frameio_desktop.gui.settings_form import SettingsForm

log = logging.getLogger(__name__)

#: States in which the settings can be opened (never during a sign-in or sign-out).
SETTINGS_STATES = frozenset({State.SIGNED_OUT, State.SIGNED_IN, State.ERROR})


class SettingsFlow(QObject):
    #: The form is shown (on `page`); the window shows that page.
    opened = Signal()
    #: The form is gone; the window shows the state's page again.
    closed = Signal()
    #: A configuration is about to be used (saved, or the demo's): the window shows it.
    applying = Signal(object)  # Configuration
    #: The demo server did not start (a sentence to show).
    demo_failed = Signal(str)

    def __init__(
        self,
        access: SettingsAccess | None,
        controller: SignInController,
        settings: Settings | None,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        #: Opens the settings form and applies what it saves (None: no form, as in tests).
        self.access = access
        self.controller = controller
        #: The settings in use, as loaded (before any discovery), to compare a change with.
        self.current_settings = settings
        #: The page the form is shown on.
        self.page = QWidget()
        self._layout = QVBoxLayout(self.page)
        self._layout.setContentsMargins(0, 0, 0, 0)
        #: The settings form while it is open.
        self.form: SettingsForm | None = None

    @property
    def offers_demo(self) -> bool:
        return self.access is not None and self.access.try_demo is not None

    def open(self, *, setting: str | None = None, provider: str | None = None) -> None:
        """Show the settings form in place of the current page (not during a sign-in),
        with `provider` chosen and the focus on `setting`'s field when given (an error's
        or a notice's remedy)."""
        access = self.access
        if access is None or self.form is not None:
            return
        if self.controller.state not in SETTINGS_STATES:
            return
        state = access.current()
        from frameio_desktop.gui.settings_form import SettingsForm

        checks = access.setup_checks
        form = SettingsForm(
            state,
            lambda values: access.check(values, state),
            access.presets,
            self.page,
            setup_check=(checks, self.controller.runner) if checks is not None else None,
        )
        form.save_requested.connect(self._save)
        form.cancel_requested.connect(self.close)
        self._layout.addWidget(form)
        self.form = form
        self.opened.emit()
        if provider is not None and form.provider.isEnabled():
            index = form.provider.findData(provider)
            if index >= 0:
                form.provider.setCurrentIndex(index)
        row = form.rows.get(setting) if setting is not None else None
        editable = row is not None and row.editor.isEnabled() and row.editor.isVisibleTo(form)
        (row.editor if row is not None and editable else form.first_field()).setFocus()

    def close(self) -> None:
        form = self.form
        if form is None:
            return
        self.form = None
        self._layout.removeWidget(form)
        form.hide()
        form.deleteLater()
        self.closed.emit()

    def _save(self, values: SetupValues) -> None:
        form, access = self.form, self.access
        if form is None or access is None:
            return
        changes: tuple[str, ...] = ()
        old = self.current_settings
        if self.controller.state is State.SIGNED_IN and old is not None:
            changes = access.identity_changes(values, form.state, old)
            if changes and not self.confirm_sign_out(changes):
                return
        try:
            configuration = access.save(values, form.state)
        except FrameioDesktopError as exc:
            form.show_problem(exc.window_message)
            return
        self.close()
        if not changes:
            self.apply(configuration)
            return

        # Sign out of the old configuration (revoke, clear its keyring entry), then switch.
        def after_sign_out(state: State) -> None:
            if state is State.SIGNING_OUT:
                return
            self.controller.state_changed.disconnect(after_sign_out)
            self.apply(configuration)

        self.controller.state_changed.connect(after_sign_out)
        self.controller.sign_out()

    def confirm_sign_out(self, changes: tuple[str, ...]) -> bool:
        """Ask before a change that ends the current sign-in."""
        from frameio_desktop.gui.settings_form import LABELS

        labels = [LABELS.get(name, name) for name in changes]
        names = ", ".join(label[:1].lower() + label[1:] for label in labels)  # "client ID"
        box = QMessageBox(cast(QWidget, self.parent()))  # the window, its parent
        box.setObjectName("confirmSignOut")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Change the sign-in settings?")
        box.setText("Saving signs you out of the current configuration.")
        box.setInformativeText(
            f"You are signed in, and this changes the {names}. A sign-in belongs to one "
            "configuration, so the app signs out of it first; then you sign in again."
        )
        save = box.addButton("Sign out and save", QMessageBox.ButtonRole.AcceptRole)
        save.setObjectName("confirmSave")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is save

    def apply(self, configuration: Configuration, *, sign_in: bool = False) -> None:
        """Show and use a new configuration, without a restart."""
        self.current_settings = configuration.settings
        self.applying.emit(configuration)
        self.controller.reconfigure(configuration.session, configuration.problem, sign_in=sign_in)

    def try_demo(self) -> None:
        """Start the built-in demo server and sign in to it."""
        access = self.access
        if access is None or access.try_demo is None:
            return
        try:
            configuration = access.try_demo()
        except (OSError, FrameioDesktopError) as exc:
            log.warning("the demo server did not start: %s", exc)
            words = exc.window_message if isinstance(exc, FrameioDesktopError) else str(exc)
            self.demo_failed.emit(f"The demo server did not start: {words}")
            return
        self.apply(configuration, sign_in=True)
