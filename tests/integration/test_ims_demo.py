"""The demo server behaves like Adobe IMS where a client can get it wrong (no Qt)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests

from frameio_desktop.core.errors import InvalidGrantError, SessionExpiredError
from frameio_desktop.core.flow import begin_sign_in
from frameio_desktop.demo.server import DEMO_CLIENT_ID, DEMO_NATIVE_REDIRECT, DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.fakes import FakeClock
from tests.helpers.sessions import SessionFactory, complete_sign_in


class ServerClock:
    """Seconds since the epoch for the demo server, moved forward by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        import time

        return time.time() + self.offset


@pytest.fixture
def ims() -> Iterator[DemoServer]:
    with DemoServer(token_ttl=120, refresh_tokens=True) as server:
        yield server


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_settings_point_at_ims_paths_and_the_native_redirect(ims: DemoServer) -> None:
    flags = ims.settings_flags()
    assert flags["provider"] == "frameio-v4"
    assert flags["redirect_uri"] == DEMO_NATIVE_REDIRECT
    assert urlsplit(flags["authorize_url"]).path == "/ims/authorize/v2"
    assert urlsplit(flags["token_url"]).path == "/ims/token/v3"
    assert urlsplit(flags["revoke_url"]).path == "/ims/revoke"
    assert urlsplit(flags["account_url"]).path == "/v4/me"


def test_missing_challenge_method_means_plain_so_s256_verifier_fails(
    make_session: SessionFactory, ims: DemoServer
) -> None:
    session = make_session(ims.settings_flags())
    pending = session.begin_sign_in()
    # A client that sends an S256 challenge but forgets to say so.
    parts = urlsplit(pending.authorize_url)
    params = {k: v for k, v in query(pending.authorize_url).items() if k != "code_challenge_method"}
    pending.authorize_url = parts._replace(query=urlencode(params)).geturl()
    redirect = sign_in_without_browser(pending.authorize_url)
    with pytest.raises(InvalidGrantError):
        complete_sign_in(session, pending, redirect)


def test_s256_sent_by_the_app_is_accepted(make_session: SessionFactory, ims: DemoServer) -> None:
    session = make_session(ims.settings_flags())
    pending = session.begin_sign_in()
    assert query(pending.authorize_url)["code_challenge_method"] == "S256"
    tokens = complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    assert tokens.refresh_token


def test_rotation_refuses_the_old_refresh_token(
    make_session: SessionFactory, ims: DemoServer
) -> None:
    session = make_session(ims.settings_flags())
    pending = session.begin_sign_in()
    first = complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    second = session.refresh(force=True)
    third = session.refresh(force=True)
    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3
    for spent in (first.refresh_token, second.refresh_token):
        form = {"grant_type": "refresh_token", "refresh_token": spent, "client_id": DEMO_CLIENT_ID}
        answer = requests.post(ims.token_url, data=form, timeout=10)
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_grant"
    assert ims.state.refresh_token_active(third.refresh_token or "")


def test_credential_without_refresh_token_ends_at_expiry(make_session: SessionFactory) -> None:
    server_clock = ServerClock()
    clock = FakeClock()
    with DemoServer(refresh_tokens=False, token_ttl=120, clock=server_clock) as demo:
        session = make_session(demo.settings_flags(), clock=clock)
        pending = session.begin_sign_in()
        tokens = complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
        assert tokens.refresh_token is None
        assert session.user() is not None
        clock.advance(121)
        server_clock.offset = 121
        with pytest.raises(SessionExpiredError):
            session.fresh_tokens()
        assert demo.state.refresh_grants == 0  # nothing to refresh with: no request


def sign_in_keeping_cookies(demo: DemoServer) -> requests.Session:
    """Sign in once through the pages and keep the demo's session cookie."""
    browser = requests.Session()
    pending = begin_sign_in(demo_settings(demo))
    page = browser.get(pending.authorize_url, timeout=10)
    action = urljoin(pending.authorize_url, page.text.split('action="', 1)[1].split('"', 1)[0])
    action = action.replace("&amp;", "&")
    browser.post(action, data={"action": "login", "name": "Ada Lovelace"}, timeout=10)
    answer = browser.post(action, data={"action": "allow"}, allow_redirects=False, timeout=10)
    assert "code" in query(answer.headers["Location"])
    return browser


