"""What the login web view may do with a navigation. Plain Python: the Qt page only asks.

- A navigation to the registered redirect URI is *caught*: the web view never loads it, so
  the authorization code never reaches the network. Catching is broader than the exact
  check in `PendingLogin.take_code` on purpose: anything aimed at the redirect endpoint
  is stopped here, and the flow then decides whether it is acceptable.
- Only https is allowed, plus http on loopback (and about: for blank frames).
- Everything else (file:, data:, javascript:, other apps' custom schemes) is blocked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from urllib.parse import urlsplit

from frameio_desktop.core.providers import is_loopback_host


class Action(enum.Enum):
    ALLOW = "allow"
    CATCH = "catch"
    BLOCK = "block"


@dataclass(frozen=True)
class NavigationRequest:
    url: str
    #: "link", "redirect", "form", "typed", "other", ... (for logs and tests)
    kind: str
    main_frame: bool


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _port(scheme: str, port: int | None) -> int | None:
    return port if port is not None else _DEFAULT_PORTS.get(scheme)


def targets_redirect(url: str, redirect_uri: str) -> bool:
    """Aimed at the redirect endpoint: same scheme, host and port, and the same path or a
    path below it. Any URL of a custom (app-private) redirect scheme counts."""
    target = urlsplit(url)
    registered = urlsplit(redirect_uri)
    scheme = registered.scheme.lower()
    if target.scheme.lower() != scheme:
        return False
    if scheme not in ("http", "https"):
        return True  # a private-use scheme belongs to this app alone (RFC 8252 7.1)
    try:
        same_port = _port(scheme, target.port) == _port(scheme, registered.port)
    except ValueError:
        return False
    if (target.hostname or "") != (registered.hostname or "") or not same_port:
        return False
    base = registered.path.rstrip("/")
    path = target.path.rstrip("/")
    return path == base or path.startswith(base + "/") or path.lower() == base.lower()


def decide_navigation(request: NavigationRequest, redirect_uri: str) -> Decision:
    if targets_redirect(request.url, redirect_uri):
        return Decision(Action.CATCH, "redirect URI")
    parts = urlsplit(request.url)
    scheme = parts.scheme.lower()
    if scheme == "https":
        return Decision(Action.ALLOW)
    if scheme == "http" and is_loopback_host(parts.hostname):
        return Decision(Action.ALLOW)
    if scheme == "about":
        return Decision(Action.ALLOW)
    if scheme == "http":
        return Decision(Action.BLOCK, f"insecure connection to {parts.hostname}")
    return Decision(Action.BLOCK, f"{scheme or 'relative'}: links are not opened here")


def should_block_request(url: str, redirect_uri: str) -> bool:
    """The request interceptor's rule: nothing may be sent to the redirect endpoint."""
    return targets_redirect(url, redirect_uri)
