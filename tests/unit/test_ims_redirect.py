"""Only the redirects Adobe IMS accepts (issue 21 section 1): with the V4 preset on
Adobe's own endpoints an http:// redirect is refused wherever a setting is checked, with
the words that say what IMS takes and where to find it. Endpoint overrides (a test server,
a proxy) keep http:// loopback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from frameio_desktop import main
from frameio_desktop.core.providers import (
    ims_redirect_problem,
    ims_redirect_rule,
    is_ims_endpoint,
)
from frameio_desktop.core.settings import load_settings

IMS_AUTHORIZE = "https://ims-na1.adobelogin.com/ims/authorize/v2"
HTTP_REDIRECT = "http://127.0.0.1:8765/callback"


@pytest.mark.parametrize(
    ("url", "ims"),
    [
        (IMS_AUTHORIZE, True),
        ("https://ims-eu1.adobelogin.com/ims/authorize/v2", True),
        ("https://adobelogin.com/x", True),
        ("http://ims-na1.adobelogin.com/ims/authorize/v2", False),  # not IMS's own https
        ("https://adobelogin.com.example.test/x", False),
        ("https://notadobelogin.com/x", False),
        ("http://127.0.0.1:5000/ims/authorize/v2", False),
        (None, False),
        # Forms a browser reads as IMS's own host: escapes, other dots, full-width letters.
        ("https://IMS-NA1.ADOBELOGIN.COM./ims/authorize/v2", True),
        ("https://ims-na1.adobelogin.com%2e/ims/authorize/v2", True),
        ("https://ims-na1.adobelogin%2ecom/ims/authorize/v2", True),
        ("https://ims-na1\u3002adobelogin\u3002com/ims/authorize/v2", True),
        ("https://\uff49\uff4d\uff53-na1.adobelogin.com/ims/authorize/v2", True),
    ],
)
def test_is_ims_endpoint(url: str | None, ims: bool) -> None:
    assert is_ims_endpoint(url) is ims


@pytest.mark.parametrize(
    "redirect",
    [HTTP_REDIRECT, "http://localhost/cb", "HTTP://[::1]:9/cb", "http://app.example.test/cb"],
)
def test_the_rule_refuses_every_http_redirect_on_ims(redirect: str) -> None:
    problem = ims_redirect_rule(redirect, IMS_AUTHORIZE, "abc123")
    assert problem is not None
    assert "never accepts an http:// redirect" in problem
    assert "adobe+<hash>://adobeid/abc123" in problem
    assert "https://" in problem
    assert "Adobe Developer Console" in problem
    # The window shows the same words: no flag, no variable.
    assert "--" not in problem
    assert "FRAMEIO_" not in problem


@pytest.mark.parametrize(
    "redirect", ["adobe+1f2e3d://adobeid/abc123", "https://app.example.test/cb"]
)
def test_the_rule_takes_native_and_https_redirects(redirect: str) -> None:
    assert ims_redirect_rule(redirect, IMS_AUTHORIZE, "abc123") is None


def test_the_rule_keeps_http_loopback_with_an_endpoint_override() -> None:
    assert ims_redirect_rule(HTTP_REDIRECT, "http://127.0.0.1:5000/ims/authorize/v2") is None
    assert ims_redirect_rule(HTTP_REDIRECT, "https://proxy.example.test/authorize") is None
    assert ims_redirect_rule(HTTP_REDIRECT, None) is None  # oidc before discovery


def test_ims_redirect_problem_reads_loaded_settings(tmp_path: Path) -> None:
    """What `doctor` asks: settings that loaded (an override) are judged as they are."""
    settings = load_settings(
        {
            "client_id": "abc123",
            "redirect_uri": "adobe+1f2e3d://adobeid/abc123",
        },
        environ={},
        dotenv_path=tmp_path / ".env",
        settings_path=tmp_path / "settings.json",
    )
    assert ims_redirect_problem(settings) is None
    from dataclasses import replace

    wrong = replace(settings, redirect_uri=HTTP_REDIRECT)
    problem = ims_redirect_problem(wrong)
    assert problem is not None
    assert "adobe+<hash>://adobeid/abc123" in problem


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("FRAMEIO_") or name in ("CLIENT_ID", "CLIENT_SECRET"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)  # no .env


@pytest.mark.parametrize("command", [["login"], ["login", "--no-browser"], ["status"], ["token"]])
def test_the_command_line_refuses_an_http_redirect_and_opens_nothing(
    command: list[str],
    clean_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_window(*_: object, **__: object) -> int:
        raise AssertionError("a window was opened")

    monkeypatch.setattr(main, "run_gui", no_window)
    monkeypatch.setattr(sys, "stdin", None)  # nothing may be read either
    argv = [*command, "--client-id", "abc123", "--redirect-uri", HTTP_REDIRECT]
    assert main.main(argv) == 2
    err = capsys.readouterr().err
    assert "never accepts an http:// redirect" in err
    assert "adobe+<hash>://adobeid/abc123" in err
    assert "Adobe Developer Console" in err
    assert "--redirect-uri" in err
