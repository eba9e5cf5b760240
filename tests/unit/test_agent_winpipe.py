"""The Windows end of a script asking the app (core/agent/winpipe.py), against a fake of
the Windows calls: this user's pipe is asked, another user's is not trusted."""

from __future__ import annotations

import json
import sys

import pytest

from frameio_desktop.core.agent import client, winpipe, wire
from frameio_desktop.core.browser import winpipe as browser_winpipe

ME, OTHER = "S-1-5-21-1-2-3-1001", "S-1-5-21-1-2-3-1002"
TOKEN = {
    "access_token": "AT-over-the-pipe",
    "expires_at": "2026-12-06T10:00:00+00:00",
    "token_type": "Bearer",
    "scope": None,
}


class FakePipes:
    """One pipe, served by a process of `owner`, which answers a request with `answers`."""

    def __init__(self, owner: str = ME, *, answers: list[dict[str, object]] | None = None) -> None:
        self.owner = owner
        default: list[dict[str, object]] = [{"accepted": True}, {"token": TOKEN}]
        self.answers = answers if answers is not None else default
        self.names: list[str] = []
        self.written = b""
        self.pending = b""
        self.closed: list[int] = []

    def open(self, name: str, wait: float) -> int | None:
        self.names.append(name)
        return 7

    # The handoff's owner check (core/browser/winpipe.PipeApi): the pipe's server process
    # is 42, run by `owner`; this process is ME's.
    def server_process_id(self, handle: int) -> int | None:
        return 42 if handle == 7 else None

    def process_user_sid(self, pid: int | None) -> str | None:
        return ME if pid is None else self.owner

    def write(self, handle: int, data: bytes) -> None:
        self.written += data
        if data.endswith(b"\n"):  # the app reads a line, then answers
            self.pending = b"".join(wire.encode(a) for a in self.answers)

    def available(self, handle: int) -> int:
        if not self.pending and handle in self.closed:
            raise BrokenPipeError
        return len(self.pending)

    def read(self, handle: int, size: int) -> bytes:
        data, self.pending = self.pending[:size], self.pending[size:]
        return data

    def close(self, handle: int) -> None:
        self.closed.append(handle)


def ask_through(pipes: FakePipes, monkeypatch: pytest.MonkeyPatch) -> client.AppAnswer | None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(winpipe, "Win32Pipes", lambda: pipes)
    monkeypatch.setattr(browser_winpipe, "Win32PipeApi", lambda: pipes)
    return client.ask_app(wire.token_request(60, {"profile": "work"}), wait=0.05)


def test_this_users_pipe_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    pipes = FakePipes()
    answer = ask_through(pipes, monkeypatch)
    assert answer is not None
    assert answer.token is not None
    assert answer.token.to_json() == TOKEN
    assert pipes.names == [rf"\\.\pipe\frameio-desktop-token-{ME}"]
    assert json.loads(pipes.written)["flags"] == {"profile": "work"}
    assert pipes.closed == [7]


def test_a_pipe_served_by_another_user_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    pipes = FakePipes(owner=OTHER)
    assert ask_through(pipes, monkeypatch) is None
    assert pipes.written == b""  # nothing was sent to it
    assert pipes.closed == [7]


def test_an_app_that_does_not_answer_in_time_means_the_keyring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipes = FakePipes(answers=[])
    assert ask_through(pipes, monkeypatch) is None


def test_a_pass_means_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    pipes = FakePipes(answers=[{"accepted": True}, {"pass": "another sign-in"}])
    assert ask_through(pipes, monkeypatch) is None


def test_the_real_calls_are_windows_only() -> None:
    if sys.platform == "win32":
        pytest.skip("this checks the refusal elsewhere")
    with pytest.raises(OSError, match="Windows"):
        winpipe.Win32Pipes()
