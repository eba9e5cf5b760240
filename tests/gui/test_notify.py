"""The desktop notification reaches the freedesktop Notifications service on the session
bus (the private one scripts/test starts), with the exact signature daemons insist on."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from frameio_desktop.gui.notify import NOTIFICATIONS, DesktopNotifier, notify_freedesktop

pytestmark = pytest.mark.skipif(
    not os.environ.get("DBUS_SESSION_BUS_ADDRESS"), reason="no session bus (scripts/test)"
)


class FakeNotifications:
    """A notification daemon that records each `Notify` call and answers with an id."""

    def __init__(self) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.calls: list[tuple[str | None, tuple[object, ...]]] = []
        self.arrived = threading.Event()
        self.connection = open_dbus_connection(bus="SESSION")
        reply = self.connection.send_and_get_reply(message_bus.RequestName(NOTIFICATIONS))
        assert reply.body == (1,), "the name is taken: another notification service runs"
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_method_return

        while not self._stop:
            try:
                message = self.connection.receive(timeout=0.2)
            except TimeoutError:
                continue
            except OSError:
                return
            if message.header.message_type is not MessageType.method_call:
                continue
            fields = message.header.fields
            if fields.get(HeaderFields.member) != "Notify":
                continue
            self.calls.append((fields.get(HeaderFields.signature), message.body))
            self.connection.send(new_method_return(message, "u", (42,)))
            self.arrived.set()

    def stop(self) -> None:
        self._stop = True
        self._thread.join(5)
        self.connection.close()


@pytest.fixture
def service() -> Iterator[FakeNotifications]:
    fake = FakeNotifications()
    yield fake
    fake.stop()


def test_notify_sends_the_exact_signature(service: FakeNotifications) -> None:
    assert notify_freedesktop("Sign in to Frame.io again", "Your sign-in ends at 10:00.")
    assert service.arrived.wait(5)
    signature, body = service.calls[0]
    assert signature == "susssasa{sv}i"
    assert body[0] == "Frame.io Desktop"
    assert body[3:5] == ("Sign in to Frame.io again", "Your sign-in ends at 10:00.")


def test_without_a_service_nothing_is_shown_and_nothing_fails() -> None:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus="SESSION") as connection:
        (names,) = connection.send_and_get_reply(message_bus.ListActivatableNames()).body
    if NOTIFICATIONS in names:
        pytest.skip("this bus would start a real notification daemon")
    assert notify_freedesktop("title", "text", timeout=5) is False


def test_the_window_notifier_falls_back_to_the_service_without_a_tray(
    qtbot, service: FakeNotifications
) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon, QWidget

    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen: no tray
    window = QWidget()
    qtbot.addWidget(window)
    assert DesktopNotifier(window).notify("title", "text")
    assert service.arrived.wait(5)
    assert service.calls[0][1][3] == "title"
