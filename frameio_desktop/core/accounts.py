"""Frame.io V4 accounts: every page of `/v4/accounts`, and the default account per profile.

Almost every V4 route sits under `/v4/accounts/{account_id}/...`, so a script needs an
account ID. The list is read after a sign-in and at each background check
(`AuthSession.user()`); the person's choice of default account is not a secret and is
kept in a small JSON file in the config folder (platformdirs), never in the keyring.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import platformdirs

from frameio_desktop.core.errors import (
    StoreError,
    TransportError,
    UnexpectedResponseError,
    UnknownAccountError,
)
from frameio_desktop.core.http import HttpClient, json_body
from frameio_desktop.core.user import _text, raise_for_api_status

log = logging.getLogger(__name__)

#: A user with more accounts than this many pages hold is not expected; a server that
#: keeps sending `next` links (a loop, or a hostile one) is stopped here.
MAX_ACCOUNT_PAGES = 20


@dataclass(frozen=True)
class FrameioAccount:
    """One Frame.io account the signed-in user can reach."""

    id: str
    name: str | None

    @property
    def display_name(self) -> str:
        return self.name or self.id

    def to_json(self) -> dict[str, str | None]:
        return {"id": self.id, "name": self.name}


def parse_accounts_page(body: object) -> tuple[list[FrameioAccount], str | None]:
    """One page: its accounts and the `links.next` link (None on the last page)."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise UnexpectedResponseError("The account list did not return a `data` list.")
    accounts: list[FrameioAccount] = []
    for item in body["data"]:
        if not isinstance(item, dict):
            continue
        account_id = _text(item.get("id"))
        if account_id is None:
            continue
        name = _text(item.get("display_name")) or _text(item.get("name"))
        accounts.append(FrameioAccount(id=account_id, name=name))
    links = body.get("links")
    following = links.get("next") if isinstance(links, dict) else None
    return accounts, following if isinstance(following, str) and following else None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _same_api(first: str, candidate: str, origin: tuple[str, str, int | None]) -> str:
    """`candidate` rebuilt on the first URL's scheme and host, if it names the same API.

    Refused: another scheme, host or port; a user name (`user@host`); a backslash, which
    `urlsplit` and the parser `requests` uses (urllib3) read differently
    (`http://OTHER\\@API/` is API to one, OTHER to the other). The host is checked with
    both parsers, and the URL sent is rebuilt from the checked parts."""
    from urllib3.util import parse_url

    parts = urlsplit(candidate)
    try:
        sent = parse_url(candidate)
    except ValueError:
        sent = None
    if (
        "\\" in candidate
        or parts.username is not None
        or "@" in parts.netloc
        or _origin(candidate) != origin
        or sent is None
        or sent.auth is not None
        or (sent.scheme or "").lower() != origin[0]
        or (sent.host or "").lower() != origin[1]
        or sent.port != origin[2]
    ):
        raise UnexpectedResponseError(
            "The account list pointed its next page at another server; it was not "
            "followed, so the sign-in stayed with the API that issued it."
        )
    base = urlsplit(first)
    return parts._replace(scheme=base.scheme, netloc=base.netloc, fragment="").geturl()


