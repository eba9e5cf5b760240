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
