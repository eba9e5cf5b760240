"""The sign-in page in the person's own web browser (RFC 8252): the third `SignInHost`.

The window says "Continue in your browser" meanwhile. The redirect comes back one of two
ways, both Qt-free in `core/browser/`:

- a loopback redirect (`http://127.0.0.1:<port>/...`): a `LoopbackListener` that the
  factory binds before the sign-in starts (`prepare_redirect`), so that the authorize
  request names the port it really got;
- a custom scheme (`adobe+<hash>://...`): the operating system starts a second instance,
  which hands the URL over the `HandoffServer` this factory runs for the app's life; while
  no sign-in waits, it refuses.

Either way the host only tells the window which URL came back; the controller then makes
every check again (`PendingSignIn.take_code`) and exchanges the code. The host's own check
(`judge_for`, from the state in the authorize URL it opened) only decides whether a URL is
this sign-in's answer, and so whether to stop waiting.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFileOpenEvent

from frameio_desktop.core.errors import (
    AuthorizationResponseError,
    ConfigError,
    FrameioDesktopError,
    SignInCancelledError,
    WindowAction,
    WindowRemedy,
)
from frameio_desktop.core.flow import FOREIGN_ANSWER_ERRORS
from frameio_desktop.gui.sign_in_host import HostFactory, HostPlace, SignInHost, Waiting

if TYPE_CHECKING:
    from frameio_desktop.core.browser.handoff import HandoffServer
    from frameio_desktop.core.browser.loopback import ListenerOutcome, LoopbackListener
    from frameio_desktop.core.browser.start_page import StartPage
    from frameio_desktop.gui.local_handoff import LocalHandoffServer

# The listener, the handoff and the scheme registration (http.server, selectors,
# subprocess: tens of milliseconds) are imported when a sign-in first needs them, not
# at every launch of the window, which builds this factory for its browser button.
#: As `core.browser.loopback.DEFAULT_TIMEOUT_SECONDS`, without importing it at launch.
DEFAULT_TIMEOUT_SECONDS = 300.0

log = logging.getLogger(__name__)

WAITING = Waiting(
    title="Continue in your browser",
    text="The sign-in page is open in your web browser. Sign in there; this window "
    "carries on by itself once you have.",
    show_button="Open the page again",
)


def open_in_browser(url: str) -> None:
    """`BROWSER` if set, else the desktop's own choice (QDesktopServices)."""
    from frameio_desktop.core.browser.errors import BrowserOpenError
    from frameio_desktop.core.browser.launch import open_with_browser_variable

    if open_with_browser_variable(url):
        return
    if not QDesktopServices.openUrl(QUrl(url)):
        raise BrowserOpenError()


class _Relay(QObject):
    """Carries what worker threads learn to the UI thread (queued signal delivery)."""

    listener_done = Signal(object)  # ListenerOutcome
    handed_over = Signal(object, str)  # SystemBrowserHost, URL
    start_reused = Signal()  # the one-time start address was fetched twice


class _FileOpenWatcher(QObject):
    """macOS hands a custom-scheme URL to the running app as an Apple event, which Qt turns
    into a `QFileOpenEvent` on the application (no second instance is started there)."""

    def __init__(self, hosts: SystemBrowserHosts, scheme_name: str) -> None:
        super().__init__()
        self._hosts = hosts
        self._scheme = scheme_name

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        url = bytes(event.url().toEncoded().data()).decode("ascii", "replace")
        if not url.lower().startswith(self._scheme + ":"):
            return False
        reason = self._hosts.accept_redirect(url)
        if reason is not None:
            log.warning("refused a sign-in answer from the system: %s", reason)
        return True


