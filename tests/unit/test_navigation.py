from __future__ import annotations

import pytest

from frameio_desktop.core.navigation import (
    Action,
    NavigationRequest,
    decide_navigation,
    should_block_request,
)

REDIRECT = "http://127.0.0.1:5000/callback"


def decide(url: str, redirect: str = REDIRECT) -> Action:
    return decide_navigation(NavigationRequest(url, "link", True), redirect).action


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/callback?code=x&state=y",
        "http://127.0.0.1:5000/callback",
        "http://127.0.0.1:5000/callback/",
        "http://127.0.0.1:5000/callback/deeper?code=x",
        "http://127.0.0.1:5000/CALLBACK?code=x",
        "http://user@127.0.0.1:5000/callback?code=x",
    ],
)
def test_anything_aimed_at_the_redirect_endpoint_is_caught(url: str) -> None:
    assert decide(url) is Action.CATCH
    assert should_block_request(url, REDIRECT)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/oauth2/auth?x=1",
        "http://127.0.0.1:5000/callbacks",
        "http://localhost:5000/other",
        "https://applications.frame.io/oauth2/auth",
        "about:blank",
    ],
)
def test_sign_in_pages_are_allowed(url: str) -> None:
    assert decide(url) is Action.ALLOW
    assert not should_block_request(url, REDIRECT)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.test/login",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<h1>x</h1>",
        "ftp://example.test/",
        "mailto:someone@example.test",
        "otherapp://callback?code=x",
    ],
)
def test_everything_else_is_blocked(url: str) -> None:
    assert decide(url) is Action.BLOCK


def test_https_redirect_default_port() -> None:
    redirect = "https://app.example.test/cb"
    assert decide("https://app.example.test:443/cb?code=1", redirect) is Action.CATCH
    assert decide("https://app.example.test:8443/cb?code=1", redirect) is Action.ALLOW


def test_custom_scheme_caught_whatever_follows() -> None:
    redirect = "adobe+abc123://adobeid/client-123"
    assert decide("adobe+abc123://adobeid/client-123?code=x", redirect) is Action.CATCH
    assert decide("ADOBE+ABC123://other", redirect) is Action.CATCH
    assert decide("adobe+zzz://adobeid/client-123", redirect) is Action.BLOCK


# -- issue 12, item 10: gaps seen in real Chromium --------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:5000/callback?code=x&state=y",
        "http://LOCALHOST:5000/callback?code=x",
        "http://[::1]:5000/callback?code=x",
        "http://127.0.0.2:5000/callback?code=x",
        "http://127.1.2.3:5000/callback?code=x",
        "http://0.0.0.0:5000/callback?code=x",
        "http://[::ffff:127.0.0.1]:5000/callback?code=x",
        "http://app.localhost:5000/callback?code=x",
        "https://127.0.0.1:5000/callback?code=x",
        "http://127.0.0.1:5000/callback;x?code=x",
        "http://127.0.0.1:5000/callback%2Fx?code=x",
        "http://127.0.0.1:5000/callback%2fx?code=x",
        "http://127.0.0.1:5000/%63allback?code=x",
        "http://127.0.0.1:5000/callback%3Bx?code=x",
        "http://127.0.0.1:5000/callback.json?code=x",
        "http://127.0.0.1:5000/callback%20?code=x",
    ],
)
def test_every_loopback_name_and_path_variant_is_caught(url: str) -> None:
    assert decide(url) is Action.CATCH
    assert should_block_request(url, REDIRECT)


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:5000/callback?code=x&state=y",
        "wss://localhost:5000/callback?code=x",
        "ws://[::1]:5000/callback",
    ],
)
def test_websockets_to_the_redirect_are_blocked(url: str) -> None:
    assert should_block_request(url, REDIRECT)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5001/callback?code=x",
        "http://10.0.0.1:5000/callback?code=x",
        "http://127.0.0.1:5000/callbacks",
        "http://localhost:5000/callback-page",
    ],
)
def test_other_ports_hosts_and_paths_are_not_the_redirect(url: str) -> None:
    assert not should_block_request(url, REDIRECT)


def test_a_frame_is_stopped_but_cannot_finish_a_sign_in() -> None:
    url = "http://127.0.0.1:5000/callback?code=x&state=y"
    decision = decide_navigation(NavigationRequest(url, "redirect", False), REDIRECT)
    assert decision.action is Action.BLOCK
    assert "frame" in decision.reason
    custom = "adobe+abc123://adobeid/client-123"
    in_frame = NavigationRequest(f"{custom}?code=x", "redirect", False)
    assert decide_navigation(in_frame, custom).action is Action.BLOCK


