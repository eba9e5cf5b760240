"""Which sign-in host the window uses, and each host's life: made for a sign-in or a
silent renewal, wired to the controller, closed, and released before the window goes."""

from __future__ import annotations

import functools
from typing import cast

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtWidgets import QBoxLayout, QWidget

from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.sign_in_host import HostFactory, HostPlace, SignInHost


class HostKeeper(QObject):
    """Holds the host of the sign-in in progress and of the silent renewal, and the
    hosts closed but not yet released (a web engine, a process)."""

    #: A host shows its page somewhere else: what the window says meanwhile.
    waiting = Signal(object)  # Waiting
    #: The sign-in's host was closed (the window stops waiting for it).
    sign_in_closed = Signal()

    def __init__(
        self,
        controller: SignInController,
        window: QWidget,
        layout: QBoxLayout,
        host_factory: HostFactory,
        browser_factory: HostFactory | None,
    ) -> None:
        super().__init__(window)
        # The window is this object's parent, not an attribute: a reference back to it
        # would make a cycle that only the cyclic garbage collector breaks, maybe on a
        # worker thread, where the window's timers cannot be stopped.
        self.controller = controller
        self._layout = layout
        #: Makes the host of each sign-in page (embedded, its own process, ...).
        self.host_factory = host_factory
        #: The person's own browser, offered beside the default (None: not offered).
        self.browser_factory = (
            browser_factory
            if browser_factory is not None and not host_factory.system_browser
            else None
        )
        #: The factory of the sign-in being started.
        self.factory_now = host_factory
        #: The host of the sign-in in progress, if any.
        self.sign_in_host: SignInHost | None = None
        #: The hidden host of a silent renewal, if one runs.
        self.renewal_host: SignInHost | None = None
        #: Hosts closed but not yet finished releasing (a web engine, a process).
        self.closing_hosts: list[SignInHost] = []
        #: A silent renewal (authorize URL, redirect URI) waiting for the closed hosts to
        #: end before its own host opens (see `open_renewal`).
        self._renewal_waiting: tuple[str, str] | None = None
        #: "signing out", then "due" until the web profile is deleted again (see
        #: `watch_sign_out`).
        self._web_profile_purge: str | None = None
        controller.interactive.page_requested.connect(self.open_sign_in)
        controller.interactive.page_ended.connect(self.close_sign_in)
        controller.renewal.renewal_requested.connect(self.open_renewal)
        controller.renewal.renewal_finished.connect(self.close_renewal)
        controller.state_changed.connect(self.watch_sign_out)

    @property
    def in_browser_now(self) -> bool:
        """The sign-in being started (or last started) is in the person's browser."""
        return self.factory_now.system_browser

    def choose(self, in_browser: bool) -> HostFactory:
        """The factory for the next sign-in: the person's browser, or the default."""
        factory = self.host_factory
        if in_browser and self.browser_factory is not None:
            factory = self.browser_factory
        self.factory_now = factory
        return factory

    def drop_prepared(self) -> None:
        """A sign-in ended before its page opened: undo what was prepared for it."""
        drop = self.factory_now.drop_prepared
        if self.sign_in_host is None and drop is not None:
            drop()

    def _place(self, *, web_profile: bool = True) -> HostPlace:
        return HostPlace(
            window=cast(QWidget, self.parent()),
            layout=self._layout,
            web_profile=self.controller.web_profile() if web_profile else None,
        )

    # -- the sign-in page, in a host made only for an interactive sign-in ---------------

    def open_sign_in(self, authorize_url: str, redirect_uri: str) -> None:
        self.close_sign_in()
        # The person's own browser keeps its own cookies: no web profile of the app's.
        host = self.factory_now.make(self._place(web_profile=not self.factory_now.system_browser))
        controller = self.controller
        host.redirect_caught.connect(controller.interactive.redirect_caught)
        host.cancel_requested.connect(controller.cancel)
        host.load_failed.connect(controller.interactive.page_failed)
        host.sign_in_failed.connect(controller.interactive.sign_in_failed)
        host.browser_wanted.connect(self.continue_in_browser)
        self.sign_in_host = host
        host.open(authorize_url, redirect_uri)
        if host.waiting is not None:
            self.waiting.emit(host.waiting)

    def continue_in_browser(self) -> None:
        """The page refused to work inside the app: the same sign-in, in the browser."""
        factory = self.choose(True)
        if factory.system_browser:
            self.controller.interactive.restart(prepare_redirect=factory.prepare_redirect)

    def raise_sign_in(self) -> None:
        if self.sign_in_host is not None:
            self.sign_in_host.bring_to_front()

    def close_sign_in(self) -> None:
        host, self.sign_in_host = self.sign_in_host, None
        if host is not None:
            self.sign_in_closed.emit()
            self._close(host)

    # -- silent renewal (no refresh token): a host that shows nothing ---------------------

    def open_renewal(self, authorize_url: str, redirect_uri: str) -> None:
        """Run the controller's `prompt=none` request in a host that shows nothing, once
        every closed host has ended: a sign-in page's process writes the provider's session
        cookies into the web profile as it ends (Chromium's shutdown flush), and a renewal
        started before then finds none and is refused with login_required. The renewal's
        own timeout bounds the wait."""
        self.close_renewal()
        if self.closing_hosts:
            self._renewal_waiting = (authorize_url, redirect_uri)
            return
        self._start_renewal(authorize_url, redirect_uri)

    def _start_renewal(self, authorize_url: str, redirect_uri: str) -> None:
        make = self.host_factory.make_silent
        if make is None:
            self.controller.renewal.failed("this kind of sign-in page cannot renew silently")
            return
        host = make(self._place())
        host.redirect_caught.connect(self.controller.renewal.redirect_caught)
        host.load_failed.connect(self.controller.renewal.failed)
        host.cancel_requested.connect(
            functools.partial(self.controller.renewal.failed, "the silent renewal's page closed")
        )
        self.renewal_host = host
        host.open(authorize_url, redirect_uri)

    def close_renewal(self) -> None:
        self._renewal_waiting = None
        host, self.renewal_host = self.renewal_host, None
        if host is not None:
            self._close(host)

    # -- closing and releasing -------------------------------------------------------------

    def _close(self, host: SignInHost) -> None:
        self.closing_hosts.append(host)
        host.finished.connect(functools.partial(self._host_gone, host))
        host.close()

    def _host_gone(self, host: SignInHost) -> None:
        if host in self.closing_hosts:
            self.closing_hosts.remove(host)
            host.deleteLater()
        self._purge_web_profile_if_due()
        if self._renewal_waiting is not None and not self.closing_hosts:
            waiting, self._renewal_waiting = self._renewal_waiting, None
            self._start_renewal(*waiting)

    def close_all(self) -> None:
        self.close_sign_in()
        self.close_renewal()

    def release(self, timeout_ms: int = 5000) -> bool:
        """Close every host and wait until each has released what it holds, so no web
        engine object or sign-in process outlives the window (leftovers crash when the
        application object goes away)."""
        self.close_all()
        for host in list(self.closing_hosts):
            host.release(timeout_ms / 1000)
        # Run the deletions queued outside a running event loop, which are otherwise
        # never run.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return not self.closing_hosts

    # -- the web profile after a sign-out -------------------------------------------------

    def watch_sign_out(self, state: State) -> None:
        """After a sign-out, once every sign-in process has ended, delete the web profile
        again: a process still shutting down when the sign-out deleted it (a renewal that
        was running, a sign-in a moment before) writes its cookies as it ends."""
        if state is State.SIGNING_OUT:
            self._web_profile_purge = "signing out"
        elif self._web_profile_purge == "signing out":
            self._web_profile_purge = "due" if state is State.SIGNED_OUT else None
            self._purge_web_profile_if_due()

    def _purge_web_profile_if_due(self) -> None:
        if self._web_profile_purge != "due" or self.closing_hosts:
            return
        self._web_profile_purge = None
        if self.controller.state is State.SIGNED_OUT:
            self.controller.forget_web_profile()
