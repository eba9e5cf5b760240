"""What the sign-in web view may do with a navigation. Plain Python: the Qt page only asks.

- A navigation of the main frame to the registered redirect URI is *caught*: the web view
  never loads it, so the authorization code never reaches the network. Catching is
  broader than the exact check in `PendingSignIn.take_code` on purpose: anything aimed at
  the redirect endpoint is stopped here, and the flow then decides whether it is
  acceptable. A frame's navigation there is blocked and ignored: only the page itself
  completes a sign-in. The request interceptor blocks every other request aimed there
  (fetch, image, WebSocket).
- For a loopback redirect, given the sign-in page's origin (`page_origin`), that is the
  whole redirect port on every loopback name: a listener there (the app's own, or another
  program's squatting it) sees nothing but what the sign-in page's own origin sends it.
- A navigation that carries this sign-in's answer (its `state`, with a `code` or an
  `error`) anywhere but the redirect URI is caught too: the server did not know the
  redirect URI and sent the answer elsewhere (Adobe IMS: the credential's Default redirect
  URI). The code never reaches that host; the flow then explains (`UnknownRedirectError`).
  The request interceptor blocks every other request carrying it.
- Only https is allowed, plus http on loopback (and about: for blank frames).
- Everything else (file:, data:, javascript:, other apps' custom schemes) is blocked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from frameio_desktop.core.flow import carries_answer
from frameio_desktop.core.providers import is_loopback_host
from frameio_desktop.core.urlnorm import DEFAULT_PORTS, canonical_path, is_local_host, normal_host


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


def targets_redirect(url: str, redirect_uri: str, *, page_origin: str | None = None) -> bool:
    """Aimed at the redirect endpoint. Broader than the flow's exact check on purpose:
    whatever is caught here never reaches the network, and the flow then judges it.

    - Any scheme (http, https, ws, wss, ...) aimed at the redirect's host and port.
    - For a loopback redirect, any loopback name counts as its host: `localhost`,
      `127.0.0.1`, `[::1]`, `127.x.y.z`, `0.0.0.0` all reach the same listener.
    - The path, percent-decoded and in any case, is the registered one, or continues it
      past a separator: `/callback/x`, `/callback;x`, `/callback%2Fx`; not `/callbacks`.
      No registered path means `/`: everything on that origin.
    - Any URL of a custom (app-private) redirect scheme counts (RFC 8252 section 7.1).
    - With `page_origin` (the authorize URL, or any URL on the sign-in page's origin) and a
      loopback redirect: anything on the redirect's port counts, whatever the path and
      scheme, except what is aimed at exactly that origin (scheme, host, port) and not at
      the redirect path. The demo serves its sign-in pages on the redirect's port, so
      they still load; an https provider elsewhere means nothing on that port loads.
    """
    target = urlsplit(url)
    registered = urlsplit(redirect_uri)
    scheme = registered.scheme.lower()
    if scheme not in ("http", "https"):
        return target.scheme.lower() == scheme
    try:
        target_port = target.port or DEFAULT_PORTS.get(target.scheme.lower())
        registered_port = registered.port or DEFAULT_PORTS[scheme]
    except ValueError:
        return False
    if target_port != registered_port:
        return False
    target_host = normal_host(target.hostname)
    registered_host = normal_host(registered.hostname)
    if target_host != registered_host and not (
        is_local_host(target_host) and is_local_host(registered_host)
    ):
        return False
    if _on_redirect_path(target.path, registered.path):
        return True
    if page_origin is None or not is_local_host(registered_host):
        return False
    return _origin(url) != _origin(page_origin)


def _on_redirect_path(path: str, registered_path: str) -> bool:
    base = _decoded(canonical_path(registered_path)).rstrip("/").lower()
    path = _decoded(path).lower()
    if not path.startswith(base):
        return False
    rest = path[len(base) :]
    return rest == "" or not (rest[0].isalnum() or rest[0] in "-_")


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """Scheme, host and port, as the request is sent; None when the port is not a number
    (such a URL is never the sign-in page's origin)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    return scheme, normal_host(parts.hostname), port


def _decoded(path: str) -> str:
    return unquote(path, errors="replace")


def decide_navigation(
    request: NavigationRequest,
    redirect_uri: str,
    *,
    page_origin: str | None = None,
    state: str | None = None,
) -> Decision:
    """`page_origin`: the authorize URL; see `targets_redirect`. `state`: this sign-in's,
    to stop its answer on its way to any other address."""
    if targets_redirect(request.url, redirect_uri, page_origin=page_origin):
        if not request.main_frame:
            # A frame (a cross-origin iframe, say) is stopped, but only the page itself
            # can finish a sign-in.
            return Decision(Action.BLOCK, "a frame tried to finish the sign-in; ignored")
        # Not necessarily the redirect URI itself (another path on its port, say): the
        # flow's exact check refuses that as a mismatch, after nothing reached the network.
        return Decision(Action.CATCH, "redirect URI")
    if state and carries_answer(request.url, state):
        if not request.main_frame:
            return Decision(Action.BLOCK, "a frame carried the sign-in's answer; ignored")
        return Decision(Action.CATCH, "the sign-in's answer, sent to another address")
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


def should_block_request(
    url: str, redirect_uri: str, *, page_origin: str | None = None, state: str | None = None
) -> bool:
    """The request interceptor's rule: nothing may be sent to the redirect endpoint, and
    this sign-in's answer (`state`) may be sent nowhere."""
    if targets_redirect(url, redirect_uri, page_origin=page_origin):
        return True
    return bool(state) and carries_answer(url, state or "")


def state_of(authorize_url: str) -> str | None:
    """The `state` an authorize URL carries (the web view's sign-in), or None."""
    for name, value in parse_qsl(urlsplit(authorize_url).query, keep_blank_values=True):
        if name == "state" and value:
            return value
    return None
