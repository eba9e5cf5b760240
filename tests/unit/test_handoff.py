"""The single-instance handoff socket, with real Unix sockets and (as root) a real other user."""

from __future__ import annotations

import os
import select
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from frameio_desktop.core.browser import handoff
from frameio_desktop.core.browser.errors import (
    HandoffError,
    HandoffRefusedError,
    NoRunningInstanceError,
    RuntimeFolderError,
)
from frameio_desktop.core.browser.handoff import (
    MAX_MESSAGE_BYTES,
    HandoffServer,
    check_message,
    ensure_private_folder,
    hand_over,
)
from tests.helpers.inbox import URL, Inbox

pytestmark = pytest.mark.skipif(not handoff.available(), reason="no Unix sockets")


@pytest.fixture
def folder() -> Iterator[Path]:
    # Short: a Unix socket path must fit in about 100 bytes, pytest's tmp_path may not.
    base = Path(tempfile.mkdtemp(prefix="ho-"))
    yield base / "rt"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def server(folder: Path, inbox: Inbox) -> Iterator[HandoffServer]:
    with HandoffServer(inbox.deliver, folder / "s.sock") as running:
        yield running


def raw_exchange(path: Path, data: bytes, *, close_write: bool = True) -> str:
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(10)
        conn.connect(str(path))
        try:
            conn.sendall(data)
            if close_write:
                conn.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := conn.recv(1024):
                answer += chunk
        except ConnectionResetError:
            # A client that keeps sending far past the limit is cut off without an answer.
            return "(reset)"
    return answer.decode().strip()


def test_a_tests_handoff_socket_is_in_a_runtime_folder_of_its_own() -> None:
    """Never the person's own runtime folder, where their running app may listen."""
    path = handoff.default_socket_path()
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    assert path.parent.parent == runtime
    assert Path(tempfile.gettempdir()) in runtime.parents
    assert not runtime.name.startswith("runtime-")  # platformdirs' fallback for the user
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o700


def test_a_redirect_is_handed_over(server: HandoffServer, inbox: Inbox) -> None:
    hand_over(URL, server.path)
    assert inbox.received == [URL]


def test_folder_and_socket_are_private(server: HandoffServer, folder: Path) -> None:
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(server.path.stat().st_mode) & 0o077 == 0
    assert folder.stat().st_uid == os.getuid()


def test_no_sign_in_pending_is_refused_and_the_server_carries_on(
    server: HandoffServer, inbox: Inbox
) -> None:
    inbox.waiting = False
    with pytest.raises(HandoffRefusedError, match="no sign-in is waiting"):
        hand_over(URL, server.path)
    inbox.waiting = True
    hand_over(URL, server.path)
    assert inbox.received == [URL]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\xff\xfe junk", "not UTF-8"),
        (b"hello there", "not a URL"),
        (b"", "not a single line"),
        (URL.encode() + b"\n" + URL.encode(), "not a single line"),
        (b"x" * (MAX_MESSAGE_BYTES + 1), "too long"),
        (b"x" * (MAX_MESSAGE_BYTES * 20), "too long"),
    ],
)
def test_junk_is_refused_and_the_server_carries_on(
    server: HandoffServer, inbox: Inbox, data: bytes, reason: str
) -> None:
    answer = raw_exchange(server.path, data)
    assert len(server.refusals) == 1
    assert reason in server.refusals[0]
    if len(data) <= 2 * MAX_MESSAGE_BYTES:
        assert answer == f"refused: {server.refusals[0]}"
    assert inbox.received == []
    hand_over(URL, server.path)
    assert inbox.received == [URL]


def test_a_silent_client_is_dropped_and_the_server_carries_on(
    server: HandoffServer, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff, "CONNECTION_TIMEOUT_SECONDS", 0.2)
    with socket.socket(socket.AF_UNIX) as idle:
        idle.connect(str(server.path))
        idle.settimeout(10)
        assert idle.recv(100).startswith(b"refused: incomplete")
    hand_over(URL, server.path)
    assert inbox.received == [URL]