def fetch_accounts(
    http: HttpClient, url: str, access_token: str, *, max_pages: int = MAX_ACCOUNT_PAGES
) -> list[FrameioAccount]:
    """Every account, following `links.next` (a path or a URL) page after page.

    The token goes only to the API that the first URL names: a `next` link to another
    scheme, host or port is refused, as is a link seen before, and the walk stops with an
    error after `max_pages` pages rather than returning a list it knows is cut short.
    Raises `TokenRejectedError` on 401 (the caller refreshes once and retries).
    """
    origin = _origin(url)
    seen: set[str] = set()
    accounts: list[FrameioAccount] = []
    page_url: str | None = url
    for _ in range(max_pages):
        assert page_url is not None
        seen.add(page_url)
        response = http.request(
            "GET",
            page_url,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        raise_for_api_status(response, page_url, "account list")
        page, following = parse_accounts_page(json_body(response))
        accounts.extend(a for a in page if a.id not in {b.id for b in accounts})
        if following is None:
            return accounts
        page_url = _same_api(url, urljoin(page_url, following), origin)
        if page_url in seen:
            raise UnexpectedResponseError("The account list's pages go round in a circle.")
    raise UnexpectedResponseError(
        f"The account list has more than {max_pages} pages; it was not read to the end."
    )


def default_choices_path() -> Path:
    return Path(platformdirs.user_config_dir("frameio-desktop", appauthor=False)) / "accounts.json"


class AccountChoices:
    """The default account per sign-in (`Settings.store_key`: provider, client, profile),
    in a small JSON file. Not a secret: IDs of accounts, never a token."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_choices_path()
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str]:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            # A damaged file loses a preference, nothing more: start again from the first.
            log.warning("the saved account choice at %s cannot be read: %s", self.path, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._read().get(key)

    def set(self, key: str, account_id: str | None) -> None:
        """Save (or with None, forget) the default account for one sign-in."""
        with self._lock:
            data = self._read()
            if account_id is None:
                if data.pop(key, None) is None:
                    return
            else:
                data[key] = account_id
            self._write(data)

    def _write(self, data: dict[str, str]) -> None:
        import tempfile

        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".accounts.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True)
                out.write("\n")
            os.replace(temp, self.path)
        except OSError as exc:
            raise StoreError(f"The account choice could not be saved ({exc}).") from exc


def choose_account_id(
    accounts: Sequence[FrameioAccount] | None,
    *,
    override: str | None,
    saved: str | None,
) -> str | None:
    """Which account scripts use: the override (`--account-id`, `FRAMEIO_ACCOUNT_ID`) if
    given, else the saved choice while it is still in the list, else the first account."""
    if override:
        return override
    if accounts is None:  # not read yet: trust the saved choice
        return saved
    ids = [a.id for a in accounts]
    if saved in ids:
        return saved
    return ids[0] if ids else None


class AccountList:
    """One sign-in's Frame.io accounts as last read, why the last read failed, and the
    person's default among them. Read on worker threads and shown on the UI thread: every
    change holds the lock."""

    def __init__(self, store_key: str, choices: AccountChoices | None = None) -> None:
        self.choices = choices or AccountChoices()
        self._key = store_key
        self._lock = threading.Lock()
        self._accounts: list[FrameioAccount] | None = None
        self._problem: TransportError | None = None

    @property
    def accounts(self) -> list[FrameioAccount] | None:
        """The accounts last read (None: not read in this process)."""
        return self._accounts

    @property
    def problem(self) -> TransportError | None:
        """Why the last read for `account()` failed (None when it worked or never ran)."""
        return self._problem

    def update(
        self,
        accounts: list[FrameioAccount] | None = None,
        *,
        problem: TransportError | Literal["keep"] | None = "keep",
        unless: Callable[[], bool] = lambda: False,
    ) -> bool:
        """Keep a read's result (`accounts`, when given, and `problem`, unless "keep"),
        unless `unless()` says, under the lock, that it is stale (the sign-in it was read
        for has ended). True if kept."""
        with self._lock:
            if unless():
                return False
            if accounts is not None:
                self._accounts = list(accounts)
            if problem != "keep":
                self._problem = problem
            return True

    def chosen_id(self, override: str | None) -> str | None:
        """The account scripts use (see `choose_account_id`). No network."""
        return choose_account_id(
            self._accounts, override=override, saved=self.choices.get(self._key)
        )

    def choose(self, account_id: str) -> None:
        """Save `account_id` as the default; it must be listed when the list is known."""
        known = self._accounts
        if known is not None and account_id not in {a.id for a in known}:
            raise UnknownAccountError(account_id)
        self.choices.set(self._key, account_id)

    def forget(self) -> None:
        """The sign-in ended: drop the list and the saved choice (best effort for the file)."""
        with self._lock:
            self._accounts = None
            self._problem = None
        try:
            self.choices.set(self._key, None)
        except StoreError as exc:
            log.warning("the account choice was not removed: %s", exc.user_message)
