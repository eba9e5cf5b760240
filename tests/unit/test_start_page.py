"""The system browser is given a one-time local start address, never the authorize URL
(issue 19, medium 2: the state and code_challenge stay off every command line)."""

from __future__ import annotations

import select
import socket
import subprocess
import threading
from urllib.parse import urlsplit

import pytest
import requests

from frameio_desktop.core.browser import redirect_http
from frameio_desktop.core.browser.redirect_http import MAX_CONNECTIONS, MAX_REQUEST_HEAD_BYTES
from frameio_desktop.core.browser.start_page import StartPage
from tests.helpers.other_user import NOBODY, OTHER_PYTHON

AUTHORIZE = (
    "https://id.example.test/authorize?client_id=c&state=STATE-123"
    "&code_challenge=CHALLENGE-456&code_challenge_method=S256"
)


def test_the_start_address_forwards_once_then_is_refused() -> None:
    reused = threading.Event()
    with StartPage(AUTHORIZE, on_reused=reused.set) as page:
        url = page.new_url()
        assert "STATE-123" not in url
        assert "CHALLENGE-456" not in url
        assert urlsplit(url).hostname == "127.0.0.1"
        first = requests.get(url, allow_redirects=False, timeout=10)
        assert first.status_code == 302
        assert first.headers["Location"] == AUTHORIZE
        assert first.headers["Cache-Control"] == "no-store"
        assert not reused.is_set()
        second = requests.get(url, allow_redirects=False, timeout=10)
        assert second.status_code == 410
        assert "Location" not in second.headers
        assert reused.is_set()  # the owner stops the sign-in


def test_each_address_is_its_own_and_guesses_find_nothing() -> None:
    with StartPage(AUTHORIZE) as page:
        one, two = page.new_url(), page.new_url()
        assert one != two
        guess = one.rsplit("/", 1)[0] + "/guess"
        assert requests.get(guess, allow_redirects=False, timeout=10).status_code == 404
        assert requests.get(two, allow_redirects=False, timeout=10).status_code == 302
        assert requests.get(one, allow_redirects=False, timeout=10).status_code == 302


def test_another_host_name_is_refused_and_does_not_use_the_address_up() -> None:
    with StartPage(AUTHORIZE) as page:
        url = page.new_url()
        rebound = requests.get(
            url, headers={"Host": "evil.test"}, allow_redirects=False, timeout=10
        )
        assert rebound.status_code == 400
        assert requests.get(url, allow_redirects=False, timeout=10).status_code == 302


def test_another_user_can_neither_read_nor_use_up_the_start_address() -> None:
    if OTHER_PYTHON is None:
        pytest.skip("needs Linux, root and a Python nobody can run")
    fetch = (
        "import sys, urllib.request\n"
        "class NoRedirect(urllib.request.HTTPRedirectHandler):\n"
        "    def redirect_request(self, *a): return None\n"
        "try:\n"
        "    urllib.request.build_opener(NoRedirect).open(sys.argv[1], timeout=10)\n"
        "    print('read')\n"
        "except urllib.error.HTTPError as e:\n"
        "    print('status', e.code)\n"
        "except Exception as e:\n"
        "    print('refused', type(e).__name__)\n"
    )
    with StartPage(AUTHORIZE) as page:
        url = page.new_url()
        other = subprocess.run(
            [OTHER_PYTHON, "-I", "-c", fetch, url],
            user=NOBODY,
            cwd="/",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.stdout.startswith("refused"), other.stdout + other.stderr
        mine = requests.get(url, allow_redirects=False, timeout=10)
        assert mine.status_code == 302  # still fresh for the person's browser
        assert mine.headers["Location"] == AUTHORIZE


def test_a_connection_that_drips_its_request_is_cut_off_at_the_total_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Like the redirect listener's: one byte inside each read timeout would otherwise
    hold a connection (and its thread) for as long as the sign-in lasts."""
    monkeypatch.setattr(redirect_http, "CONNECTION_DEADLINE_SECONDS", 0.5)
    with StartPage(AUTHORIZE) as page:
        url = page.new_url()
        port = int(urlsplit(url).port or 0)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET /start/")
            cut_off = False
            for _ in range(100):  # 100 x 0.1 s: far past the deadline, far inside a read
                readable, _, _ = select.select([conn], [], [], 0.1)
                try:
                    if readable and conn.recv(100) == b"":
                        cut_off = True
                        break
                    conn.sendall(b"x")
                except OSError:
                    cut_off = True
                    break
        assert cut_off
        assert requests.get(url, allow_redirects=False, timeout=10).status_code == 302


def test_an_oversized_request_head_is_refused() -> None:
    with StartPage(AUTHORIZE) as page:
        url = page.new_url()
        port = int(urlsplit(url).port or 0)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(f"GET {urlsplit(url).path} HTTP/1.0\r\n".encode())
            # Under the base class's limits (100 headers of 64 KiB each), over the cap.
            for i in range(50):
                conn.sendall(f"X-Filler-{i}: {'y' * 2000}\r\n".encode())
            conn.sendall(b"\r\n")
            answer = conn.recv(100)
        assert MAX_REQUEST_HEAD_BYTES < 50 * 2000
        assert answer.startswith(b"HTTP/1.0 431")
        # Refused before it was read: the address is still fresh for the browser.
        assert requests.get(url, allow_redirects=False, timeout=10).status_code == 302


def test_idle_connections_past_the_bound_make_way_for_the_browser() -> None:
    with StartPage(AUTHORIZE) as page:
        url = page.new_url()
        port = int(urlsplit(url).port or 0)
        idle = [
            socket.create_connection(("127.0.0.1", port), timeout=10)
            for _ in range(MAX_CONNECTIONS + 4)
        ]
        try:
            assert requests.get(url, allow_redirects=False, timeout=10).status_code == 302
            assert idle[0].recv(1) == b""  # the oldest idle one made room
        finally:
            for conn in idle:
                conn.close()