def demo_settings(demo: DemoServer):
    from tests.helpers.fakes import make_settings

    return make_settings(**demo.settings_flags())


def test_prompt_none_answers_from_the_session_cookie(ims: DemoServer) -> None:
    browser = sign_in_keeping_cookies(ims)
    pending = begin_sign_in(demo_settings(ims), prompt="none")
    assert query(pending.authorize_url)["prompt"] == "none"
    answer = browser.get(pending.authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303)
    location = answer.headers["Location"]
    assert location.startswith(DEMO_NATIVE_REDIRECT)
    assert pending.take_code(location)


def test_prompt_none_without_the_cookie_is_login_required(ims: DemoServer) -> None:
    from frameio_desktop.core.errors import LoginRequiredError

    pending = begin_sign_in(demo_settings(ims), prompt="none")
    answer = requests.get(pending.authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303)
    assert query(answer.headers["Location"])["error"] == "login_required"
    with pytest.raises(LoginRequiredError):
        pending.take_code(answer.headers["Location"])


def test_accounts_come_in_two_pages(make_session: SessionFactory, ims: DemoServer) -> None:
    session = make_session(ims.settings_flags())
    pending = session.begin_sign_in()
    tokens = complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    headers = {"Authorization": f"Bearer {tokens.access_token}"}
    first = requests.get(f"{ims.url}/v4/accounts", headers=headers, timeout=10).json()
    assert len(first["data"]) == 2
    assert first["links"]["next"].startswith("/v4/accounts?")
    second = requests.get(urljoin(ims.url, first["links"]["next"]), headers=headers, timeout=10)
    assert len(second.json()["data"]) == 1
    assert second.json()["links"]["next"] is None
    assert requests.get(f"{ims.url}/v4/accounts", timeout=10).status_code == 401


def test_revoke_wants_the_public_client_id_in_the_query(ims: DemoServer) -> None:
    body = {"token": "anything", "token_type_hint": "access_token", "client_id": DEMO_CLIENT_ID}
    in_body = requests.post(f"{ims.url}/ims/revoke", data=body, timeout=10)
    assert in_body.status_code == 400
    in_query = requests.post(
        f"{ims.url}/ims/revoke?client_id={DEMO_CLIENT_ID}",
        data={"token": "anything", "token_type_hint": "access_token"},
        timeout=10,
    )
    assert in_query.status_code == 200


# -- the default credential: a Native App, as Adobe's guide describes it ----------------------


def test_default_credential_gets_no_refresh_token_and_a_24_hour_access_token(
    make_session: SessionFactory,
) -> None:
    with DemoServer() as demo:
        session = make_session(demo.settings_flags())
        pending = session.begin_sign_in()
        redirect = sign_in_without_browser(pending.authorize_url)
        code = pending.take_code(redirect)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "client_id": DEMO_CLIENT_ID,
            "code_verifier": pending.code_verifier,
        }
        answer = requests.post(demo.token_url, data=form, timeout=10).json()
    assert answer["expires_in"] == 86399
    assert "refresh_token" not in answer
    assert answer["access_token"]


def test_refresh_tokens_only_when_asked_for(make_session: SessionFactory) -> None:
    with DemoServer(refresh_tokens=True) as demo:
        session = make_session(demo.settings_flags())
        pending = session.begin_sign_in()
        tokens = complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    assert tokens.refresh_token
    assert 86300 < tokens.seconds_left(tokens.obtained_at) <= 86399


def test_v2_shape_keeps_refresh_tokens_and_an_hour() -> None:
    with DemoServer(provider="frameio-v2") as v2:
        assert v2.refresh_tokens
        assert v2.token_ttl == 3600
        assert v2.default_redirect_uri is None


