"""One normal form for the parts of a redirect URI, shared by the web view's catch rule
(`navigation.targets_redirect`) and the flow's exact check (`flow.redirect_matches`), so
what one catches the other judges by the same reading.

Chromium hands over URLs in its canonical form: an internationalised host in punycode, a
non-ASCII path percent-encoded as UTF-8, an empty path as `/`. A registered URI is
written by a person and may be in any of these forms; both are brought to Chromium's.
"""

from __future__ import annotations

import ipaddress
import re

#: Default ports, WebSocket schemes included: a `ws://` request is aimed at the same
#: port as `http://`.
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
#: ASCII characters Chromium percent-encodes in a path.
_ENCODED_IN_PATH = frozenset(' "<>`{}|\\^')


def normal_host(host: str | None) -> str:
    """Lower case, internationalised names as punycode (what Chromium sends)."""
    if not host:
        return ""
    host = host.lower()
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def canonical_path(path: str) -> str:
    """The path as Chromium sends it: `/` for an empty one, non-ASCII and unsafe ASCII
    characters percent-encoded as UTF-8, escapes in upper case. Escapes of plain ASCII
    characters are kept as they are: `/%63b` stays a different path from `/cb`."""
    if not path:
        return "/"
    out: list[str] = []
    i = 0
    while i < len(path):
        escape = _ESCAPE.match(path, i)
        if escape:
            out.append("%" + escape.group(1).upper())
            i += 3
            continue
        ch = path[i]
        if ord(ch) > 127 or ch in _ENCODED_IN_PATH:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def is_local_host(host: str | None) -> bool:
    """Every name that reaches this computer: `localhost` and its subdomains (Chromium
    resolves them to loopback itself), 127.0.0.0/8, ::1, IPv4-mapped loopback, and the
    unspecified addresses (a connection to 0.0.0.0 lands on this computer)."""
    if not host:
        return False
    name = host.lower().strip("[]").rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified
