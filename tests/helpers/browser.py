"""Walk a sign-in page the way a browser would, without a browser (for core-level tests).

It follows the demo server's login and consent forms and returns the redirect URL the
server sends back, *without* fetching it, as the app's web view would catch it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form" and self.action is None:
            self.action = dict(attrs).get("action")


def follow_start_address(url: str) -> str:
    """The authorize URL behind the app's one-time start address (`core.browser.start_page`),
    fetched as the browser would; any other URL as it is."""
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1" or not parts.path.startswith("/start/"):
        return url
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.status_code
    return answer.headers["Location"]


def sign_in_without_browser(
    authorize_url: str, name: str = "Ada Lovelace", allow: bool = True
) -> str:
    authorize_url = follow_start_address(authorize_url)
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


class _Forms(HTMLParser):
    """Every form on a page: its action and its named inputs' values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", {}))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1][1][a["name"] or ""] = a.get("value") or ""
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")


def sign_in_oidc_provider_without_browser(
    authorize_url: str, redirect_uri: str, login: str = "ada", allow: bool = True
) -> str:
    """Walk oidc-provider's development login and consent pages; return the redirect."""
    http = requests.Session()
    url = authorize_url
    for _ in range(12):
        response = http.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(redirect_uri):
                return url
            continue
        forms = _Forms()
        forms.feed(response.text)
        action, fields = forms.forms[0]
        if "login" in fields:
            fields.update(login=login, password="any")
        elif not allow:
            abort = next(link for link in forms.links if link.endswith("/abort"))
            url = urljoin(url, abort)
            continue
        response = http.post(urljoin(url, action), data=fields, allow_redirects=False, timeout=10)
        url = urljoin(url, response.headers["Location"])
        if url.startswith(redirect_uri):
            return url
    raise AssertionError("did not reach the redirect URI")
