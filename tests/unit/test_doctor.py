"""The doctor's frame: how checks are run and shown (the checks themselves run against real
services in tests/integration/test_doctor.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from frameio_desktop.core.doctor import (
    Check,
    DoctorContext,
    all_passed,
    render_json,
    render_text,
    run_checks,
)
from frameio_desktop.core.doctor_network import clock_check
from frameio_desktop.core.doctor_settings import settings_summary
from frameio_desktop.core.tokens import utc_now


class _Terminal(io.TextIOWrapper):
    """A terminal of the given encoding, whose output can be read back."""

    def __init__(self, encoding: str) -> None:
        super().__init__(io.BytesIO(), encoding=encoding)

    def getvalue(self) -> str:
        self.flush()
        raw = self.buffer
        assert isinstance(raw, io.BytesIO)
        return raw.getvalue().decode(self.encoding)


def test_each_check_is_one_line_and_a_failed_one_says_its_fix_on_the_next() -> None:
    checks = [Check("keyring", True, "unlocked"), Check("clock", False, "12 min ahead", "Fix it.")]
    out = _Terminal("utf-8")
    render_text(checks, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "✓ keyring  unlocked"
    assert lines[1] == "✗ clock    12 min ahead"
    assert lines[2].strip() == "→ Fix it."
    assert "1 of 2 checks failed: clock." in out.getvalue()
    assert not all_passed(checks)


def test_a_terminal_without_those_characters_gets_plain_marks() -> None:
    out = _Terminal("ascii")
    render_text([Check("clock", False, "off", "Fix it.")], out)
    assert out.getvalue().startswith("XX clock  off\n")
    assert "-> Fix it." in out.getvalue()


def test_json_shape() -> None:
    out = io.StringIO()
    render_json([Check("clock", True, "within 1 s")], out)
    assert json.loads(out.getvalue()) == {
        "checks": [{"name": "clock", "ok": True, "detail": "within 1 s", "fix": None}]
    }


def test_a_check_that_breaks_is_a_failed_check_and_the_others_still_run() -> None:
    def check_broken(context: DoctorContext) -> Check:
        raise RuntimeError("boom")

    def check_fine(context: DoctorContext) -> Check:
        return Check("fine", True, "yes")

    found = run_checks(DoctorContext(), [check_broken, check_fine])
    assert [(c.name, c.ok) for c in found] == [("broken", False), ("fine", True)]
    assert "RuntimeError: boom" in found[0].detail


def test_the_settings_summary_names_sources_and_never_shows_a_secret() -> None:
    summary = settings_summary(
        {"client_id": "abc", "client_secret": "s3cr3t-value"},
        {
            "client_id": "CLIENT_ID from ./.env",
            "client_secret": "FRAMEIO_CLIENT_SECRET from the environment",
        },
    )
    assert "client_id=abc (CLIENT_ID from ./.env)" in summary
    assert "client_secret=set (FRAMEIO_CLIENT_SECRET from the environment)" in summary
    assert "s3cr3t" not in summary
    assert "provider=frameio-v4 (default)" in summary
    assert "redirect_uri=not set;" in summary


def test_clock_skew_over_five_minutes_fails_either_way() -> None:
    from datetime import timedelta

    now = utc_now()
    assert clock_check(("h.test", now - timedelta(minutes=4), now)).ok
    behind = clock_check(("h.test", now + timedelta(minutes=6), now))
    assert not behind.ok
    assert "behind h.test" in behind.detail


def test_the_proxy_is_named_without_its_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from frameio_desktop.core.doctor_network import proxy_for

    monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", "")
    assert proxy_for("https://ims-na1.adobelogin.com/ims/token/v3") == (
        "http://proxy.example.test:3128"
    )


def test_without_xdg_utils_the_scheme_check_says_what_to_install(tmp_path: Path) -> None:
    from frameio_desktop.core.doctor_scheme import check_custom_scheme

    context = DoctorContext(environ={"PATH": str(tmp_path)}, platform="linux")
    context.values = {"redirect_uri": "adobe+abc123://adobeid/client"}
    found = check_custom_scheme(context)
    assert not found.ok
    assert "xdg-utils is not installed" in found.detail
    assert found.fix is not None
    assert "apt install xdg-utils" in found.fix


def test_an_https_redirect_needs_no_scheme() -> None:
    from frameio_desktop.core.doctor_scheme import check_custom_scheme

    context = DoctorContext(environ={}, platform="linux")
    context.values = {"redirect_uri": "https://app.example.test/callback"}
    assert check_custom_scheme(context).ok


def test_a_name_that_never_resolves_ends_at_the_network_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The network check's own DNS lookup is a request too: a resolver that never answers
    (a captive network, a dead DNS server) must not hold `doctor` past its deadline."""
    import socket
    import threading

    from frameio_desktop.core import doctor_network

    released = threading.Event()
    real = socket.getaddrinfo

    def stuck(host: str, *args: object, **kwargs: object) -> object:
        if host.endswith(".test"):
            released.wait(60)
            raise socket.gaierror("released")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    context = DoctorContext(environ={}, network_deadline=0.3)
    # What the settings check leaves for the checks after it.
    context.values = {
        "authorize_url": "https://id.stuck.test/a",
        "token_url": "https://id.stuck.test/t",
    }
    try:
        network, clock = doctor_network.check_network(context)
    finally:
        released.set()
    assert not network.ok
    assert "did not resolve within" in network.detail
    assert not clock.ok
