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