class SystemBrowserHosts:
    """Makes `SystemBrowserHost`s, and holds what outlives one sign-in: the listener bound
    for the next one, and the handoff server."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        open_url: Callable[[str], None] = open_in_browser,
        handoff_path: Path | None = None,
        register_scheme: bool | None = None,
    ) -> None:
        self.timeout = timeout
        self.open_url = open_url
        self.handoff_path = handoff_path
        from frameio_desktop.core.browser import scheme

        #: Register the custom scheme at first use: frozen builds only, so a run from
        #: source never changes the person's URL handlers on its own; and not one an
        #: installer put in place, which leaves that registration to its installer.
        self.register_scheme = (
            getattr(sys, "frozen", False) and not scheme.registered_by_installer()
            if register_scheme is None
            else register_scheme
        )
        self._reserved: LoopbackListener | None = None
        self._handoff: HandoffServer | LocalHandoffServer | None = None
        self._lock = threading.Lock()
        self._waiting: tuple[SystemBrowserHost, Callable[[str], object]] | None = None
        self._file_open: _FileOpenWatcher | None = None
        self._relay = _Relay()
        self._relay.handed_over.connect(self._on_handed_over)

    def host_factory(self) -> HostFactory:
        return HostFactory(
            make=self.make,
            where="in your web browser. ",
            in_process=False,
            prepare_redirect=self.prepare_redirect,
            drop_prepared=self._drop_reserved,
            system_browser=True,
        )

    # -- before each sign-in -------------------------------------------------------------

    def prepare_redirect(self, registered: str) -> str:
        """The redirect URI this sign-in must use. A loopback one is bound now (its port
        may be any free one); a custom scheme needs the handoff server running."""
        from frameio_desktop.core.browser import scheme
        from frameio_desktop.core.browser.loopback import LoopbackListener, loopback_address

        self._drop_reserved()
        if loopback_address(registered) is not None:
            listener = LoopbackListener(registered, timeout=self.timeout)
            uri = listener.open()
            self._reserved = listener
            return uri
        name = scheme.redirect_scheme(registered)
        if name is None:
            # An https:// redirect is a web page (a Single-Page App or Web App credential):
            # only the app's own window, or a pasted address, can catch it.
            raise ConfigError(
                "FRAMEIO_REDIRECT_URI",
                f"is {registered!r}, a web page; a web browser cannot bring that back to this app",
                hint="Sign in with the app's own window (--browser embedded), or run "
                "`frameio-desktop login --no-browser` and paste the address the browser "
                "ends on. Your browser can sign in with a Native App credential's redirect "
                "(adobe+<hash>://adobeid/<client id>) or a loopback one where the server "
                "allows it.",
                window_remedy=WindowRemedy(
                    "Sign in in the app's own sign-in window instead, or use a Native App "
                    "credential's redirect (adobe+<hash>://adobeid/<client id>) in Settings.",
                    WindowAction.SIGN_IN_HERE,
                ),
            )
        self.start_handoff()
        self._watch_file_open_events(name)
        if self.register_scheme and not scheme.is_registered(name):
            scheme.register(name)
        return registered

    def start_handoff(self) -> None:
        from frameio_desktop.core.browser import handoff
        from frameio_desktop.core.browser.errors import HandoffError

        if self._handoff is not None:
            return
        try:
            if handoff.available():
                self._handoff = handoff.HandoffServer(
                    self.accept_redirect, self.handoff_path
                ).start()
            else:  # Windows: a named pipe through Qt (gui/local_handoff.py)
                from frameio_desktop.gui.local_handoff import LocalHandoffServer

                self._handoff = LocalHandoffServer(self.accept_redirect).start()
        except HandoffError as exc:
            # Another window receives them: the redirect goes there, not here. Say so.
            raise HandoffError(
                f"{exc.user_message} Close the other frameio-desktop window, or sign in there."
            ) from exc

    def _watch_file_open_events(self, scheme_name: str) -> None:
        app = QCoreApplication.instance()
        if self._file_open is None and app is not None:
            self._file_open = _FileOpenWatcher(self, scheme_name)
            app.installEventFilter(self._file_open)

    def _drop_reserved(self) -> None:
        reserved, self._reserved = self._reserved, None
        if reserved is not None:
            reserved.close()

    def make(self, place: HostPlace) -> SystemBrowserHost:
        listener, self._reserved = self._reserved, None
        return SystemBrowserHost(self, place, listener)

    def close(self) -> None:
        """At application exit: nothing bound, nothing listening."""
        self._drop_reserved()
        handoff, self._handoff = self._handoff, None
        if handoff is not None:
            handoff.close()
        app = QCoreApplication.instance()
        if self._file_open is not None and app is not None:
            app.removeEventFilter(self._file_open)
        self._file_open = None

    # -- the handoff (custom-scheme redirects) -------------------------------------------

    def expect(self, host: SystemBrowserHost, judge: Callable[[str], object]) -> None:
        with self._lock:
            self._waiting = (host, judge)

    def forget(self, host: SystemBrowserHost) -> None:
        with self._lock:
            if self._waiting is not None and self._waiting[0] is host:
                self._waiting = None

    def accept_redirect(self, url: str) -> str | None:
        """A custom-scheme redirect from outside (the handoff socket's thread, or macOS's
        file-open event): None if it is the waiting sign-in's answer (it is passed on to
        its host on the UI thread), else why it is refused."""
        with self._lock:
            waiting = self._waiting
        if waiting is None:
            return "no sign-in is waiting"
        try:
            waiting[1](url)
        except FOREIGN_ANSWER_ERRORS:
            return "not the sign-in the app is waiting for"
        except AuthorizationResponseError:
            pass  # this sign-in's answer, saying no: the window shows why
        with self._lock:
            if self._waiting is not waiting:
                return "no sign-in is waiting"
            self._waiting = None
        self._relay.handed_over.emit(waiting[0], url)
        return None

    def _on_handed_over(self, host: SystemBrowserHost, url: str) -> None:
        log.debug("a sign-in answer was handed over by a second instance")
        host.deliver(url)


class SystemBrowserHost(SignInHost):
    """One sign-in in the person's browser."""

    waiting = WAITING

    def __init__(
        self, factory: SystemBrowserHosts, place: HostPlace, listener: LoopbackListener | None
    ) -> None:
        super().__init__(place.window)
        self.factory = factory
        self.listener = listener
        self.authorize_url = ""
        self._start: StartPage | None = None
        self._relay = _Relay()
        self._relay.listener_done.connect(self._on_listener_done)
        self._relay.start_reused.connect(self._on_start_reused)

    def open(self, authorize_url: str, redirect_uri: str) -> None:
        from frameio_desktop.core.browser.loopback import judge_for
        from frameio_desktop.core.browser.start_page import StartPage

        self.authorize_url = authorize_url
        judge = judge_for(authorize_url, redirect_uri)
        # The browser is given a one-time local address that forwards to the authorize
        # URL: its state and code_challenge never appear on a command line.
        self._start = StartPage(authorize_url, on_reused=self._relay.start_reused.emit)
        if self.listener is not None:
            self.listener.start(judge, self._relay.listener_done.emit)
        else:
            self.factory.expect(self, judge)
        self._show_page()

    def _show_page(self) -> None:
        if self._start is None:
            return
        try:
            self.factory.open_url(self._start.new_url())
        except FrameioDesktopError as exc:
            self.sign_in_failed.emit(exc)

    def _on_start_reused(self) -> None:
        from frameio_desktop.core.browser.errors import StartAddressReusedError

        if not self._closing:
            self.sign_in_failed.emit(StartAddressReusedError())

    def _close_start_page(self) -> None:
        start, self._start = self._start, None
        if start is not None:
            start.close()

    def bring_to_front(self) -> None:
        """Open the sign-in page again (the person closed the tab, or lost it)."""
        if self.authorize_url and not self._closing:
            self._show_page()

    def deliver(self, url: str) -> None:
        """A custom-scheme redirect, handed over by a second instance."""
        if not self._closing:
            self.redirect_caught.emit(url)

    def _on_listener_done(self, outcome: ListenerOutcome) -> None:
        self._gone()  # the listener's socket is closed
        if self._closing:
            return
        if outcome.url is not None:
            self.redirect_caught.emit(outcome.url)
        elif outcome.error is not None and type(outcome.error) is not SignInCancelledError:
            # The timeout, or a failure while checking: the window shows it.
            self.sign_in_failed.emit(outcome.error)

    def _close(self) -> None:
        self.factory.forget(self)
        self._close_start_page()
        listener = self.listener
        if listener is None or listener.finished or not listener.started:
            if listener is not None:
                listener.close()
            self._gone()
            return
        listener.cancel()  # its outcome arrives through the relay, then _gone()

    def release(self, timeout: float) -> None:
        self.close()
        self._close_start_page()
        if self.listener is not None:
            self.listener.wait_closed(timeout)
        self._gone()


def system_browser_host_factory(hosts: SystemBrowserHosts | None = None) -> HostFactory:
    return (hosts or SystemBrowserHosts()).host_factory()
