"""The loopback redirect listener, over real sockets on 127.0.0.1 and ::1."""

from __future__ import annotations

import http.client
import select
import socket
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from frameio_desktop.core.browser import redirect_http
from frameio_desktop.core.browser.errors import PortInUseError, SignInTimeoutError
from frameio_desktop.core.browser.loopback import (
    MAX_CONNECTIONS,
    MAX_REQUEST_HEAD_BYTES,
    ListenerOutcome,
    LoopbackListener,
    loopback_address,
)
from frameio_desktop.core.errors import (
    AuthorizationDeniedError,
    SignInCancelledError,
    StateMismatchError,
)
from frameio_desktop.core.flow import PendingSignIn, begin_sign_in
from tests.helpers.fakes import make_settings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def assert_released(port: int, host: str = "127.0.0.1") -> None:
    """Another listener can take the port at once (as the app's next sign-in would)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind((host, port))
        again.listen()


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class Running:
    """A started listener, its sign-in, and the outcome once it has finished."""

    def __init__(self, registered: str, *, timeout: float = 30.0) -> None:
        self.listener = LoopbackListener(registered, timeout=timeout)
        self.redirect_uri = self.listener.open()
        self.pending = begin_sign_in(
            make_settings(redirect_uri=registered), redirect_uri=self.redirect_uri
        )
        self.judged: list[str] = []
        self.ended = threading.Event()
        self.outcome: ListenerOutcome | None = None
        self.listener.start(self._judge, self._keep)

    def _judge(self, url: str) -> object:
        self.judged.append(url)
        return self.pending.check_redirect(url)

    def _keep(self, outcome: ListenerOutcome) -> None:
        self.outcome = outcome
        self.ended.set()

    @property
    def port(self) -> int:
        return self.listener.port

    def url(self, **params: str) -> str:
        return f"{self.redirect_uri}?{urlencode(params)}"

    def get(self, target: str, *, host: str | None = None, method: str = "GET") -> tuple[int, str]:
        parts = urlsplit(target)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            headers = {"Host": host} if host is not None else {}
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def finish(self) -> ListenerOutcome:
        assert self.ended.wait(30)
        assert self.outcome is not None
        return self.outcome


@pytest.fixture
def running() -> Iterator[Running]:
    run = Running("http://127.0.0.1/callback")
    yield run
    run.listener.close()
    assert_released(run.port)


# -- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "bind", "port", "path"),
    [
        ("http://127.0.0.1:8765/callback", "127.0.0.1", 8765, "/callback"),
        ("http://127.0.0.1/cb", "127.0.0.1", None, "/cb"),
        ("http://[::1]:9000/cb", "::1", 9000, "/cb"),
        ("http://localhost:8080/oauth/done", "127.0.0.1", 8080, "/oauth/done"),
        ("http://LOCALHOST", "127.0.0.1", None, "/"),
    ],
)
def test_loopback_addresses(uri: str, bind: str, port: int | None, path: str) -> None:
    address = loopback_address(uri)
    assert address is not None
    assert (address.bind_host, address.port, address.path) == (bind, port, path)


@pytest.mark.parametrize(
    "uri",
    [
        "https://127.0.0.1:8765/callback",
        "adobe+abc123://adobeid/client-123",
        "http://10.0.0.1:8765/callback",
        "http://127.0.0.2:8765/callback",  # loopback, but not the one RFC 8252 names
        "http://example.test/callback",
        "http://user@127.0.0.1:8765/callback",
    ],
)
def test_not_loopback_redirects(uri: str) -> None:
    assert loopback_address(uri) is None
    with pytest.raises(ValueError, match="not a loopback"):
        LoopbackListener(uri)


def test_no_registered_port_listens_on_a_free_one_and_the_sign_in_carries_it(
    running: Running,
) -> None:
    assert running.port > 0
    assert running.redirect_uri == f"http://127.0.0.1:{running.port}/callback"
    sent = parse_qs(urlsplit(running.pending.authorize_url).query)["redirect_uri"]
    assert sent == [running.redirect_uri]
    assert running.pending.redirect_uri == running.redirect_uri


def test_registered_port_is_used() -> None:
    port = free_port()
    with LoopbackListener(f"http://127.0.0.1:{port}/cb") as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{port}/cb"
    assert_released(port)


def test_port_in_use_is_a_typed_error_not_a_hang() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        listener = LoopbackListener(f"http://127.0.0.1:{port}/cb")
        with pytest.raises(PortInUseError) as caught:
            listener.open()
        assert str(port) in caught.value.user_message


# -- a sign-in's answer ------------------------------------------------------------------------


def test_valid_redirect_gets_done_page_and_closes(running: Running) -> None:
    url = running.url(code="the-code", state=running.pending.state)
    status, page = running.get(url)
    assert status == 200
    assert "Signed in" in page
    assert "close this tab" in page
    outcome = running.finish()
    assert outcome == ListenerOutcome(url=url)
    # Checked, not used up: the exchange takes it once.
    assert running.pending.take_code(url) == "the-code"
    assert running.listener.finished
    assert_released(running.port)


def test_second_request_after_the_answer_finds_nothing_listening(running: Running) -> None:
    url = running.url(code="the-code", state=running.pending.state)
    assert running.get(url)[0] == 200
    running.finish()
    with pytest.raises(ConnectionRefusedError):
        running.get(url)


def test_wrong_state_is_refused_and_the_listener_keeps_waiting(running: Running) -> None:
    status, page = running.get(running.url(code="forged", state="not-the-state"))
    assert status == 400
    assert "not the sign-in" in page
    assert not running.ended.is_set()
    good = running.url(code="the-code", state=running.pending.state)
    assert running.get(good)[0] == 200
    assert running.finish().url == good
    assert_released(running.port)


def test_other_paths_are_404_and_nothing_is_judged(running: Running) -> None:
    base = f"http://127.0.0.1:{running.port}"
    state = running.pending.state
    for path in ("/", "/favicon.ico", "/callback/x", "/CALLBACK", "/other"):
        status, _ = running.get(f"{base}{path}?code=c&state={state}")
        assert status == 404, path
    assert running.judged == []
    assert not running.ended.is_set()
    assert not running.pending.claimed


def test_wrong_host_header_is_refused(running: Running) -> None:
    url = running.url(code="c", state=running.pending.state)
    status, _ = running.get(url, host=f"evil.test:{running.port}")
    assert status == 400
    assert running.judged == []


def test_only_get(running: Running) -> None:
    url = running.url(code="c", state=running.pending.state)
    for method in ("POST", "HEAD", "PUT"):
        assert running.get(url, method=method)[0] == 405
    assert running.judged == []


def test_oversized_request_head_is_refused_and_nothing_is_judged(running: Running) -> None:
    with socket.create_connection(("127.0.0.1", running.port), timeout=10) as conn:
        conn.sendall(b"GET /callback?state=" + b"x" * MAX_REQUEST_HEAD_BYTES + b" HTTP/1.0\r\n")
        answer = conn.recv(100)
    assert answer.startswith(b"HTTP/1.0 414")
    with socket.create_connection(("127.0.0.1", running.port), timeout=10) as conn:
        conn.sendall(b"GET /callback HTTP/1.0\r\n")
        for i in range(MAX_REQUEST_HEAD_BYTES // 50):
            conn.sendall(f"X-Filler-{i}: {'y' * 40}\r\n".encode())
        conn.sendall(b"\r\n")
        answer = conn.recv(100)
    assert answer.startswith(b"HTTP/1.0 431")
    assert running.judged == []
    assert not running.ended.is_set()


def test_an_idle_connection_does_not_hold_up_the_redirect(running: Running) -> None:
    # Browsers open connections speculatively; one that never sends must not block.
    with socket.create_connection(("127.0.0.1", running.port), timeout=10):
        url = running.url(code="the-code", state=running.pending.state)
        assert running.get(url)[0] == 200
        assert running.finish().url == url


def test_idle_connections_past_the_bound_make_way_for_the_redirect(running: Running) -> None:
    """Issue 19: idle connections (another user's, where the system cannot tell whose)
    must not crowd out the browser's redirect, which arrives whole at once."""
    idle = [
        socket.create_connection(("127.0.0.1", running.port), timeout=10)
        for _ in range(MAX_CONNECTIONS + 4)
    ]
    try:
        url = running.url(code="the-code", state=running.pending.state)
        assert running.get(url)[0] == 200  # at the first try
        assert running.finish().url == url
        # The oldest idle ones were pushed out to make room.
        assert idle[0].recv(1) == b""
    finally:
        for conn in idle:
            conn.close()


def test_a_connection_that_drips_its_request_is_cut_off_at_the_total_deadline(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One byte well inside the per-read timeout each time: only a total deadline ends it.
    monkeypatch.setattr(redirect_http, "CONNECTION_DEADLINE_SECONDS", 0.5)
    with socket.create_connection(("127.0.0.1", running.port), timeout=10) as conn:
        conn.sendall(b"GET /callback?state=")
        cut_off = False
        for _ in range(200):  # 200 x 0.1 s: far past the deadline, far inside 10 s a read
            readable, _, _ = select.select([conn], [], [], 0.1)
            try:
                if readable and conn.recv(100) == b"":
                    cut_off = True
                    break
                conn.sendall(b"x")
            except OSError:  # reset by the listener: cut off too
                cut_off = True
                break
    assert cut_off
    assert running.judged == []
    assert not running.ended.is_set()


def test_denial_ends_the_wait_with_the_reason_on_the_page(running: Running) -> None:
    url = running.url(error="access_denied", state=running.pending.state)
    status, page = running.get(url)
    assert status == 200
    assert "did not finish" in page
    assert "Permission was not given" in page
    outcome = running.finish()
    assert outcome.url == url
    with pytest.raises(AuthorizationDeniedError):
        running.pending.take_code(outcome.url)


# -- ending without an answer ------------------------------------------------------------------


def test_timeout_closes_the_listener() -> None:
    run = Running("http://127.0.0.1/callback", timeout=0.2)
    outcome = run.finish()
    assert isinstance(outcome.error, SignInTimeoutError)
    assert "Start the sign-in again" in outcome.error.user_message
    assert_released(run.port)
    with pytest.raises(ConnectionRefusedError):
        run.get(run.url(code="late", state=run.pending.state))


def test_cancel_closes_the_listener(running: Running) -> None:
    running.listener.cancel()
    assert isinstance(running.finish().error, SignInCancelledError)
    assert_released(running.port)


def test_cancel_before_start_releases_the_port() -> None:
    listener = LoopbackListener("http://127.0.0.1/callback")
    listener.open()
    listener.cancel()
    assert listener.finished
    assert_released(listener.port)


def test_wait_returns_the_url_and_cancel_from_another_thread_stops_it() -> None:
    listener = LoopbackListener("http://127.0.0.1/callback")
    redirect_uri = listener.open()
    pending = begin_sign_in(
        make_settings(redirect_uri="http://127.0.0.1/callback"), redirect_uri=redirect_uri
    )
    threading.Timer(0.05, listener.cancel).start()
    with pytest.raises(SignInCancelledError):
        listener.wait(pending.check_redirect)
    assert_released(listener.port)


def test_wait_raises_the_denial(running: Running) -> None:
    listener = LoopbackListener("http://127.0.0.1/callback")
    redirect_uri = listener.open()
    pending = begin_sign_in(
        make_settings(redirect_uri="http://127.0.0.1/callback"), redirect_uri=redirect_uri
    )
    url = f"{redirect_uri}?error=access_denied&state={pending.state}"
    sender = threading.Thread(target=running.get, args=(url,))
    sender.start()
    with pytest.raises(AuthorizationDeniedError):
        listener.wait(pending.check_redirect)
    sender.join()
    assert_released(listener.port)


# -- the other loopback forms ------------------------------------------------------------------


def test_localhost_binds_127_0_0_1_and_keeps_its_name_in_the_redirect() -> None:
    run = Running("http://localhost/done")
    try:
        assert run.redirect_uri == f"http://localhost:{run.port}/done"
        url = run.url(code="c", state=run.pending.state)
        # Sent to 127.0.0.1 with Host: localhost:<port>, as a browser resolving it does.
        target = f"http://127.0.0.1:{run.port}/done?{urlsplit(url).query}"
        assert run.get(target, host=f"localhost:{run.port}")[0] == 200
        assert run.finish().url == url
    finally:
        run.listener.close()
    assert_released(run.port)


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_loopback() -> None:
    port = free_port("::1")
    run = Running(f"http://[::1]:{port}/cb")
    try:
        url = run.url(code="c", state=run.pending.state)
        assert run.redirect_uri == f"http://[::1]:{port}/cb"
        assert run.get(url)[0] == 200
        assert run.finish().url == url
    finally:
        run.listener.close()
    assert_released(port, "::1")


def test_pending_sign_in_check_does_not_use_up_the_flow() -> None:
    pending = PendingSignIn(
        authorize_url="https://auth.example.test/a",
        redirect_uri="http://127.0.0.1:5000/cb",
        state="s" * 32,
        code_verifier="v" * 43,
    )
    url = f"http://127.0.0.1:5000/cb?code=c&state={'s' * 32}"
    assert pending.check_redirect(url) == "c"
    assert not pending.claimed
    with pytest.raises(StateMismatchError):
        pending.check_redirect("http://127.0.0.1:5000/cb?code=c&state=other")
    assert pending.take_code(url) == "c"
