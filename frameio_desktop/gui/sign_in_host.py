"""Where the sign-in page is shown: the interface the window talks to, and how it gets one.

A `SignInHost` shows one provider sign-in page and reports what happened as signals; the
window never knows which kind it holds. Kinds today: the page embedded in the window
(`gui/in_window_host.py`), the page in a sign-in window of its own process
(`gui/sign_in_child/host.py`), and the person's own browser
(`gui/system_browser_host.py`). The composition root (`frameio_desktop.main`) chooses the
kind and hands the window a `HostFactory`.

A host's life: made by the factory, `open()` once, then exactly one of `redirect_caught`,
`cancel_requested` or `load_failed` (or none, if the window closes it first); `close()`
(any number of times) starts releasing what it holds, and `finished` is emitted once,
after `close()`, when that is done (at once if it already was). `release(timeout)` does
the same but blocks, for application exit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtWidgets import QBoxLayout, QWidget


class HostPage(Protocol):
    """What tests and the self-test use of the page to drive it: as `QWebEnginePage`."""

    @property
    def loadFinished(self) -> SignalInstance: ...  # noqa: N802 - the name QWebEnginePage uses

    def runJavaScript(  # noqa: N802 - as QWebEnginePage
        self, source: str, world_id: int = ..., callback: Callable[[Any], None] = ..., /
    ) -> None: ...


@dataclass(frozen=True)
class Waiting:
    """What the window shows while the page is somewhere else (a window, a browser)."""

    title: str
    text: str
    #: The label of the button that calls `bring_to_front()`.
    show_button: str


@dataclass(frozen=True)
class HostPlace:
    """Where in the app a host may put its page."""

    #: The app's window: a sign-in window goes over it, owned by it.
    window: QWidget
    #: The layout on the window's signing-in page, for a page embedded in the window.
    layout: QBoxLayout
    #: A private folder for a persistent web profile (cookies kept for a silent renewal),
    #: or None: the page's profile stays off the record. Hosts without a web view of
    #: their own (a system browser) ignore it.
    web_profile: str | None = None


class SignInHost(QObject):
    """Base class of every host. Subclasses implement `open`, `_close`, `release` and
    maybe `bring_to_front`, set `page` once open, and call `_gone()` once nothing they
    hold is left (that may happen before `close()`: a child process that crashed)."""

    #: The page navigated to the redirect URI (the full URL, code and state included).
    redirect_caught = Signal(str)
    #: The person cancelled on the page's side (its Cancel, Esc, or closing its window).
    cancel_requested = Signal()
    #: The page could not be shown (a message a person can read).
    load_failed = Signal(str)
    #: The sign-in ended in a failure with its own words (a `FrameioDesktopError`: the
    #: system browser's timeout, a browser that would not open).
    sign_in_failed = Signal(object)
    #: The page refuses to work here (Google's `disallowed_useragent`): the person asked
    #: to continue the same sign-in in their own browser.
    browser_wanted = Signal()
    #: Everything the host held is released; the window may drop it. Once, after close().
    finished = Signal()

    #: None if the page is shown inside the window; else what the window shows meanwhile.
    waiting: Waiting | None = None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: The page, once open: `loadFinished` and `runJavaScript`, for tests and the
        #: self-test to fill in the sign-in form. None before `open()`.
        self.page: HostPage | None = None
        self._closing = False
        self._is_gone = False
        self._finished = False

    @property
    def released(self) -> bool:
        """`finished` has been emitted."""
        return self._finished

    def open(self, authorize_url: str, redirect_uri: str) -> None:
        raise NotImplementedError

    def bring_to_front(self) -> None:
        """Show the page to the person again (the waiting panel's button)."""

    def close(self) -> None:
        """Stop showing the page and start releasing it; `finished` follows (at once if
        nothing is left to release). Later calls do nothing."""
        if self._closing:
            return
        self._closing = True
        self._close()
        self._maybe_finish()

    def release(self, timeout: float) -> None:
        """Close, and wait up to `timeout` seconds until released (application exit)."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def _gone(self) -> None:
        """For subclasses: nothing the host held is left."""
        self._is_gone = True
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        if self._closing and self._is_gone and not self._finished:
            self._finished = True
            self.finished.emit()


@dataclass(frozen=True)
class HostFactory:
    """How the window gets a host for each sign-in, chosen by the composition root."""

    make: Callable[[HostPlace], SignInHost]
    #: Ends "You sign in on the provider's own page, " on the signed-out page.
    where: str
    #: Whether QtWebEngine loads in the window's process (the self-test checks it).
    in_process: bool
    #: Called with the configured redirect URI before each sign-in starts; returns the
    #: one to use (a loopback listener's real port). None: the configured one.
    prepare_redirect: Callable[[str], str] | None = None
    #: Undoes `prepare_redirect` when the sign-in ends before a host took what it
    #: prepared (discovery failed): a listener bound for it must not stay bound.
    drop_prepared: Callable[[], None] | None = None
    #: The page opens in the person's own browser.
    system_browser: bool = False
    #: Makes a host that shows nothing, for a silent renewal (`prompt=none`): the page
    #: loads and its redirect is caught as in a sign-in, but no window or page appears.
    #: None: this kind cannot renew silently (the person is asked to sign in again).
    make_silent: Callable[[HostPlace], SignInHost] | None = None
