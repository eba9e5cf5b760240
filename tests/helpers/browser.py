"""Walk a sign-in page the way a browser would, without a browser (for core-level tests).

It follows the demo server's login and consent forms and returns the redirect URL the
server sends back, *without* fetching it, as the app's web view would catch it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form" and self.action is None:
            self.action = dict(attrs).get("action")


def sign_in_without_browser(
    authorize_url: str, name: str = "Ada Lovelace", allow: bool = True
) -> str:
    http = requests.Session()
    page = http.get(authorize_url, allow_redirects=False, timeout=10)
    page.raise_for_status()
    parser = _FormParser()
    parser.feed(page.text)
    assert parser.action, "no login form"
    action = urljoin(authorize_url, parser.action)
    consent = http.post(action, data={"action": "login", "name": name}, timeout=10)
    consent.raise_for_status()
    answer = http.post(
        action, data={"action": "allow" if allow else "deny"}, allow_redirects=False, timeout=10
    )
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]
