"""The settings form's Check set-up shows doctor's checks of the settings, the redirect and
the session in the window's words: no flag, FRAMEIO_* variable or command (the command
line keeps its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from frameio_desktop.core import doctor_network
from frameio_desktop.core.doctor_check import Check, DoctorContext
from frameio_desktop.core.doctor_keyring import backend_words, check_keyring
from frameio_desktop.core.doctor_settings import (
    check_display_and_browser,
    check_redirect,
    check_session,
    check_settings,
)
from frameio_desktop.core.store import KeyringTokenStore
from tests.helpers.fakes import MemoryKeyring
from tests.unit.test_error_remedies import window_jargon

NATIVE = "adobe+1f2e3d://adobeid/abc123"


def run(environ: dict[str, str]) -> list[Check]:
    context = DoctorContext(environ=environ, store=KeyringTokenStore(MemoryKeyring()))
    return [check(context) for check in (check_settings, check_redirect, check_session)]


def window_words(checks: list[Check]) -> list[str]:
    return [text for check in checks for text in check.for_window if text]


@pytest.fixture(autouse=True)
def working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # the .env read is this folder's
    return tmp_path


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"FRAMEIO_CLIENT_ID": "abc123"},
        {"FRAMEIO_CLIENT_ID": "abc123", "FRAMEIO_REDIRECT_URI": "http://studio.example.com/cb"},
        {"FRAMEIO_CLIENT_ID": "abc123", "FRAMEIO_REDIRECT_URI": NATIVE},
        {"FRAMEIO_CLIENT_ID": "abc123", "FRAMEIO_REDIRECT_URI": NATIVE, "FRAMEIO_PROVIDER": "x"},
        {
            "FRAMEIO_CLIENT_ID": "abc123",
            "FRAMEIO_REDIRECT_URI": "http://127.0.0.1:8765/callback",
            "FRAMEIO_PROVIDER": "oidc",
        },
    ],
    ids=["nothing", "no redirect", "refused redirect", "all set", "unknown provider", "no issuer"],
)
def test_the_window_words_name_no_flag_or_variable(environ: dict[str, str]) -> None:
    checks = run(environ)
    shown = window_words(checks)
    assert [w for w in shown if window_jargon(w)] == []
    # The command line's words still say where each value came from.
    if environ and not checks[0].ok:
        assert "FRAMEIO_" in f"{checks[0].detail} {checks[0].fix}"


def test_a_dotenv_with_keys_it_may_not_set_is_explained_in_plain_words(
    working_folder: Path,
) -> None:
    (working_folder / ".env").write_text("FRAMEIO_TOKEN_URL=https://evil.test/token\n")
    checks = run({"FRAMEIO_CLIENT_ID": "abc123", "FRAMEIO_REDIRECT_URI": NATIVE})
    settings = checks[0]
    assert not settings.ok
    assert "FRAMEIO_TOKEN_URL" in settings.detail
    detail, fix = settings.for_window
    assert "the token URL" in detail
    assert "set in the environment the app was started from" in detail
    assert window_jargon(f"{detail} {fix}") == []


def test_the_provider_is_shown_by_its_title_not_its_id() -> None:
    checks = run({"FRAMEIO_CLIENT_ID": "abc123", "FRAMEIO_REDIRECT_URI": NATIVE})
    detail, _ = checks[0].for_window
    assert "Frame.io V4 (Adobe IMS)" in detail
    assert "frameio-v4" in checks[0].detail  # the command line keeps the id


def test_the_keyring_is_named_in_words_not_its_python_class() -> None:
    check = check_keyring(DoctorContext(environ={}, store=KeyringTokenStore(MemoryKeyring())))
    assert check.ok
    assert "tests.helpers.fakes.MemoryKeyring" in check.detail
    assert window_jargon(" ".join(t for t in check.for_window if t)) == []


def test_a_secret_service_keyring_reads_as_the_system_keyring() -> None:
    secret_service = type(
        "Keyring", (MemoryKeyring,), {"__module__": "keyring.backends.SecretService"}
    )
    assert backend_words(secret_service()) == "the system keyring (Secret Service)"


def test_the_network_fix_names_no_proxy_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(
        doctor_network, "_resolves", lambda host, port, deadline: f"{host} does not resolve"
    )
    context = DoctorContext(environ={})
    context.values = {"authorize_url": "https://id.example.test/a"}
    network, clock = doctor_network.check_network(context)
    assert not network.ok
    assert "HTTPS_PROXY" in (network.fix or "")
    for check in (network, clock):
        assert window_jargon(" ".join(t for t in check.for_window if t)) == []


def test_the_browser_is_not_shown_as_its_command_or_variable() -> None:
    check = check_display_and_browser(
        DoctorContext(environ={"DISPLAY": ":0", "BROWSER": "true"}, platform="linux")
    )
    assert check.ok
    assert "true (from BROWSER)" in check.detail
    detail, _ = check.for_window
    assert window_jargon(detail) == []
    assert "true" not in detail
    assert "the browser set for this app" in detail
