"""The settings form through its real widgets: typing, Tab, Enter, and what gets saved."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from frameio_desktop.core.configure import (
    PROVIDER_CHOICES,
    SetupState,
    SetupValues,
    check_all,
    current_setup,
    save_setup,
)
from frameio_desktop.core.store import ClientSecretStore, KeyringTokenStore
from frameio_desktop.gui.settings_form import LABELS, OTHER_REDIRECT_HINT, SettingsForm
from tests.helpers.accessibility import accessible_name, labels_of, unnamed
from tests.helpers.fakes import MemoryKeyring

pytestmark = pytest.mark.gui

TODAY = date(2026, 11, 28)
NATIVE = "adobe+1f2e3d://adobeid/abc123"


def setup_state(
    tmp_path: Path, environ: dict[str, str] | None = None, flags: dict[str, str] | None = None
) -> SetupState:
    return current_setup(
        flags or {},
        environ=environ or {},
        dotenv_path=tmp_path / ".env",
        settings_path=tmp_path / "config" / "settings.json",
    )


def make_form(qtbot, state: SetupState) -> SettingsForm:
    form = SettingsForm(state, lambda v: check_all(v, state, TODAY), PROVIDER_CHOICES)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return form


@pytest.fixture
def form(qtbot, tmp_path: Path) -> SettingsForm:
    return make_form(qtbot, setup_state(tmp_path))


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def message(form: SettingsForm, name: str) -> tuple[str, str]:
    """(level, text) shown beside a field; ("ok", "") when nothing is shown."""
    label = form.rows[name].message
    if label.isHidden():
        return ("ok", "")
    return (str(label.property("level")), label.text())


def fill_valid(qtbot, form: SettingsForm) -> None:
    type_into(qtbot, form.client_id, "abc123")
    type_into(qtbot, form.redirect_uri, NATIVE)


# -- validation as you type, field by field ------------------------------------------------


def test_opens_on_v4_with_the_first_field_focused_and_save_disabled(form: SettingsForm) -> None:
    assert form.provider.currentData() == "frameio-v4"
    assert QApplication.focusWidget() is form.provider
    assert not form.save_button.isEnabled()
    # What an empty field needs is said calmly until it is touched or Save is tried.
    assert message(form, "client_id") == (
        "pending",
        "Enter the client ID (API key) of your credential.",
    )
    assert message(form, "redirect_uri")[0] == "pending"
    form.submit()
    assert message(form, "client_id")[0] == "error"
    assert message(form, "redirect_uri")[0] == "error"


def test_client_id(qtbot, form: SettingsForm) -> None:
    type_into(qtbot, form.redirect_uri, NATIVE)
    assert not form.save_button.isEnabled()
    type_into(qtbot, form.client_id, "ab c")
    assert message(form, "client_id") == ("error", "A client ID has no spaces.")
    type_into(qtbot, form.client_id, "abc123")
    assert message(form, "client_id") == ("ok", "")
    assert form.save_button.isEnabled()


@pytest.mark.parametrize(
    ("uri", "level", "words"),
    [
        ("javascript:alert(1)", "error", "javascript: scheme cannot be a redirect"),
        ("http://app.example.test/cb", "error", "loopback"),
        ("https://app.example.test/cb#x", "error", "#fragment"),
        ("https://app.example.test/cb", "warning", "adobe+<hash>://adobeid/<client id>"),
        ("adobe+1f2e3d://adobeid/someone-else", "warning", "different client ID"),
        # Adobe IMS never accepts http://, loopback included: the core rule, in the form.
        ("http://127.0.0.1:8765/cb", "error", "adobe+<hash>://adobeid/abc123"),
        ("http://localhost/cb", "error", "Adobe Developer Console"),
    ],
)
def test_redirect_uri(qtbot, form: SettingsForm, uri: str, level: str, words: str) -> None:
    type_into(qtbot, form.client_id, "abc123")
    type_into(qtbot, form.redirect_uri, uri)
    shown_level, text = message(form, "redirect_uri")
    assert shown_level == level
    assert words in text
    # A warning does not stop saving; an error does.
    assert form.save_button.isEnabled() is (level == "warning")
    assert words in form.redirect_uri.accessibleDescription()


def test_v2_shows_its_retirement_notice(qtbot, form: SettingsForm) -> None:
    fill_valid(qtbot, form)
    form.provider.setCurrentIndex(form.provider.findData("frameio-v2"))
    level, text = message(form, "provider")
    assert level == "warning"
    assert "2026-12-01" in text
    assert form.save_button.isEnabled()


def test_oidc_shows_and_needs_the_issuer(qtbot, form: SettingsForm) -> None:
    fill_valid(qtbot, form)
    assert not form.issuer.isVisibleTo(form)
    form.provider.setCurrentIndex(form.provider.findData("oidc"))
    assert form.issuer.isVisibleTo(form)
    assert message(form, "issuer")[0] == "pending"
    assert not form.save_button.isEnabled()
    type_into(qtbot, form.issuer, "http://id.example.test")
    assert message(form, "issuer")[0] == "error"
    type_into(qtbot, form.issuer, "https://id.example.test")
    assert message(form, "issuer") == ("ok", "")
    assert form.save_button.isEnabled()


def test_web_app_box_shows_and_needs_the_secret(qtbot, form: SettingsForm) -> None:
    fill_valid(qtbot, form)
    assert not form.client_secret.isVisibleTo(form)
    form.web_app.setChecked(True)
    assert form.client_secret.isVisibleTo(form)
    assert form.client_secret.echoMode() is QLineEdit.EchoMode.Password
    assert message(form, "client_secret")[0] == "pending"
    assert not form.save_button.isEnabled()
    type_into(qtbot, form.client_secret, "s3cret")
    assert form.save_button.isEnabled()


def test_advanced_fields(qtbot, form: SettingsForm) -> None:
    fill_valid(qtbot, form)
    token = form.endpoint_edits["token_url"]
    assert not token.isVisibleTo(form)
    qtbot.mouseClick(form.advanced, Qt.MouseButton.LeftButton)
    assert token.isVisibleTo(form)
    assert token.placeholderText() == "https://ims-na1.adobelogin.com/ims/token/v3"
    type_into(qtbot, token, "http://auth.example.test/token")
    assert message(form, "token_url")[0] == "error"
    assert "https://" in message(form, "token_url")[1]
    type_into(qtbot, token, "http://127.0.0.1:9000/token")
    assert message(form, "token_url") == ("ok", "")
    type_into(qtbot, form.endpoint_edits["scopes"], 'openid "x"')
    assert message(form, "scopes")[0] == "error"
    type_into(qtbot, form.endpoint_edits["scopes"], "openid email")
    type_into(qtbot, form.profile, "a:b")
    assert message(form, "profile")[0] == "error"
    type_into(qtbot, form.profile, "work")
    assert form.save_button.isEnabled()


# -- overridden values ---------------------------------------------------------------------


def test_overridden_values_are_read_only_with_their_source(qtbot, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FRAMEIO_CLIENT_SECRET=from-dotenv\n")
    state = setup_state(
        tmp_path,
        environ={"FRAMEIO_CLIENT_ID": "env-id"},
        flags={"provider": "frameio-v2"},
    )
    form = make_form(qtbot, state)
    assert form.client_id.text() == "env-id"
    assert form.client_id.isReadOnly()
    assert "in the environment the app was started from" in form.rows["client_id"].hint.text()
    assert "FRAMEIO_" not in form.rows["client_id"].hint.text()
    assert "environment" in form.client_id.accessibleDescription()
    assert not form.provider.isEnabled()
    assert form.provider.currentData() == "frameio-v2"
    assert "command line" in form.rows["provider"].hint.text()
    assert form.web_app.isChecked()
    assert not form.web_app.isEnabled()
    assert form.client_secret.isReadOnly()
    assert form.client_secret.text() == ""  # the value itself is never shown
    assert ".env" in form.rows["client_secret"].hint.text()
    # The first field a person can change takes the focus.
    assert QApplication.focusWidget() is form.redirect_uri
    assert not form.redirect_uri.isReadOnly()


# -- keyboard and screen reader ---------------------------------------------------------------


def tab_chain(qtbot, form: SettingsForm, steps: int) -> list[QWidget]:
    seen = []
    for _ in range(steps):
        widget = QApplication.focusWidget()
        assert widget is not None
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return seen


def test_tab_order_follows_the_form(qtbot, form: SettingsForm) -> None:
    # Save is disabled (nothing is filled in), so Tab skips it and comes round again.
    assert tab_chain(qtbot, form, 8) == [
        form.provider,
        form.client_id,
        form.redirect_uri,
        form.web_app,
        form.profile,
        form.advanced,
        form.cancel_button,
        form.provider,
    ]
    fill_valid(qtbot, form)
    form.web_app.setChecked(True)
    type_into(qtbot, form.client_secret, "s")
    form.advanced.setChecked(True)
    form.provider.setFocus()
    chain = tab_chain(qtbot, form, 14)
    assert chain == [
        form.provider,
        form.client_id,
        form.redirect_uri,
        form.web_app,
        form.client_secret,
        form.profile,
        form.advanced,
        *form.endpoint_edits.values(),
        form.cancel_button,
        form.save_button,
    ]


def test_enter_saves_and_refuses_while_invalid(qtbot, form: SettingsForm) -> None:
    type_into(qtbot, form.client_id, "abc123")
    with qtbot.assertNotEmitted(form.save_requested):
        qtbot.keyClick(form.client_id, Qt.Key.Key_Return)
    # Enter on an invalid form moves to the first field with an error.
    assert QApplication.focusWidget() is form.redirect_uri
    type_into(qtbot, form.redirect_uri, NATIVE)
    with qtbot.waitSignal(form.save_requested) as saved:
        qtbot.keyClick(form.redirect_uri, Qt.Key.Key_Return)
    values = saved.args[0]
    assert isinstance(values, SetupValues)
    assert values.provider == "frameio-v4"
    assert values.get("client_id") == "abc123"
    assert values.get("redirect_uri") == NATIVE
    with qtbot.waitSignal(form.save_requested):
        qtbot.keyClick(form.provider, Qt.Key.Key_Enter)


def test_escape_cancels(qtbot, form: SettingsForm) -> None:
    with qtbot.waitSignal(form.cancel_requested):
        qtbot.keyClick(form.client_id, Qt.Key.Key_Escape)


def test_every_field_and_button_has_an_accessible_name(qtbot, form: SettingsForm) -> None:
    form.web_app.setChecked(True)
    form.advanced.setChecked(True)
    form.provider.setCurrentIndex(form.provider.findData("oidc"))
    assert unnamed(form) == []
    assert accessible_name(form.client_id) == "Client ID"
    assert accessible_name(form.redirect_uri) == "Redirect URI"
    assert accessible_name(form.save_button) == "Save settings"
    assert form.rows["client_id"].label.buddy() is form.client_id
    # Each field is labelled by its label (what a screen reader announces with it).
    for name, row in form.rows.items():
        assert labels_of(row.editor) == [LABELS[name]], name
    # A screen reader gets the hint too (for OpenID Connect: no Adobe credential shape).
    assert OTHER_REDIRECT_HINT in form.redirect_uri.accessibleDescription()


# -- what is saved ------------------------------------------------------------------------------


def test_saved_file_has_no_secret_and_is_private(qtbot, tmp_path: Path) -> None:
    state = setup_state(tmp_path)
    form = make_form(qtbot, state)
    backend = MemoryKeyring()
    secrets = ClientSecretStore(KeyringTokenStore(backend))
    path = tmp_path / "config" / "frameio-desktop" / "settings.json"
    form.save_requested.connect(
        lambda v: save_setup(v, state, path=path, secrets=secrets, today=TODAY)
    )
    type_into(qtbot, form.client_id, "abc123")
    type_into(qtbot, form.redirect_uri, "https://app.example.test/cb")
    form.web_app.setChecked(True)
    type_into(qtbot, form.client_secret, "web-app-secret")
    type_into(qtbot, form.profile, "studio")
    with qtbot.waitSignal(form.save_requested):
        qtbot.keyClick(form.client_secret, Qt.Key.Key_Return)

    text = path.read_text()
    assert "web-app-secret" not in text
    assert json.loads(text) == {
        "provider": "frameio-v4",
        "client_id": "abc123",
        "redirect_uri": "https://app.example.test/cb",
        "profile": "studio",
        "client_secret_in_keyring": "true",
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert secrets.load("frameio-v4", "abc123") == "web-app-secret"

    # Reopened, the form says the secret is kept and does not ask for it again.
    again = make_form(qtbot, current_setup({}, environ={}, settings_path=path))
    assert again.web_app.isChecked()
    assert again.client_secret.text() == ""
    assert "keyring" in again.client_secret.placeholderText()
    assert again.save_button.isEnabled()


def test_the_accessibility_check_finds_an_unnamed_field(qtbot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    edit = QLineEdit(root)
    edit.setObjectName("bare")
    assert unnamed(root) == ["QLineEdit 'bare'"]
    edit.setAccessibleName("Named")
    assert unnamed(root) == []


def test_the_redirect_hint_follows_the_provider_and_the_kind_of_credential(
    qtbot, form: SettingsForm
) -> None:
    hint = form.rows["redirect_uri"].hint
    assert hint.text().startswith("Native App credential")
    form.web_app.setChecked(True)
    assert hint.text().startswith("Web App credential")
    assert "Web App credential" in form.redirect_uri.accessibleDescription()
    form.provider.setCurrentIndex(form.provider.findData("oidc"))
    assert "Adobe" not in hint.text()
    form.provider.setCurrentIndex(form.provider.findData("frameio-v4"))
    form.web_app.setChecked(False)
    assert hint.text().startswith("Native App credential")