@pytest.mark.parametrize("size", [None, 1])
def test_links_next_carries_only_after(
    make_session: SessionFactory, ims: DemoServer, size: int | None
) -> None:
    session = make_session(ims.settings_flags())
    pending = session.begin_sign_in()
    tokens = complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    headers = {"Authorization": f"Bearer {tokens.access_token}"}
    url = f"{ims.url}/v4/accounts" + (f"?page_size={size}" if size else "")
    seen: list[str] = []
    while url:
        page = requests.get(url, headers=headers, timeout=10).json()
        assert len(page["data"]) == (size or 2) or page["links"]["next"] is None
        seen += [account["id"] for account in page["data"]]
        following = page["links"]["next"]
        if following:
            assert set(parse_qs(urlsplit(following).query)) == {"after"}
        url = urljoin(ims.url, following) if following else ""
    assert len(seen) == len(set(seen)) == 3


# -- a redirect the credential does not know ---------------------------------------------------


def unknown_redirect_url(demo: DemoServer, redirect: str, **extra: str) -> tuple[str, str]:
    """An authorize URL naming `redirect`, and its state."""
    pending = begin_sign_in(demo_settings(demo), redirect_uri=redirect, **extra)
    return pending.authorize_url, pending.state


@pytest.mark.parametrize(
    "redirect", ["adobe+0badc0de://adobeid/someone-else", "https://elsewhere.example.test/cb"]
)
def test_unknown_redirect_is_answered_at_the_default_redirect_page(
    ims: DemoServer, redirect: str
) -> None:
    """As IMS: no error page; the code and state go to the Default redirect URI."""
    url, state = unknown_redirect_url(ims, redirect)
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    assert page.status_code == 200  # the login page, not an error
    action = urljoin(url, page.text.split('action="', 1)[1].split('"', 1)[0]).replace("&amp;", "&")
    browser.post(action, data={"action": "login", "name": "Ada Lovelace"}, timeout=10)
    answer = browser.post(action, data={"action": "allow"}, allow_redirects=False, timeout=10)
    location = answer.headers["Location"]
    assert ims.default_redirect_uri is not None
    assert location.startswith(ims.default_redirect_uri + "?")
    assert query(location)["state"] == state
    assert query(location)["code"]
    assert ims.state.default_page_received == []
    # What a browser that followed it would hand over: the page records it.
    assert browser.get(location, timeout=10).status_code == 200
    assert ims.state.default_page_received == [query(location)]


def test_unknown_redirect_with_prompt_none_also_goes_to_the_default_page(ims: DemoServer) -> None:
    url, state = unknown_redirect_url(ims, "adobe+0badc0de://adobeid/x", prompt="none")
    answer = requests.get(url, allow_redirects=False, timeout=10)
    location = answer.headers["Location"]
    assert location.startswith(f"{ims.default_redirect_uri}?")
    assert query(location) == {"error": "login_required", "state": state}


def test_v2_shape_answers_an_unknown_redirect_with_an_error_page() -> None:
    with DemoServer(provider="frameio-v2") as v2:
        url, _ = unknown_redirect_url(v2, "https://elsewhere.example.test/cb")
        page = requests.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 400


# -- the command line's demo flags -------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "refresh_tokens", "ttl"),
    [
        ([], False, 86399),  # IMS's Native App: no refresh token, 24 hours
        (["--demo-refresh-token"], True, 86399),
        (["--demo-no-refresh-token"], False, 86399),  # older command lines still work
        (["--demo-token-ttl", "30"], False, 30),
        (["--provider", "frameio-v2"], True, 3600),
    ],
)
def test_demo_flags_pick_the_credential(flags: list[str], refresh_tokens: bool, ttl: int) -> None:
    from frameio_desktop.cli import build_parser, settings_flags
    from frameio_desktop.main import DemoOnDemand, demo_server_for

    args = build_parser().parse_args(["--demo", *flags])
    server = demo_server_for(args, settings_flags(args))
    assert server.shape.provider == (args.provider or "frameio-v4")
    assert server.refresh_tokens is refresh_tokens
    assert server.token_ttl == ttl
    # "Try the demo" in the settings form starts the same kind.
    on_demand = DemoOnDemand(args.demo_token_ttl, args.demo_refresh_token)
    if args.provider is None:
        try:
            started = on_demand.start()
            assert started.refresh_tokens is refresh_tokens
            assert started.token_ttl == ttl
        finally:
            on_demand.stop()


def test_demo_refresh_flags_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    from frameio_desktop.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["--demo-refresh-token", "--demo-no-refresh-token"])
    assert "not allowed with" in capsys.readouterr().err
