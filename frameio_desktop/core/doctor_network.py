"""The doctor's network and clock checks: the authorize and token hosts resolve and answer
(through the proxy in use, with the app's own bounded HTTP client), and the clock agrees
with the server's `Date` header. Qt-free; see `core/doctor.py`."""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

from frameio_desktop.core import errors
from frameio_desktop.core.doctor_check import Check, DoctorContext
from frameio_desktop.core.providers import DEFAULT_PROVIDER, PRESETS
from frameio_desktop.core.timefmt import format_duration

#: A clock further off than this makes fresh tokens look expired (or expired ones fresh).
MAX_CLOCK_SKEW = timedelta(minutes=5)


def endpoints(context: DoctorContext) -> list[tuple[str, str]]:
    """(what, URL) for the authorize and token endpoints, or the issuer when they come
    from discovery; from the settings, else from the raw values and the preset."""
    settings = context.settings
    if settings is not None:
        found = [("authorize", settings.authorize_url), ("token", settings.token_url)]
        issuer = settings.issuer
    else:
        values = context.values
        preset = PRESETS.get(values.get("provider", DEFAULT_PROVIDER))
        found = [
            (
                "authorize",
                values.get("authorize_url") or (preset.authorize_url if preset else None),
            ),
            ("token", values.get("token_url") or (preset.token_url if preset else None)),
        ]
        issuer = values.get("issuer") or (preset.issuer if preset else None)
    urls: dict[str, tuple[list[str], str]] = {}  # origin -> (what, first URL)
    for what, url in found:
        if url:
            parts = urlsplit(url)
            urls.setdefault(f"{parts.scheme}://{parts.netloc}", ([], url))[0].append(what)
    if not urls and issuer:
        return [("issuer", issuer.rstrip("/") + "/.well-known/openid-configuration")]
    return [(" and ".join(names), first) for names, first in urls.values()]


def proxy_for(url: str) -> str | None:
    """The proxy `requests` uses for `url` (from the environment), without credentials."""
    from requests.utils import get_environ_proxies

    proxies = get_environ_proxies(url)
    proxy = proxies.get(urlsplit(url).scheme) or proxies.get("all")
    if not proxy:
        return None
    parts = urlsplit(proxy)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _resolves(host: str, port: int, deadline: float) -> str | None:
    """None if `host` resolves here within `deadline` seconds, else why not. The lookup
    runs on a thread of its own: `getaddrinfo` takes no timeout, and a resolver that never
    answers must not hold the check past its deadline."""
    outcome: list[str | None] = []

    def look_up() -> None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            outcome.append(f"{host} does not resolve ({exc})")
        else:
            outcome.append(None)

    lookup = threading.Thread(target=look_up, name="doctor-dns", daemon=True)
    lookup.start()
    lookup.join(deadline)
    if not outcome:
        return f"{host} did not resolve within {deadline:g} s (the DNS server does not answer)"
    return outcome[0]


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def check_network(context: DoctorContext) -> Sequence[Check]:
    """`network` (each endpoint resolves and answers) and `clock` (offset from the
    token server's `Date`)."""
    urls = endpoints(context)
    if not urls:
        missing = "no endpoints are known"
        fix = "Fix the settings first."
        return [Check("network", False, missing, fix), Check("clock", False, missing, fix)]
    answered: list[str] = []
    problems: list[str] = []
    server_date: tuple[str, datetime, datetime] | None = None
    for what, url in urls:
        parts = urlsplit(url)
        host = parts.hostname or url
        proxy = proxy_for(url)
        via = f" via proxy {proxy}" if proxy else ""
        if proxy is None:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            unresolved = _resolves(host, port, context.network_deadline)
            if unresolved is not None:
                problems.append(f"{what}: {unresolved}")
                continue
        try:
            response = context.http_client().request("GET", _without_query(url))
        except errors.FrameioDesktopError as exc:
            problems.append(f"{what} {host}{via}: {exc.user_message.rstrip('.')}")
            continue
        received = context.clock()
        answered.append(f"{what} {host} answers (HTTP {response.status_code}){via}")
        date = _date_header(response.headers.get("Date"))
        if date is not None and (server_date is None or "token" in what):
            server_date = (host, date, received)
    network = (
        Check(
            "network",
            False,
            "; ".join(problems + answered),
            "Check the network connection, and the proxy settings (HTTPS_PROXY, NO_PROXY) "
            "if you need a proxy.",
            window_fix="Check the network connection, and the proxy set in the environment "
            "the app was started from if you need a proxy.",
        )
        if problems
        else Check(
            "network", True, "; ".join(answered) + ("" if proxy_for(urls[0][1]) else "; no proxy")
        )
    )
    return [network, clock_check(server_date)]


def _date_header(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def clock_check(server_date: tuple[str, datetime, datetime] | None) -> Check:
    """Compare the local clock with a server's `Date` (to the second, as HTTP gives it)."""
    if server_date is None:
        return Check(
            "clock",
            False,
            "not checked: no server answered with a Date header",
            "Fix the network check first.",
        )
    host, date, local = server_date
    offset = local - date
    size = abs(offset)
    if size <= MAX_CLOCK_SKEW:
        return Check("clock", True, f"within {format_duration(size)} of {host}'s clock")
    direction = "ahead of" if offset > timedelta(0) else "behind"
    return Check(
        "clock",
        False,
        f"this computer's clock is {format_duration(size)} {direction} {host}'s; tokens "
        "would look expired or not yet valid",
        "Set the clock automatically (network time: timedatectl set-ntp true, or the "
        "date and time settings).",
        window_fix="Set the clock automatically in your system's date and time settings.",
    )
