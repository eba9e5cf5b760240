"""Whose is a loopback TCP connection? On Linux the kernel says, in `/proc/net/tcp` and
`/proc/net/tcp6`: each socket's addresses and the user ID that owns it. The redirect
listener uses it to close another user's connections at once, so that they neither see
the sign-in page nor take the places the browser's redirect needs.

Elsewhere (macOS, Windows) there is no such table to read without privileges; the answer
is then "unknown" (None) and the listener serves the connection as before.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

_TABLES = {socket.AF_INET: "/proc/net/tcp", socket.AF_INET6: "/proc/net/tcp6"}


def _kernel_address(host: str, port: int) -> str:
    """`host:port` as `/proc/net/tcp*` writes it: the address's 32-bit words each in the
    machine's byte order, in hex, then the port in hex."""
    packed = ipaddress.ip_address(host.split("%", 1)[0]).packed
    words = [packed[i : i + 4] for i in range(0, len(packed), 4)]
    if sys.byteorder == "little":
        words = [w[::-1] for w in words]
    return f"{b''.join(words).hex().upper()}:{port:04X}"


def loopback_peer_uid(
    client: tuple[str, int] | tuple[str, int, int, int],
    server: tuple[str, int] | tuple[str, int, int, int],
    *,
    root: Path = Path("/"),
) -> int | None:
    """The user ID owning the client end of the connection `client` -> `server`, or None
    when it cannot be told (not Linux, no such entry, an unreadable table)."""
    if not sys.platform.startswith("linux") and root == Path("/"):
        return None
    family = socket.AF_INET6 if ":" in client[0] else socket.AF_INET
    local = _kernel_address(client[0], int(client[1]))
    remote = _kernel_address(server[0], int(server[1]))
    table = root / _TABLES[family].lstrip("/")
    try:
        lines = table.read_text(encoding="ascii").splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        # sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
        if len(fields) > 7 and fields[1] == local and fields[2] == remote:
            try:
                return int(fields[7])
            except ValueError:
                return None
    return None
