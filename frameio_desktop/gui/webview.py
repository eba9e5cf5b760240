"""The embedded sign-in page. Imported only when an interactive sign-in starts.

Qt subclasses here only translate events: a navigation becomes a `NavigationRequest`,
`core.navigation.decide_navigation` decides, and the page reports what it caught through
signals. Each sign-in gets a fresh off-the-record profile that is deleted afterwards, so
cookies, cache and the web engine's memory go with it; or, with the persistent web profile
setting (Frame.io V4 by default), a profile on disk in the app's private folder, so the
provider's own session survives for a silent renewal (`prompt=none`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWebEngineCore import (
    QWebEngineCertificateError,
    QWebEngineDownloadRequest,
    QWebEngineLoadingInfo,
    QWebEngineNewWindowRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineProfileBuilder,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frameio_desktop.core.browser.refusal import refuses_embedded_view
from frameio_desktop.core.flow import carries_answer
from frameio_desktop.core.navigation import (
    Action,
    NavigationRequest,
    decide_navigation,
    should_block_request,
    state_of,
)
from frameio_desktop.core.providers import is_loopback_host

log = logging.getLogger(__name__)

_NAV = QWebEnginePage.NavigationType
_KINDS = {
    _NAV.NavigationTypeLinkClicked: "link",
    _NAV.NavigationTypeTyped: "typed",
    _NAV.NavigationTypeFormSubmitted: "form",
    _NAV.NavigationTypeBackForward: "back_forward",
    _NAV.NavigationTypeReload: "reload",
    _NAV.NavigationTypeRedirect: "redirect",
    _NAV.NavigationTypeOther: "other",
}


def encoded(url: QUrl) -> str:
    """The URL exactly as sent: percent-encoding kept, so the exact-match check sees it."""
    return bytes(url.toEncoded().data()).decode("ascii", "replace")


class RedirectGuard(QWebEngineUrlRequestInterceptor):
    """Second guard: blocks any request to the redirect endpoint that a navigation check
    did not see (a fetch, an image, a prefetch), and any carrying this sign-in's answer.
    `page_origin` is the authorize URL: for a loopback redirect only that origin may reach
    the redirect's port; its `state` is the one whose answer may go nowhere else."""

    blocked = Signal(str)

    def __init__(
        self, redirect_uri: str, parent: QWidget | None = None, *, page_origin: str | None = None
    ) -> None:
        super().__init__(parent)
        self._redirect_uri = redirect_uri
        self._page_origin = page_origin
        self._state = state_of(page_origin) if page_origin else None

    def blocks(self, url: str) -> bool:
        return should_block_request(
            url, self._redirect_uri, page_origin=self._page_origin, state=self._state
        )

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 (Qt)
        url = encoded(info.requestUrl())
        if self.blocks(url):
            info.block(True)
            self.blocked.emit(url)


class RedirectSchemeHandler(QWebEngineUrlSchemeHandler):
    """For a custom-scheme redirect URI (Adobe IMS native apps: `adobe+<hash>://...`).

    Without a handler Chromium never offers such a navigation to `acceptNavigationRequest`
    and hands it to the operating system instead, code included. With one installed, the
    page's check catches it first; any request that still reaches here fails.
    """

    caught = Signal(str)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt)
        job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
        self.caught.emit(encoded(job.requestUrl()))


#: Every custom redirect scheme this process registered. Each sign-in page gets a handler
#: for all of them: one registered for an earlier setting, but with no handler on this
#: page, would swallow a navigation there without offering it to the page (IMS sends an
#: unknown redirect's answer to a Native App's own `adobe+<hash>://` address).
_REDIRECT_SCHEMES: set[bytes] = set()


def register_redirect_scheme(redirect_uri: str) -> bytes | None:
    """Register a custom redirect scheme with the web engine. Must run before the first
    profile of the process exists; the app creates none before the first sign-in."""
    parts = urlsplit(redirect_uri)
    if parts.scheme in ("http", "https"):
        return None
    name = parts.scheme.encode()
    if not QWebEngineUrlScheme.schemeByName(name).name():
        scheme = QWebEngineUrlScheme(name)
        syntax = QWebEngineUrlScheme.Syntax
        scheme.setSyntax(syntax.Host if parts.netloc else syntax.Path)
        QWebEngineUrlScheme.registerScheme(scheme)
    if QWebEngineUrlScheme.schemeByName(name).name():  # not when it came too late
        _REDIRECT_SCHEMES.add(name)
    return name