def test_registered_uri_without_path_catches_chromiums_slash() -> None:
    redirect = "http://127.0.0.1:5000"
    assert decide("http://127.0.0.1:5000/?code=x", redirect) is Action.CATCH
    assert decide("http://localhost:5000/?code=x", redirect) is Action.CATCH


@pytest.mark.parametrize(
    ("registered", "sent"),
    [
        # What Chromium sends for each registered form.
        ("http://127.0.0.1:5000/rückruf", "http://127.0.0.1:5000/r%C3%BCckruf?code=x"),
        ("http://127.0.0.1:5000/call%20back", "http://127.0.0.1:5000/call%20back?code=x"),
        ("http://127.0.0.1:5000/call back", "http://127.0.0.1:5000/call%20back?code=x"),
        ("https://bücher.example.test/cb", "https://xn--bcher-kva.example.test/cb?code=x"),
        ("https://xn--bcher-kva.example.test/cb", "https://xn--bcher-kva.example.test/cb?code=x"),
    ],
)
def test_escaped_non_ascii_and_idn_redirects_are_caught(registered: str, sent: str) -> None:
    assert decide(sent, registered) is Action.CATCH


# -- issue 12, item 10: the whole redirect port on a loopback redirect -------------------------

#: The sign-in page's own address when it is served on the redirect's port (the demo server).
AUTHORIZE = "http://127.0.0.1:5000/ims/authorize/v2?client_id=c&state=s"


def decide_from(url: str, *, main_frame: bool = True, page: str = AUTHORIZE) -> Action:
    request = NavigationRequest(url, "link", main_frame)
    return decide_navigation(request, REDIRECT, page_origin=page).action


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:5000/other?code=x",
        "http://localhost:5000/",
        "ws://127.0.0.1:5000/x",
        "wss://127.0.0.1:5000/x",
        "https://127.0.0.1:5000/ims/login",
        "http://[::1]:5000/x",
        "http://127.0.0.2:5000/ims/login",
        "http://0.0.0.0:5000/x",
        "http://app.localhost:5000/x",
    ],
)
def test_anything_else_on_the_redirect_port_is_stopped(url: str) -> None:
    assert should_block_request(url, REDIRECT, page_origin=AUTHORIZE)
    assert decide_from(url) is Action.CATCH
    assert decide_from(url, main_frame=False) is Action.BLOCK


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/ims/authorize/v2?client_id=c",
        "http://127.0.0.1:5000/ims/login",
        "http://127.0.0.1:5000/callbacks",
        "http://127.0.0.1:5000/static/app.css",
        "http://127.0.0.1:5001/x",
        "http://localhost:5001/x",
    ],
)
def test_the_sign_in_pages_own_origin_still_loads(url: str) -> None:
    assert not should_block_request(url, REDIRECT, page_origin=AUTHORIZE)
    assert decide_from(url) is Action.ALLOW


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/callback?code=x&state=y",
        "http://127.0.0.1:5000/callback;x?code=x",
        "http://localhost:5000/callback?code=x",
    ],
)
def test_the_redirect_path_on_the_sign_in_origin_is_still_caught(url: str) -> None:
    assert should_block_request(url, REDIRECT, page_origin=AUTHORIZE)
    assert decide_from(url) is Action.CATCH


def test_with_an_https_sign_in_host_nothing_on_the_redirect_port_loads() -> None:
    ims = "https://ims-na1.adobelogin.com/ims/authorize/v2?client_id=c"
    assert decide_from(ims, page=ims) is Action.ALLOW
    assert not should_block_request(ims, REDIRECT, page_origin=ims)
    for url in ("http://127.0.0.1:5000/ims/login", "http://localhost:5000/", "ws://[::1]:5000/"):
        assert should_block_request(url, REDIRECT, page_origin=ims)
        assert decide_from(url, page=ims) is Action.CATCH


def test_a_custom_ims_host_is_unaffected() -> None:
    """An https redirect on another host keeps the path rule: only loopback ports are
    one listener for every path."""
    redirect = "https://app.example.test/cb"
    page = "https://ims.example.test/ims/authorize/v2"
    for url, blocked in [
        ("https://app.example.test/other", False),
        ("https://app.example.test/cb?code=x", True),
        ("https://ims.example.test/ims/login", False),
    ]:
        assert should_block_request(url, redirect, page_origin=page) is blocked
