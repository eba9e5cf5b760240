"""The settings form's Check set-up shows doctor's checks of the settings, the redirect and
the session in the window's words: no flag, FRAMEIO_* variable or command (the command
line keeps its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from frameio_desktop.core.doctor_check import Check, DoctorContext
from frameio_desktop.core.doctor_settings import check_redirect, check_session, check_settings
from frameio_desktop.core.store import KeyringTokenStore
from tests.helpers.fakes import MemoryKeyring
from tests.unit.test_error_remedies import COMMAND_LINE_WORDS

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
    ],
    ids=["nothing", "no redirect", "refused redirect", "all set", "unknown provider"],
)
def test_the_window_words_name_no_flag_or_variable(environ: dict[str, str]) -> None:
    checks = run(environ)
    shown = window_words(checks)
    assert [w for w in shown if COMMAND_LINE_WORDS.search(w)] == []
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
    assert not COMMAND_LINE_WORDS.search(f"{detail} {fix}")
