"""Why there is no Secret Service to keep a sign-in in, on Linux, and how to get one: the
words `token` and the other commands use under cron, SSH or a service (where the window's
"you will stay signed in only until you quit" means nothing)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path


def user_bus_path(uid: int | None = None) -> Path:
    """Where systemd puts a signed-in user's D-Bus session bus."""
    return Path(f"/run/user/{os.getuid() if uid is None else uid}/bus")


def no_keyring_explained(
    environ: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    bus: Path | None = None,
) -> str:
    """What is missing and how to get it, for a command that found no usable keyring."""
    environ = os.environ if environ is None else environ
    if platform == "darwin":
        return "the login keychain cannot be used. Open Keychain Access and unlock it."
    if platform == "win32":
        return "Windows Credential Manager cannot be used for this account."
    if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
        bus = user_bus_path() if bus is None else bus
        where = (
            f"Your desktop session's bus is at {bus}: run the command with "
            f"DBUS_SESSION_BUS_ADDRESS=unix:path={bus} to use its keyring (while you are "
            "signed in to the desktop, with the keyring unlocked)."
            if bus.exists()
            else "Run it inside your desktop session, or with DBUS_SESSION_BUS_ADDRESS "
            "pointing at a session bus that has an unlocked Secret Service (see the README's "
            '"cron and SSH").'
        )
        return (
            "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, as under "
            f"cron, SSH or a service), so the Secret Service cannot be reached. {where}"
        )
    return (
        "the D-Bus session bus has no Secret Service (org.freedesktop.secrets) on it. Start "
        "one: sign in to the desktop, or run gnome-keyring-daemon --components=secrets, or "
        "KeePassXC with its Secret Service integration on."
    )
