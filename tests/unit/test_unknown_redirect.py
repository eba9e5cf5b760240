"""A redirect the server does not know (issue 21 section 2): Adobe IMS answers it at the
credential's Default redirect URI, any https page. This sign-in's answer (its state, with a
code or an error) is stopped wherever it is sent, and the sign-in ends with an error that
names where it was sent and what to compare."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from frameio_desktop.core.browser.paste import sign_in_by_paste
from frameio_desktop.core.errors import (
    ExitCode,
    RedirectMismatchError,
    StateMismatchError,
    UnknownRedirectError,
)
from frameio_desktop.core.flow import answer_host, begin_sign_in, carries_answer
from frameio_desktop.core.navigation import (
    Action,
    NavigationRequest,
    decide_navigation,
    should_block_request,
    state_of,
)
from tests.helpers.fakes import FakeClock, make_settings
from tests.helpers.sessions import new_session

STATE = "s7a8b9c0d1e2f3"
NATIVE = "adobe+5f0e3c1a://adobeid/client"
AUTHORIZE = f"https://ims-na1.adobelogin.com/ims/authorize/v2?client_id=c&state={STATE}"
DEFAULT_PAGE = "https://www.example.test/default"


def decide(url: str, *, main_frame: bool = True, redirect: str = NATIVE) -> Action:
    request = NavigationRequest(url, "redirect", main_frame)
    return decide_navigation(request, redirect, page_origin=AUTHORIZE, state=STATE).action


@pytest.mark.parametrize(
    "url",
    [
        f"{DEFAULT_PAGE}?code=abc&state={STATE}",
        f"{DEFAULT_PAGE}?state={STATE}&error=login_required",
        f"{DEFAULT_PAGE}#code=abc&state={STATE}",  # response_mode=fragment
        f"http://127.0.0.1:9/default-redirect?code=abc&state={STATE}",
        f"adobe+0badc0de://adobeid/other?code=abc&state={STATE}",
    ],
)
def test_this_sign_ins_answer_is_caught_wherever_it_goes(url: str) -> None:
    assert decide(url) is Action.CATCH
    assert decide(url, main_frame=False) is Action.BLOCK
    assert should_block_request(url, NATIVE, page_origin=AUTHORIZE, state=STATE)


@pytest.mark.parametrize(
    "url",
    [
        AUTHORIZE,  # the sign-in's own start carries the state, but no answer
        f"https://auth.services.adobe.test/en_US/index.html?state={STATE}&client_id=c",
        f"{DEFAULT_PAGE}?code=abc&state=another-sign-in",
        f"{DEFAULT_PAGE}?code=abc",
        f"{DEFAULT_PAGE}?code=abc&state={STATE}x",
    ],
)
def test_pages_that_only_mention_the_state_still_load(url: str) -> None:
    assert decide(url) is Action.ALLOW
    assert not should_block_request(url, NATIVE, page_origin=AUTHORIZE, state=STATE)


def test_without_a_state_nothing_changes() -> None:
    url = f"{DEFAULT_PAGE}?code=abc&state={STATE}"
    request = NavigationRequest(url, "redirect", True)
    assert decide_navigation(request, NATIVE).action is Action.ALLOW
    assert not should_block_request(url, NATIVE)


def test_state_of_reads_the_authorize_url() -> None:
    assert state_of(AUTHORIZE) == STATE
    assert state_of("https://ims-na1.adobelogin.com/ims/authorize/v2?client_id=c") is None


def test_carries_answer_and_answer_host() -> None:
    assert carries_answer(f"{DEFAULT_PAGE}?code=1&state={STATE}", STATE)
    assert not carries_answer(f"{DEFAULT_PAGE}?code=1&state={STATE}", "")
    assert not carries_answer(f"{DEFAULT_PAGE}?code=1&state=%FF", STATE)
    assert answer_host("https://www.example.test/x") == "www.example.test"
    assert answer_host("http://127.0.0.1:8123/x") == "127.0.0.1:8123"
    assert answer_host("adobe+0bad://adobeid/x?y") == "adobe+0bad://adobeid"


def test_take_code_explains_an_answer_sent_elsewhere() -> None:
    pending = begin_sign_in(make_settings(redirect_uri=NATIVE))
    url = f"https://www.example.test/default?code=abc&state={pending.state}"
    with pytest.raises(UnknownRedirectError) as err:
        pending.take_code(url)
    error = err.value
    assert error.host == "www.example.test"
    assert "www.example.test" in error.user_message
    assert "nothing reached www.example.test" in error.user_message
    assert "Compare the redirect URI in Settings" in error.user_message
    assert error.title == "Redirect URI not recognised"
    assert "--" not in error.user_message  # the window shows it too
    assert error.exit_code == ExitCode.USAGE
    assert not pending.claimed
    # Another address without this sign-in's answer stays a plain mismatch.
    with pytest.raises(RedirectMismatchError) as plain:
        pending.take_code("https://www.example.test/default?code=abc&state=other")
    assert not isinstance(plain.value, UnknownRedirectError)
    with pytest.raises(StateMismatchError):
        pending.take_code(f"{NATIVE}?code=abc&state=other")


# -- login --no-browser ------------------------------------------------------------------------


def test_a_pasted_default_page_is_explained_not_just_refused(tmp_path: Path) -> None:
    session = new_session(make_settings(redirect_uri=NATIVE), folder=tmp_path, clock=FakeClock())
    out = io.StringIO()
    asked: list[str] = []

    def read_line() -> str:
        printed = out.getvalue()
        url = next(w for w in printed.split() if "state=" in w)
        state = parse_qs(urlsplit(url).query)["state"][0]
        asked.append(state)
        return f"https://www.example.test/default?code=abc&state={state}\n"

    with pytest.raises(UnknownRedirectError) as err:
        sign_in_by_paste(session, read_line=read_line, out=out)
    assert len(asked) == 1  # no second paste: trying again cannot help
    message = err.value.user_message
    assert "The browser ended on www.example.test" in message
    assert "Compare the redirect URI in Settings" in message
    assert "nothing reached" not in message  # the browser did go there
    assert "--redirect-uri" in message  # only the command line shows it
    assert err.value.exit_code == ExitCode.USAGE
    assert session.store.load(session.settings.store_key) is None
