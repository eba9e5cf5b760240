"""Opening the browser (`BROWSER`), telling when there is no display, and the paste flow."""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import responses

from frameio_desktop import cli_flags
from frameio_desktop.core.browser import launch
from frameio_desktop.core.browser.errors import BrowserOpenError
from frameio_desktop.core.browser.paste import ATTEMPTS, sign_in_by_paste
from frameio_desktop.core.errors import ConfigError, SignInCancelledError, StateMismatchError
from frameio_desktop.core.session import AuthSession
from tests.helpers.fakes import AUTH, REDIRECT, FakeClock, form_body, make_settings
from tests.helpers.sessions import new_session


@pytest.mark.parametrize(
    ("environ", "platform", "reason"),
    [
        ({}, "linux", "there is no display"),
        ({"DISPLAY": ":0"}, "linux", None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", None),
        ({"SSH_CONNECTION": "1 2 3 4"}, "linux", "this is an SSH session without a display"),
        ({"SSH_CONNECTION": "1 2 3 4", "DISPLAY": "localhost:10"}, "linux", None),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", None),
        ({}, "darwin", None),
        ({"SSH_CONNECTION": "1 2 3 4"}, "darwin", "this is an SSH session"),
        ({}, "win32", None),
    ],
)
def test_no_display_reason(environ: dict[str, str], platform: str, reason: str | None) -> None:
    assert launch.no_display_reason(environ, platform) == reason


_RECORDER = """import pathlib, sys
pathlib.Path(sys.argv[1]).write_text("\\n".join(sys.argv[2:]))
"""


def recorder(tmp_path: Path) -> Path:
    """A browser command that writes its arguments to a named pipe (`out`)."""
    script = tmp_path / "fake browser"
    script.write_text(f"#!{sys.executable}\n{_RECORDER}")
    script.chmod(0o755)
    os.mkfifo(tmp_path / "out")
    return script


def wait_for(path: Path) -> str:
    # The command runs detached; reading the pipe waits until it has written.
    return path.read_text()


def test_browser_variable_with_placeholder_and_arguments(tmp_path: Path) -> None:
    script = recorder(tmp_path)
    out = tmp_path / "out"
    environ = {**os.environ, "BROWSER": f"'{script}' '{out}' --flag %s"}
    assert launch.open_with_browser_variable("http://x.test/?a=1&b=2", environ)
    assert wait_for(out) == "--flag\nhttp://x.test/?a=1&b=2"


def test_browser_variable_tries_each_entry_and_appends_the_url(tmp_path: Path) -> None:
    script = recorder(tmp_path)
    out = tmp_path / "out"
    environ = {
        **os.environ,
        "BROWSER": os.pathsep.join([str(tmp_path / "missing"), f"'{script}' '{out}'"]),
    }
    launch.open_browser("http://x.test/", environ)
    assert wait_for(out) == "http://x.test/"


def test_browser_variable_with_nothing_that_starts(tmp_path: Path) -> None:
    with pytest.raises(BrowserOpenError, match="BROWSER"):
        launch.open_browser("http://x.test/", {"BROWSER": str(tmp_path / "missing")})


def test_unset_browser_variable_is_not_used() -> None:
    assert not launch.open_with_browser_variable("http://x.test/", {})


# -- login --no-browser, in the core ---------------------------------------------------------------

TOKEN_URL = f"{AUTH}/oauth2/token"


@pytest.fixture
def session(tmp_path: Path) -> AuthSession:
    return new_session(make_settings(), folder=tmp_path, clock=FakeClock())


class Typist:
    """Lines typed at the prompt; the state is read from the printed authorize URL."""

    def __init__(self, out: io.StringIO, lines: list[str]) -> None:
        self.out = out
        self.lines = lines

    def state(self) -> str:
        url = next(w for w in self.out.getvalue().split() if w.startswith(AUTH))
        return parse_qs(urlsplit(url).query)["state"][0]

    def __call__(self) -> str:
        if not self.lines:
            raise EOFError
        return self.lines.pop(0).replace("{state}", self.state())


@responses.activate
def test_paste_signs_in_after_a_refused_paste(session: AuthSession) -> None:
    exchange = responses.post(
        TOKEN_URL, json={"access_token": "AT", "token_type": "bearer", "expires_in": 3600}
    )
    out = io.StringIO()
    typed = Typist(
        out,
        [
            f"{REDIRECT}?{urlencode({'code': 'c', 'state': 'not-this-one'})}",
            f"  {REDIRECT}?code=the-code&state={{state}}\n",
        ],
    )
    tokens = sign_in_by_paste(session, read_line=typed, out=out, reason="there is no display")
    assert tokens.access_token == "AT"
    assert session.store.load(session.settings.store_key) == tokens
    printed = out.getvalue()
    assert "Not opening a browser: there is no display." in printed
    assert "state mismatch" in printed
    assert exchange.call_count == 1
    form = form_body(responses.calls[0].request)
    assert form["code"] == ["the-code"]
    assert len(form["code_verifier"][0]) >= 43
    assert "the-code" not in printed


@pytest.mark.parametrize("lines", [[], [""]])
def test_paste_cancelled_by_empty_line_or_end_of_input(
    session: AuthSession, lines: list[str]
) -> None:
    out = io.StringIO()
    with pytest.raises(SignInCancelledError):
        sign_in_by_paste(session, read_line=Typist(out, lines), out=out)


def test_paste_gives_up_after_repeated_wrong_pastes(session: AuthSession) -> None:
    out = io.StringIO()
    wrong = f"{REDIRECT}?code=c&state=wrong"
    with pytest.raises(StateMismatchError):
        sign_in_by_paste(session, read_line=Typist(out, [wrong] * (ATTEMPTS + 1)), out=out)


@pytest.mark.parametrize(
    ("url", "text", "refused"),
    [
        (
            "https://accounts.google.com/signin/oauth/error?authError=x",
            "Error 403: disallowed_useragent",
            True,
        ),
        (
            "https://accounts.google.com/v3/signin/rejected",
            "Couldn't sign you in\nThis browser or app may not be secure. Learn more",
            True,
        ),
        ("https://accounts.google.com/o/oauth2/disallowed_useragent", "", True),
        ("https://ims-na1.adobelogin.com/ims/authorize/v2", "Sign in\nContinue with Google", False),
        ("https://accounts.google.com/signin", "Use your Google Account", False),
    ],
)
def test_refusal_markers(url: str, text: str, refused: bool) -> None:
    from frameio_desktop.core.browser.refusal import refuses_embedded_view

    assert refuses_embedded_view(url, text) is refused


# -- --browser-timeout / FRAMEIO_BROWSER_TIMEOUT -----------------------------------------------


@pytest.mark.parametrize(
    ("flag", "environ", "seconds"),
    [
        (None, {}, 300.0),
        (90, {}, 90.0),
        (None, {"FRAMEIO_BROWSER_TIMEOUT": "600"}, 600.0),
        (45, {"FRAMEIO_BROWSER_TIMEOUT": "600"}, 45.0),
    ],
)
def test_browser_timeout(flag: int | None, environ: dict[str, str], seconds: float) -> None:
    args = argparse.Namespace(browser_timeout=flag)
    assert cli_flags.browser_timeout(args, environ) == seconds


@pytest.mark.parametrize(
    ("flag", "environ"),
    [
        (0, {}),
        (-1, {}),
        (None, {"FRAMEIO_BROWSER_TIMEOUT": "soon"}),
        # Past what a wait can hold: the listener's own thread would die of OverflowError
        # and the sign-in never end.
        (10**20, {}),
        (None, {"FRAMEIO_BROWSER_TIMEOUT": "100000000000000000000"}),
    ],
)
def test_a_browser_timeout_out_of_range_is_a_clear_settings_error(
    flag: int | None, environ: dict[str, str]
) -> None:
    with pytest.raises(ConfigError, match="FRAMEIO_BROWSER_TIMEOUT"):
        cli_flags.browser_timeout(argparse.Namespace(browser_timeout=flag), environ)
