"""The sign-in page inside the app's window (`FRAMEIO_SIGN_IN_WINDOW=in-window`): one process,
and QtWebEngine stays loaded after the sign-in. QtWebEngine is imported only by `open()`.

Its pages always stay off the record (`HostPlace.web_profile` is not used), and it offers
no silent renewal: one process cannot hold a persistent profile twice while a page is
still being released, which a renewal soon after a sign-in would need. A sign-in without
a refresh token asks the person again before it ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QSizePolicy

from frameio_desktop.gui.sign_in_host import HostFactory, HostPlace, SignInHost
from frameio_desktop.gui.tasks import wait_until

if TYPE_CHECKING:
    from frameio_desktop.gui.webview import SignInView


class InWindowHost(SignInHost):
    """A `SignInView` on the window's signing-in page."""

    waiting = None  # the page itself is in the window

    def __init__(self, place: HostPlace) -> None:
        super().__init__(place.window)
        self._layout = place.layout
        self.view: SignInView | None = None

    def open(self, authorize_url: str, redirect_uri: str) -> None:
        from frameio_desktop.gui.webview import SignInView  # QtWebEngine starts here

        view = SignInView(authorize_url, redirect_uri, self._layout.parentWidget())
        view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        view.redirect_caught.connect(self.redirect_caught)
        view.cancel_requested.connect(self.cancel_requested)
        view.load_failed.connect(self.load_failed)
        view.browser_wanted.connect(self.browser_wanted)
        self._layout.addWidget(view)
        self.view = view
        self.page = view.page

    def bring_to_front(self) -> None:
        if self.view is not None:
            self.view.setFocus()

    def _close(self) -> None:
        view = self.view
        if view is None:
            self._gone()
            return
        self._layout.removeWidget(view)
        view.hide()
        # The view deletes its page, then its profile, then itself (see SignInView.shutdown).
        view.destroyed.connect(lambda *_: self._gone())
        view.shutdown()

    def release(self, timeout: float) -> None:
        self.close()

        def deleted() -> bool:
            # Sent by hand: a nested event loop skips deletions queued outside it.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            return self.released

        wait_until(deleted, int(timeout * 1000))


def in_window_host_factory() -> HostFactory:
    return HostFactory(make=InWindowHost, where="inside this window. ", in_process=True)
