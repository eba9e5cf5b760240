"""Reading one keyring entry from the Secret Service directly, in a `plain` session.

`frameio-desktop token` without the app reads one entry. Through keyring that costs the
imports of keyring, SecretStorage and cryptography, and a Diffie-Hellman key exchange to
open an encrypted session, about half of the command's time. The Secret Service API also
offers the `plain` algorithm, and libsecret's own tools use it on the session bus: the
secret then crosses the bus unencrypted. That bus is a socket of this user's alone (the
D-Bus daemon lets only this user connect), and the processes that could read a message on
it, this user's own, can ask the Secret Service for the same item themselves while the
collection is unlocked; the transport encryption hides nothing from them. This reader
speaks D-Bus with jeepney (SecretStorage's own D-Bus library) alone.

It reads exactly what keyring's `SecretService` backend would: the items of the default
collection with the attributes `{"service": ..., "username": ...}`, the first one. It
only reads; writes go through keyring. Anything it cannot do plainly (no Secret Service,
a locked collection, which needs keyring's unlock prompt, an error) raises
`SecretServiceUnavailable`, and the caller asks keyring instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection

BUS_NAME = "org.freedesktop.secrets"
SERVICE_PATH = "/org/freedesktop/secrets"
#: keyring's SecretService backend uses this collection unless keyringrc names another.
DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"
#: A reply later than this means something is wrong: keyring then tries (and says what).
CALL_TIMEOUT_SECONDS = 10.0


class SecretServiceUnavailable(Exception):  # noqa: N818 - a condition, not a failure to report
    """This read cannot be done plainly; use keyring."""


def read_secret(
    service: str,
    username: str,
    *,
    collection: str = DEFAULT_COLLECTION,
    bus: str = "SESSION",
) -> str | None:
    """The secret stored for (`service`, `username`) in `collection`, None if there is
    none. Raises `SecretServiceUnavailable` for anything keyring should handle."""
    try:
        from jeepney.io.blocking import open_dbus_connection
    except ImportError as exc:  # only Linux and the BSDs have jeepney (with SecretStorage)
        raise SecretServiceUnavailable("jeepney is not installed") from exc
    try:
        with open_dbus_connection(bus=bus) as conn:
            return _read(conn, service, username, collection)
    except SecretServiceUnavailable:
        raise
    except Exception as exc:  # any D-Bus trouble: keyring says what it is
        raise SecretServiceUnavailable(f"{type(exc).__name__}: {exc}") from exc


def _read(conn: DBusConnection, service: str, username: str, collection: str) -> str | None:
    from jeepney import DBusAddress, new_method_call

    def call(
        path: str, interface: str, method: str, signature: str, *body: object
    ) -> tuple[Any, ...]:
        address = DBusAddress(path, bus_name=BUS_NAME, interface=interface)
        message = new_method_call(address, method, signature, tuple(body))
        reply = conn.send_and_get_reply(message, timeout=CALL_TIMEOUT_SECONDS)
        if reply.header.message_type.name == "error":
            raise SecretServiceUnavailable(f"{method}: {reply.header.fields}")
        return tuple(reply.body)

    locked = call(
        collection,
        "org.freedesktop.DBus.Properties",
        "Get",
        "ss",
        "org.freedesktop.Secret.Collection",
        "Locked",
    )[0]
    if locked != ("b", False):
        raise SecretServiceUnavailable("the collection is locked")
    (items,) = call(
        collection,
        "org.freedesktop.Secret.Collection",
        "SearchItems",
        "a{ss}",
        {"username": username, "service": service},
    )
    if not items:
        return None
    _output, session = call(
        SERVICE_PATH, "org.freedesktop.Secret.Service", "OpenSession", "sv", "plain", ("s", "")
    )
    try:
        ((_session, _parameters, value, _content_type),) = call(
            items[0], "org.freedesktop.Secret.Item", "GetSecret", "o", session
        )
    finally:
        call(session, "org.freedesktop.Secret.Session", "Close", "")
    return bytes(value).decode("utf-8")