def test_a_dripping_client_is_dropped_at_the_total_deadline(
    server: HandoffServer, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A byte inside each read's timeout: only a deadline for the whole message ends it.
    monkeypatch.setattr(handoff, "CONNECTION_TIMEOUT_SECONDS", 0.3)
    answer = b""
    closed = False
    with socket.socket(socket.AF_UNIX) as slow:
        slow.connect(str(server.path))
        answered = False
        for _ in range(200):  # 200 x 0.1 s: far past 0.3 s, each byte inside it
            readable, _, _ = select.select([] if answered else [slow], [], [], 0.1)
            if readable:
                chunk = slow.recv(100)
                answer += chunk
                answered = not chunk  # the server's side of the answer is done
            try:
                # Dripping on after the answer too: the server's drain is bounded as well,
                # and once it closes the connection a send fails.
                slow.sendall(b"x")
            except OSError:
                closed = True
                break
    assert answer.startswith(b"refused: incomplete")
    assert closed
    hand_over(URL, server.path)
    assert inbox.received == [URL]


def test_message_checks() -> None:
    assert check_message(URL.encode() + b"\n") == URL
    for bad in (b"a\tb://x", b"\x7f://", b"://x", "é".encode("latin-1")):
        with pytest.raises(ValueError, match=r"\w"):
            check_message(bad)


def test_nobody_listening_is_a_typed_error(folder: Path) -> None:
    with pytest.raises(NoRunningInstanceError):
        hand_over(URL, folder / "s.sock")


def test_a_second_server_is_refused_and_a_stale_socket_is_replaced(
    folder: Path, inbox: Inbox
) -> None:
    path = folder / "s.sock"
    with (
        HandoffServer(inbox.deliver, path),
        pytest.raises(HandoffError, match="already receives"),
    ):
        HandoffServer(inbox.deliver, path).start()
    assert not path.exists()
    # A socket file left by an instance that did not exit cleanly.
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(str(path))
    assert path.exists()
    with HandoffServer(inbox.deliver, path):
        hand_over(URL, path)
    assert inbox.received == [URL]


def test_an_open_folder_of_ours_is_tightened(folder: Path) -> None:
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    ensure_private_folder(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as another user"
)
OTHER_UID = 65534  # nobody


@root_only
def test_a_folder_of_another_user_is_refused(folder: Path, inbox: Inbox) -> None:
    folder.mkdir(mode=0o700)
    os.chown(folder, OTHER_UID, OTHER_UID)
    with pytest.raises(RuntimeFolderError, match="another user"):
        HandoffServer(inbox.deliver, folder / "s.sock").start()
    with pytest.raises(RuntimeFolderError, match="another user"):
        hand_over(URL, folder / "s.sock")


def as_other_user(path: Path) -> str:
    """Connect and send the URL from a forked child running as `nobody`; its answer."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no exec, so nothing of this user's files needs reading
        status = 0
        try:
            os.close(read_end)
            os.setgid(OTHER_UID)
            os.setuid(OTHER_UID)
            with socket.socket(socket.AF_UNIX) as conn:
                conn.settimeout(10)
                try:
                    conn.connect(str(path))
                except PermissionError:
                    answer = b"cannot connect"
                else:
                    conn.sendall(URL.encode())
                    conn.shutdown(socket.SHUT_WR)
                    answer = conn.recv(1024).strip()
            os.write(write_end, answer)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer_pipe:
        received = answer_pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return received


@root_only
def test_another_user_cannot_reach_the_socket(server: HandoffServer, inbox: Inbox) -> None:
    assert as_other_user(server.path) == "cannot connect"
    assert inbox.received == []


@root_only
def test_another_user_is_refused_even_if_the_folder_were_open(
    server: HandoffServer, inbox: Inbox, folder: Path
) -> None:
    # The folder's mode is the first guard; the peer's uid is checked as well.
    folder.parent.chmod(0o711)
    folder.chmod(0o711)
    server.path.chmod(0o666)
    assert as_other_user(server.path) == "refused: another user"
    assert inbox.received == []
    assert server.refusals == ["another user"]
    hand_over(URL, server.path)
    assert inbox.received == [URL]
