"""The doctor's keyring check: which backend, whether it is unlocked, and a write, read and
delete of a scratch entry (never the sign-in's own). Qt-free; see `core/doctor.py`."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from frameio_desktop.core.doctor_check import Check, DoctorContext

if TYPE_CHECKING:
    import keyring.backend

NAME = "keyring"


def no_keyring_fix(environ: Mapping[str, str], platform: str) -> str:
    """What to do when there is no secure keyring, for this system."""
    if platform == "darwin":
        return "Open Keychain Access and check that your login keychain exists and is unlocked."
    if platform == "win32":
        return "Check that Windows Credential Manager is available for your account."
    if not environ.get("DBUS_SESSION_BUS_ADDRESS") and not environ.get("XDG_RUNTIME_DIR"):
        return (
            "There is no D-Bus session bus (cron, SSH): run inside a desktop session, or "
            "start one with `dbus-run-session -- sh` and unlock a Secret Service in it."
        )
    return (
        "Start a Secret Service (GNOME Keyring: gnome-keyring-daemon --components=secrets; "
        "or KeePassXC with Secret Service integration on)."
    )


def backend_words(backend: keyring.backend.KeyringBackend) -> str:
    """The keyring in the window's words ("the system keyring (Secret Service)"), not its
    Python class (the command line names that)."""
    inner = backend
    chained = getattr(backend, "backends", None)
    if type(backend).__name__ == "ChainerBackend" and chained:
        inner = chained[0]
    module = type(inner).__module__
    for part, words in (
        ("SecretService", "the system keyring (Secret Service)"),
        ("libsecret", "the system keyring (Secret Service)"),
        ("kwallet", "the system keyring (KWallet)"),
        ("macOS", "the macOS Keychain"),
        ("Windows", "Windows Credential Manager"),
        ("null", "no keyring (switched off)"),
        ("fail", "no keyring"),
    ):
        if module.startswith("keyring.backends.") and part in module:
            return words
    return "the keyring"


def no_keyring_window_fix(platform: str) -> str:
    """`no_keyring_fix` without commands: what a window user can do."""
    if platform in ("darwin", "win32"):
        return no_keyring_fix({"DBUS_SESSION_BUS_ADDRESS": "-"}, platform)
    return (
        "Start the app from a desktop session with a keyring service running (GNOME "
        "Keyring, or KeePassXC with Secret Service integration on), then check again."
    )


def locked(backend: keyring.backend.KeyringBackend) -> bool | None:
    """Whether the Secret Service collection the backend writes to is locked, asked without
    unlocking it (which would show a password prompt); None where this cannot be told."""
    if type(backend).__module__ != "keyring.backends.SecretService":
        return None
    try:
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            collection = secretstorage.get_default_collection(connection)
            return bool(collection.is_locked())
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - the round trip below says what is wrong
        return None


def round_trip(backend: keyring.backend.KeyringBackend, service: str) -> str | None:
    """Write, read back and delete a scratch entry; None if all three worked, else what
    failed."""
    import keyring.errors

    name = f"doctor-check-{secrets.token_hex(8)}"
    value = secrets.token_urlsafe(16)
    step = "write"
    try:
        backend.set_password(service, name, value)
        step = "read"
        if backend.get_password(service, name) != value:
            return "a value written to it did not come back"
        step = "delete"
        backend.delete_password(service, name)
        if backend.get_password(service, name) is not None:
            return "a deleted value is still there"
    except keyring.errors.KeyringError as exc:
        return f"the {step} failed ({type(exc).__name__}: {exc})"
    except Exception as exc:  # noqa: BLE001 - a backend may raise anything (D-Bus, OS)
        return f"the {step} failed ({type(exc).__name__}: {exc})"
    return None


def check_keyring(context: DoctorContext) -> Check:
    from frameio_desktop.core.store import KeyringTokenStore, insecure_reason

    store = context.store or KeyringTokenStore()
    try:
        backend = store.backend
        label = store.backend_name
    except Exception as exc:  # noqa: BLE001 - finding a backend can fail in many ways
        return Check(
            NAME,
            False,
            f"no keyring backend could be loaded ({type(exc).__name__}: {exc})",
            no_keyring_fix(context.environ, context.platform),
            "no keyring could be found",
            no_keyring_window_fix(context.platform),
        )
    words = backend_words(backend)
    reason = insecure_reason(backend)
    if reason is not None:
        return Check(
            NAME,
            False,
            f"{label}: {reason}; a sign-in would last only until the app quits",
            no_keyring_fix(context.environ, context.platform),
            f"{words}: {reason}; a sign-in would last only until the app quits",
            no_keyring_window_fix(context.platform),
        )
    if locked(backend):
        return Check(
            NAME,
            False,
            f"{label}: the keyring is locked",
            "Unlock it: sign in to your desktop session, or open your keyring manager "
            "(Passwords and Keys / Seahorse, KeePassXC) and unlock the login keyring.",
            window_detail=f"{words}: it is locked",
        )
    failed = round_trip(backend, store.service)
    if failed is not None:
        return Check(
            NAME,
            False,
            f"{label}: {failed}",
            "Check that the keyring is unlocked and works (your keyring manager shows it); "
            "restart its service if it does not answer.",
            window_detail=f"{words}: {failed}",
        )
    return Check(
        NAME,
        True,
        f"{label}: unlocked; write, read and delete of a test entry work",
        window_detail=f"{words}: unlocked; write, read and delete of a test entry work",
    )
