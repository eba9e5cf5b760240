"""The one table from failure to heading and exit code: the window and the command line
both read it from the error classes."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from frameio_desktop.cli import EXIT_CODES_HELP, exit_code_for
from frameio_desktop.core import errors
from frameio_desktop.core.browser import errors as browser_errors
from frameio_desktop.core.errors import ExitCode

EXPIRED = "Your sign-in has expired"
DEFAULT = "Sign-in did not finish"


@pytest.mark.parametrize(
    ("error", "code", "title"),
    [
        (errors.ConfigError("FRAMEIO_CLIENT_ID", "is not set"), 2, "Settings needed"),
        (errors.NotSignedInError(), 3, DEFAULT),
        (errors.SessionExpiredError(), 4, EXPIRED),
        (errors.InvalidGrantError(), 4, EXPIRED),
        # A 401 from the API is an expired sign-in in the window as in the command line.
        (errors.TokenRejectedError(), 4, EXPIRED),
        (errors.NetworkError(), 5, "Network problem"),
        (errors.RequestTimeoutError(), 5, "Network problem"),
        (errors.TLSError(), 5, "Insecure connection"),
        (errors.ServerError(502, "example.com"), 5, "Server error"),
        (errors.UnexpectedResponseError(), 5, DEFAULT),
        (errors.DiscoveryError(), 5, DEFAULT),
        (errors.InvalidTokenResponseError(), 5, DEFAULT),
        (errors.InvalidClientError(), 5, DEFAULT),
        (errors.NoSecureKeyringError(), 6, "No secure keyring"),
        (errors.KeyringReadBackError(), 6, "No secure keyring"),
        (errors.StoredDataError(), 6, DEFAULT),
        (errors.StoreError(), 6, DEFAULT),
        (errors.AuthorizationDeniedError(), 7, "Access denied"),
        (errors.StateMismatchError(), 7, DEFAULT),
        (errors.AuthorizationServerError("server_error"), 7, DEFAULT),
        # A silent renewal the server refused: "sign in again", as an expired session.
        (errors.LoginRequiredError(), 4, "Sign in again"),
        (errors.InteractionRequiredError(), 4, "Sign in again"),
        (errors.ConsentRequiredError(), 4, "Sign in again"),
        (errors.SignInCancelledError(), 7, DEFAULT),
        (errors.HostNotFoundError(), 5, "Network problem"),
        (errors.ResponseTooLargeError(), 5, DEFAULT),
        (errors.EndpointGoneError(404, "example.com"), 5, DEFAULT),
        (errors.ApiRetiredError("Frame.io V2", date(2026, 12, 1), "frameio-v4"), 2, DEFAULT),
        (errors.SessionBindingError({"FRAMEIO_TOKEN_URL": ".env"}), 3, DEFAULT),
        (errors.KeyringLockedError(), 6, DEFAULT),
        (errors.LockTimeoutError(), 8, DEFAULT),
        (errors.TokenLifetimeTooShortError(1, 60), 2, DEFAULT),
        (
            errors.SignOutIncompleteError("x", errors.KeyringLockedError()),
            6,
            "Sign-out is not complete",
        ),
        # The system browser's own failures: none of them is "unexpected".
        (browser_errors.PortInUseError("127.0.0.1", 8765), 5, "Cannot receive the sign-in"),
        (browser_errors.RedirectListenerError(), 5, "Cannot receive the sign-in"),
        (browser_errors.SignInTimeoutError(300), 7, "Sign-in timed out"),
        (browser_errors.NoRunningInstanceError(), 7, "Sign-in answer not delivered"),
        (browser_errors.HandoffRefusedError("no sign-in"), 7, "Sign-in answer not delivered"),
        (browser_errors.RuntimeFolderError(), 7, "Sign-in answer not delivered"),
        (
            browser_errors.SchemeRegistrationError(),
            2,
            "Cannot register the sign-in address",
        ),
        (browser_errors.BrowserOpenError(), 2, "Cannot open a browser"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_each_error_carries_its_exit_code_and_title(
    error: errors.FrameioDesktopError, code: int, title: str
) -> None:
    assert error.exit_code == code
    assert exit_code_for(error) == code
    assert error.title == title


def test_an_unexpected_exception_is_exit_1() -> None:
    assert exit_code_for(KeyError("x")) is ExitCode.ERROR
    assert errors.UNEXPECTED_TITLE == "Something went wrong"


def test_exit_codes_keep_their_numbers() -> None:
    assert [(c.name, c.value) for c in ExitCode] == [
        ("OK", 0),
        ("ERROR", 1),
        ("USAGE", 2),
        ("NOT_SIGNED_IN", 3),
        ("SESSION_EXPIRED", 4),
        ("NETWORK", 5),
        ("NO_KEYRING", 6),
        ("CANCELLED", 7),
        ("BUSY", 8),
        ("UNCHECKED", 9),
        ("NO_DISPLAY", 10),
        ("CHECK_FAILED", 11),
        ("INTERRUPTED", 130),
        ("TERMINATED", 143),
    ]


def readme_exit_code_table() -> dict[int, str]:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", readme.read_text(encoding="utf-8"), re.M)
    return {int(code): meaning for code, meaning in rows}


def test_help_and_readme_state_the_same_exit_codes() -> None:
    meanings = {int(code): text for code, text in errors.EXIT_CODE_MEANINGS.items()}
    assert sorted(meanings) == [int(code) for code in ExitCode]
    assert readme_exit_code_table() == meanings
    for code, text in meanings.items():
        assert f"  {code}  {text}\n" in EXIT_CODES_HELP


HOSTILE = "bad\x1b]0;pwned\x07\x1b[2J\r\nfake prompt $ \u202egnp.exe\u0000 end"


@pytest.mark.parametrize(
    "make",
    [
        lambda: errors.InvalidGrantError(HOSTILE, error="invalid_grant"),
        lambda: errors.OAuthError(HOSTILE, error="x\x1b[31m"),
        lambda: errors.AuthorizationDeniedError("access_denied", HOSTILE),
        lambda: errors.AuthorizationServerError("server_error\r\n", HOSTILE),
    ],
)
def test_server_text_reaches_the_terminal_without_control_characters(make) -> None:
    error = make()
    message = error.user_message
    assert not any(ch in message for ch in "\x1b\x07\r\n\x00\u202e")
    assert "fake prompt $" in message  # the words themselves are kept


def test_server_text_is_bounded() -> None:
    message = errors.OAuthError("x" * 100_000).user_message
    assert len(message) < 1000