def make_profile(parent: QWidget, web_profile: str | None) -> QWebEngineProfile:
    """An off-the-record profile (nothing on disk), or with `web_profile` a folder the
    core made private (`core.web_profile`): cookies are kept there between sign-ins (even
    session cookies, which a provider's sign-in session often is), the HTTP cache stays
    in memory. One process holds one profile of a folder at a time: only the sign-in
    window process, which shows one page and exits, is given one."""
    if web_profile is None:
        return QWebEngineProfile(parent)  # no storage name: off the record
    folder = Path(web_profile)
    builder = QWebEngineProfileBuilder()
    builder.setPersistentStoragePath(str(folder))
    builder.setCachePath(str(folder / "cache"))
    builder.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    builder.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.ForcePersistentCookies
    )
    return builder.createProfile(folder.name, parent)


class SignInWebPage(QWebEnginePage):
    redirect_caught = Signal(str)
    navigation_blocked = Signal(str, str)  # url, reason
    certificate_rejected = Signal(str)
    popup_denied = Signal()

    def __init__(
        self,
        profile: QWebEngineProfile,
        redirect_uri: str,
        parent: QWidget,
        *,
        page_origin: str | None = None,
    ) -> None:
        super().__init__(profile, parent)
        self._redirect_uri = redirect_uri
        self._page_origin = page_origin
        # This sign-in's state: its answer is stopped wherever it is sent.
        self._state = state_of(page_origin) if page_origin else None
        self.certificateError.connect(self._on_certificate_error)
        self.permissionRequested.connect(self._on_permission)
        # Popups are denied: a request nobody opens is dropped. (Not by overriding
        # createWindow: PySide 6.12 drops a reference to None each time it returns None.)
        self.newWindowRequested.connect(self._on_new_window)

    def acceptNavigationRequest(  # noqa: N802 (Qt)
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        request = NavigationRequest(
            url=encoded(url) if isinstance(url, QUrl) else str(url),
            kind=_KINDS.get(nav_type, "other"),
            main_frame=is_main_frame,
        )
        decision = decide_navigation(
            request, self._redirect_uri, page_origin=self._page_origin, state=self._state
        )
        if decision.action is Action.CATCH:
            log.info("caught %s (%s, main frame: %s)", decision.reason, request.kind, is_main_frame)
            self.redirect_caught.emit(request.url)
            return False
        if decision.action is Action.BLOCK:
            log.info("blocked a navigation: %s", decision.reason)
            self.navigation_blocked.emit(request.url, decision.reason)
            return False
        return True

    def carries_answer(self, url: str) -> bool:
        """`url` carries this sign-in's answer (its state, with a code or an error)."""
        return bool(self._state) and carries_answer(url, self._state or "")

    def javaScriptConsoleMessage(  # noqa: N802 (Qt)
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        log.debug("js console: %s", message)

    @Slot(QWebEngineCertificateError)
    def _on_certificate_error(self, error: QWebEngineCertificateError) -> None:
        # Never accepted, whatever the error: the page does not load.
        error.rejectCertificate()
        host = urlsplit(encoded(error.url())).hostname or "the server"
        self.certificate_rejected.emit(
            f"The secure connection to {host} could not be verified: {error.description()}"
        )

    @Slot(QWebEngineNewWindowRequest)
    def _on_new_window(self, request: QWebEngineNewWindowRequest) -> None:
        log.info("denied a popup window")
        self.popup_denied.emit()

    @Slot(QWebEnginePermission)
    def _on_permission(self, permission: QWebEnginePermission) -> None:
        permission.deny()


class SignInView(QWidget):
    """A bar (host, security, Cancel) above the web view of one sign-in."""

    redirect_caught = Signal(str)
    cancel_requested = Signal()
    load_failed = Signal(str)
    download_refused = Signal(str)
    #: The page refuses embedded views; the person chose to continue in their browser.
    browser_wanted = Signal()

    def __init__(
        self,
        authorize_url: str,
        redirect_uri: str,
        parent: QWidget | None = None,
        *,
        web_profile: str | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("loginView")
        self._done = False
        #: The page said it will not work in an embedded view (Google's refusal).
        self.refused = False
        custom_scheme = register_redirect_scheme(redirect_uri)
        # Off the record and fresh for this sign-in, unless a persistent folder is given.
        self.profile = make_profile(self, web_profile)
        self.guard = RedirectGuard(redirect_uri, self, page_origin=authorize_url)
        self.profile.setUrlRequestInterceptor(self.guard)
        self.profile.downloadRequested.connect(self._refuse_download)
        self.scheme_handler = RedirectSchemeHandler(self)
        for name in sorted(_REDIRECT_SCHEMES | ({custom_scheme} if custom_scheme else set())):
            self.profile.installUrlSchemeHandler(name, self.scheme_handler)
        self.scheme_handler.caught.connect(self._on_caught)

        self.view = QWebEngineView(self)
        self.page = SignInWebPage(self.profile, redirect_uri, self.view, page_origin=authorize_url)
        self.view.setPage(self.page)

        self.secure_label = QLabel(self)
        self.secure_label.setObjectName("securityPill")
        self.host_label = QLabel(self)
        self.host_label.setObjectName("hostLabel")
        self.host_label.setTextInteractionFlags(
            self.host_label.textInteractionFlags()
            | self.host_label.textInteractionFlags().TextSelectableByMouse
        )
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop signing in (Esc)")
        self.cancel_button.clicked.connect(self.cancel_requested)
        escape = QShortcut(QKeySequence.StandardKey.Cancel, self)
        escape.activated.connect(self.cancel_requested)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("pageProgress")
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(3)
        self.progress.setRange(0, 100)

        bar = QHBoxLayout()
        bar.setContentsMargins(12, 8, 12, 8)
        bar.setSpacing(8)
        bar.addWidget(self.secure_label)
        bar.addWidget(self.host_label, 1)
        bar.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        bar_widget = QWidget(self)
        bar_widget.setObjectName("addressBar")
        bar_widget.setLayout(bar)
        layout.addWidget(bar_widget)
        layout.addWidget(self.progress)
        layout.addWidget(self._build_refusal_bar())
        layout.addWidget(self.view, 1)

        self.page.redirect_caught.connect(self._on_caught)
        # A sub-resource aimed at the redirect endpoint (fetch, image, prefetch) is blocked
        # but does not end the sign-in: only a navigation carries the authorization answer.
        self.guard.blocked.connect(lambda url: log.warning("blocked a request to the redirect URI"))
        self.page.certificate_rejected.connect(self._fail)
        self.page.urlChanged.connect(self._show_url)
        self.page.loadProgress.connect(self.progress.setValue)
        self.page.loadingChanged.connect(self._on_loading)
        self.page.loadFinished.connect(self._look_for_refusal)
        self._show_url(QUrl(authorize_url))
        self.view.setUrl(QUrl(authorize_url))
        self.view.setFocus()

    def _build_refusal_bar(self) -> QWidget:
        self.refusal_bar = QWidget(self)
        self.refusal_bar.setObjectName("refusalBar")
        text = QLabel(
            "This sign-in page does not work inside apps. Continue in your own web browser, "
            "where it does.",
            self.refusal_bar,
        )
        text.setWordWrap(True)
        self.continue_button = QPushButton("Continue in your browser", self.refusal_bar)
        self.continue_button.setObjectName("continueInBrowserButton")
        self.continue_button.setToolTip("Open the same sign-in in your web browser")
        self.continue_button.clicked.connect(self.browser_wanted)
        row = QHBoxLayout(self.refusal_bar)
        row.setContentsMargins(12, 8, 12, 8)
        row.addWidget(text, 1)
        row.addWidget(self.continue_button)
        self.refusal_bar.hide()
        return self.refusal_bar

    def _look_for_refusal(self, ok: bool) -> None:
        # Google's refusal comes with HTTP 403, so a failed load is looked at too.
        url = encoded(self.page.url())
        self.page.runJavaScript(
            "document.body ? document.body.innerText.slice(0, 20000) : ''",
            0,
            lambda text: self._judge_page(url, text),
        )

    def _judge_page(self, url: str, text: object) -> None:
        if self._done or not isinstance(text, str):
            return
        if refuses_embedded_view(url, text):
            log.info("the sign-in page refuses embedded views; offering the browser")
            self.refused = True
            self.refusal_bar.show()
            self.continue_button.setFocus()

    def _show_url(self, url: QUrl) -> None:
        parts = urlsplit(encoded(url))
        if not parts.hostname:
            return
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        self.host_label.setText(host)
        if parts.scheme == "https":
            self.secure_label.setText("Secure")
            self.secure_label.setProperty("level", "secure")
            self.secure_label.setToolTip("The connection to this site is encrypted (HTTPS).")
        elif is_loopback_host(parts.hostname):
            self.secure_label.setText("Local")
            self.secure_label.setProperty("level", "local")
            self.secure_label.setToolTip(
                "This page comes from this computer (loopback); it is not encrypted."
            )
        else:
            self.secure_label.setText("Not secure")
            self.secure_label.setProperty("level", "insecure")
        self.secure_label.style().unpolish(self.secure_label)
        self.secure_label.style().polish(self.secure_label)

    # Both are reported from inside Chromium's navigation callbacks; the listener may
    # delete this view, so report only after the callback has returned (queued).

    def _on_caught(self, url: str) -> None:
        if self._done:
            return
        self._done = True
        QTimer.singleShot(0, self, lambda: self.redirect_caught.emit(url))

    def _fail(self, message: str) -> None:
        if self._done:
            return
        self._done = True
        QTimer.singleShot(0, self, lambda: self.load_failed.emit(message))

    def _on_loading(self, info: QWebEngineLoadingInfo) -> None:
        status = QWebEngineLoadingInfo.LoadStatus
        if info.status() in (status.LoadStoppedStatus, status.LoadFailedStatus) and (
            self.page.carries_answer(encoded(info.url()))
        ):
            # This sign-in's answer, sent to a scheme the web engine does not know (an
            # Adobe Native App's own `adobe+<hash>://` default redirect): Chromium drops
            # such a navigation without offering it to the page, so nothing left, but the
            # sign-in must end: the flow explains where the answer was sent.
            self._on_caught(encoded(info.url()))
            return
        if info.status() is status.LoadStartedStatus:
            self.progress.show()
        elif info.status() is not status.LoadFailedStatus:
            self.progress.hide()
            return
        if info.status() is not status.LoadFailedStatus or self._done:
            return
        url = encoded(info.url())
        if self.guard.blocks(url):
            return  # our own block of the redirect, not a failure
        domain = QWebEngineLoadingInfo.ErrorDomain
        if info.errorDomain() is domain.NoErrorDomain:
            return
        if info.errorDomain() is domain.HttpStatusCodeDomain:
            # An HTTP error with a page of its own is shown, not replaced: Google's refusal
            # of embedded views comes as a 403 page (see `_look_for_refusal`), and a
            # server's own error page says more than "could not be loaded".
            return
        host = urlsplit(url).hostname or "the sign-in server"
        self._fail(f"The sign-in page could not be loaded from {host}: {info.errorString()}.")

    def _refuse_download(self, download: QWebEngineDownloadRequest) -> None:
        download.cancel()
        log.info("refused a download")
        self.download_refused.emit(encoded(download.url()))

    def shutdown(self) -> None:
        """Delete the web view and its page first, then this widget with its profile
        (a profile must outlive its pages). An off-the-record profile keeps cookies and
        cache in memory only, so deleting it clears them and gives the web engine's memory
        back; the next sign-in starts from a fresh login page."""
        self._done = True
        # The view owns the page; once both are gone, this widget and its profile follow.
        self.view.destroyed.connect(self.deleteLater)
        self.view.deleteLater()
