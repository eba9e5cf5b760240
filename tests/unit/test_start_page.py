"""The system browser is given a one-time local start address, never the authorize URL
(issue 19, medium 2: the state and code_challenge stay off every command line)."""

from __future__ import annotations

import subprocess
import threading
from urllib.parse import urlsplit

import pytest
import requests

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
