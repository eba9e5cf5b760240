"""The signed-in page's "Default account" rows (Frame.io V4): every account by name and
ID, the chosen one current. Shown only where the provider lists accounts."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel

from frameio_desktop.gui.pages.parts import label, show_text

#: Why the list cannot be used while an account is set outside the app.
OVERRIDE_NOTE = (
    "This account was chosen outside the app, on the command line or in the environment "
    "it was started from, and wins while it is set. Start the app without it to choose here."
)

#: An account as the picker lists it: its ID and its name (None: unnamed).
Listed = tuple[str, str | None]


class AccountPicker(QObject):
    """Two rows of a form: the combo box, and a note under it (why it cannot be used)."""

    #: The person chose an account (its ID), by mouse or keys.
    picked = Signal(str)

    def __init__(self, form: QFormLayout) -> None:
        super().__init__(form)
        self._form = form
        self.combo = QComboBox()
        self.combo.setObjectName("accountsCombo")
        self.combo.setAccessibleName("Default account")
        self.combo.setAccessibleDescription(
            "The Frame.io account that scripts and the accounts command use"
        )
        self.combo.setToolTip("The account scripts use by default (Alt+D)")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(16)
        # `activated` comes from the person only (mouse or keys), never from filling it.
        self.combo.activated.connect(self._activated)
        self.name_label = QLabel("&Default account")
        self.name_label.setObjectName("fieldName")
        self.name_label.setBuddy(self.combo)  # Alt+D moves the focus there
        self.note_label = label("", "muted")
        # The combo box sits in the form itself: a screen reader finds its name through
        # the label beside it (the buddy must be its sibling).
        form.addRow(self.name_label, self.combo)
        form.addRow(self.note_label)
        self._show_rows(visible=False)
        self._listed: tuple[Listed, ...] | None = None

    def show_accounts(
        self,
        accounts: Sequence[Listed] | None,
        chosen: str | None,
        *,
        override: str | None,
        problem: str | None,
    ) -> None:
        """`accounts` None: the provider lists none, or the list could not be read
        (`problem` says why). `override`: an account set outside the window, which wins
        while it is set."""
        self._show_rows(visible=accounts is not None)
        if accounts is None:
            self._listed = None
            if problem is not None:  # the sign-in stands; only the list is missing
                self._form.setRowVisible(self.note_label, True)
                note = f"The account list could not be read: {problem}"
                show_text(self.note_label, note, hidden_when_empty=False)
            return
        combo = self.combo
        listed = tuple(accounts)
        if listed != self._listed:
            self._listed = listed
            combo.clear()
            for account_id, name in listed:
                combo.addItem(f"{name} ({account_id})" if name else account_id, account_id)
        if override is not None and combo.findData(override) < 0:
            combo.addItem(override, override)  # an override may name an unlisted account
        combo.setCurrentIndex(combo.findData(chosen) if chosen is not None else -1)
        combo.setEnabled(bool(listed) and override is None)
        if override is not None:
            self.note_label.setText(OVERRIDE_NOTE)
        elif not listed:
            self.note_label.setText("This sign-in reaches no Frame.io account.")
        self._form.setRowVisible(self.note_label, override is not None or not listed)
        show_text(self.note_label, self.note_label.text(), hidden_when_empty=False)

    def _show_rows(self, *, visible: bool) -> None:
        self._form.setRowVisible(self.combo, visible)
        self._form.setRowVisible(self.note_label, visible)

    def _activated(self, index: int) -> None:
        account_id = self.combo.itemData(index)
        if isinstance(account_id, str):
            self.picked.emit(account_id)
