"""Other users on the same computer and the loopback redirect listener (issue 19): a
`localhost` redirect holds every loopback address on its port, and another user's idle
connections neither take the browser's places nor see the page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

from frameio_desktop.core.browser.errors import PortInUseError
from frameio_desktop.core.browser.loopback import MAX_CONNECTIONS, LoopbackListener
from frameio_desktop.core.browser.peer import loopback_peer_uid
from tests.helpers.other_user import NOBODY, OTHER_PYTHON
from tests.unit.test_loopback import Running, assert_released, free_port, ipv6_loopback

needs_ipv6 = pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")


@needs_ipv6
def test_localhost_holds_the_ipv6_loopback_on_its_port_too() -> None:
    run = Running("http://localhost/done")
    try:
        # Nobody else can take [::1]:<port>, where a browser resolving localhost goes first.
        with socket.socket(socket.AF_INET6) as rival, pytest.raises(OSError, match="in use"):
            rival.bind(("::1", run.port))
        url = run.url(code="c", state=run.pending.state)
        target = url.replace("localhost", "[::1]", 1)
        assert run.get(target, host=f"localhost:{run.port}")[0] == 200
        assert run.finish().url == url
    finally:
        run.listener.close()
    assert_released(run.port, "::1")
    assert_released(run.port)


@needs_ipv6
def test_a_registered_localhost_port_taken_on_ipv6_is_an_error_not_half_a_listener() -> None:
    port = free_port()
    with socket.socket(socket.AF_INET6) as rival:
        rival.bind(("::1", port))
        rival.listen()
        listener = LoopbackListener(f"http://localhost:{port}/cb")
        with pytest.raises(PortInUseError):
            listener.open()
    assert_released(port)  # the 127.0.0.1 half was let go too


def test_the_kernel_table_names_this_users_connections() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname(), timeout=10)
        peer, _ = server.accept()
        with client, peer:
            assert loopback_peer_uid(peer.getpeername(), server.getsockname()) == os.geteuid()


_OTHER_USER = textwrap.dedent(
    """
    import socket, sys
    port, count = int(sys.argv[1]), int(sys.argv[2])
    conns = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
    closed = 0
    for conn in conns:
        try:
            closed += conn.recv(1) == b""
        except (TimeoutError, OSError):
            pass
    print(closed, flush=True)
    sys.stdin.read()
    """
)


@pytest.mark.skipif(OTHER_PYTHON is None, reason="needs Linux, root and a Python nobody can run")
def test_another_users_idle_connections_do_not_crowd_out_the_redirect() -> None:
    assert OTHER_PYTHON is not None
    run = Running("http://127.0.0.1/callback")
    count = MAX_CONNECTIONS + 8
    other = subprocess.Popen(
        [OTHER_PYTHON, "-I", "-c", _OTHER_USER, str(run.port), str(count)],
        user=NOBODY,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd="/",
    )
    try:
        assert other.stdout is not None
        # Each was closed by the listener at once, not left to hold a place.
        assert other.stdout.readline().strip() == str(count)
        url = run.url(code="the-code", state=run.pending.state)
        assert run.get(url)[0] == 200
        assert run.finish().url == url
    finally:
        other.kill()
        other.wait(10)
        run.listener.close()
    assert_released(run.port)
