"""The login web view catches the redirect whatever way the page takes to it.

Pages come from a local HTTP server that counts requests: the redirect path must see
none, which proves the authorization code never left the app.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from tests.conftest import CUSTOM_REDIRECT
from tests.helpers.pages import CALLBACK, OTHER, RoutePages

pytestmark = [pytest.mark.gui, pytest.mark.webengine]


@pytest.fixture
def open_view(qtbot):
    from frameio_desktop.gui.webview import SignInView

    views: list[SignInView] = []

    def make(url: str, redirect_uri: str) -> SignInView:
        view = SignInView(url, redirect_uri)
        view.resize(600, 500)
        view.show()
        views.append(view)
        return view

    yield make
    for view in views:
        # Page and profile are deleted before the test ends: leftovers crash at exit.
        with qtbot.waitSignal(view.profile.destroyed, timeout=5000):
            view.shutdown()


@pytest.mark.parametrize("route", ["302", "303", "link", "javascript", "form"])
def test_redirect_caught_on_every_route(qtbot, pages: RoutePages, open_view, route: str) -> None:
    view = open_view(f"{pages.url}/start/{route}", pages.redirect_uri)
    with qtbot.waitSignal(view.redirect_caught, timeout=15_000) as caught:
        pass
    assert caught.args[0].startswith(pages.redirect_uri)
    if route != "form":
        assert "code=the-code" in caught.args[0]
    assert pages.hits[CALLBACK] == 0
    assert pages.hits[f"/start/{route}"] == 1


@pytest.mark.parametrize(
    ("route", "host"),
    [
        ("localhost", "localhost"),
        ("ipv6", "[::1]"),
        ("semicolon", "127.0.0.1"),
        ("encoded-slash", "127.0.0.1"),
    ],
)
def test_redirect_variants_are_caught_and_refused_by_the_flow(
    qtbot, pages: RoutePages, open_view, route: str, host: str
) -> None:
    """Another loopback name, `;x`, `%2Fx`: caught before any request, then refused by the
    exact check (issue 12, item 10)."""
    from frameio_desktop.core.flow import redirect_matches

    view = open_view(f"{pages.url}/start/{route}", pages.redirect_uri)
    with qtbot.waitSignal(view.redirect_caught, timeout=15_000) as caught:
        pass
    assert f"//{host}:" in caught.args[0]
    assert not redirect_matches(pages.redirect_uri, caught.args[0])
    assert pages.leaked() == []


def test_websocket_to_the_redirect_is_blocked(qtbot, pages: RoutePages, open_view) -> None:
    view = open_view(f"{pages.url}/start/websocket", pages.redirect_uri)
    with qtbot.waitSignal(view.guard.blocked, timeout=15_000) as blocked:
        pass
    assert blocked.args[0].startswith("ws://127.0.0.1:")
    qtbot.waitUntil(lambda: view.page.title().startswith("ws:"), timeout=15_000)
    assert view.page.title() == "ws:error"
    assert pages.leaked() == []


def test_other_paths_on_the_redirect_port_never_reach_it(
    qtbot, pages: RoutePages, open_view
) -> None:
    """The sign-in page's own origin shares the redirect's port here (as the demo's does);
    a fetch from it to `localhost:<port>/other` is blocked before any request (issue 12,
    item 10: the whole port, not just the redirect path)."""
    view = open_view(f"{pages.url}/start/port-fetch", pages.redirect_uri)
    with qtbot.waitSignal(view.guard.blocked, timeout=15_000) as blocked:
        pass
    assert blocked.args[0].startswith("http://localhost:")
    qtbot.waitUntil(lambda: view.page.title().startswith("fetch:"), timeout=15_000)
    assert view.page.title() == "fetch:blocked"
    assert pages.hits[OTHER] == 0
    assert pages.leaked() == []


def test_a_navigation_to_another_path_on_the_port_is_caught_and_refused(
    qtbot, pages: RoutePages, open_view
) -> None:
    """Caught like the redirect, so it never loads; the flow's exact check then refuses it
    (the controller shows a redirect mismatch)."""
    from frameio_desktop.core.flow import redirect_matches

    view = open_view(f"{pages.url}/start/port-navigate", pages.redirect_uri)
    with qtbot.waitSignal(view.redirect_caught, timeout=15_000) as caught:
        pass
    assert caught.args[0].startswith("http://localhost:")
    assert f"{OTHER}?" in caught.args[0]
    assert not redirect_matches(pages.redirect_uri, caught.args[0])
    assert pages.hits[OTHER] == 0
    assert pages.leaked() == []


@pytest.mark.parametrize("route", ["iframe", "cross-frame"])
def test_a_frame_cannot_finish_the_sign_in(qtbot, pages: RoutePages, open_view, route: str) -> None:
    """The frame's redirect is stopped and ignored; the page itself stays signing in.
    The cross-origin frame (`localhost` on the redirect's port) is stopped before its own
    page loads: only the sign-in page's origin may reach that port."""
    view = open_view(f"{pages.url}/start/{route}", pages.redirect_uri)
    with qtbot.waitSignal(
        view.page.navigation_blocked,
        timeout=15_000,
        check_params_cb=lambda url, reason: "frame" in reason,
    ) as blocked:
        pass
    if route == "cross-frame":
        assert blocked.args[0].startswith("http://localhost:")
        assert "/start/302?" in blocked.args[0]
        assert pages.hits["/start/302"] == 0
    else:
        assert blocked.args[0].startswith(pages.redirect_uri)
        assert "code=the-code" in blocked.args[0]
    assert not view._done
    assert pages.leaked() == []


@pytest.mark.parametrize(
    ("path", "sent_path"),
    [("", "/"), ("/rückruf", "/r%C3%BCckruf"), ("/call%20back", "/call%20back")],
)
def test_registered_forms_chromium_rewrites_are_caught_and_accepted(
    qtbot, pages: RoutePages, open_view, path: str, sent_path: str
) -> None:
    from frameio_desktop.core.flow import redirect_matches

    # A port of its own: with no path, everything on the redirect's origin is caught.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        origin = f"http://127.0.0.1:{probe.getsockname()[1]}"
    pages.redirect_uri = origin + path
    view = open_view(f"{pages.url}/start/javascript", pages.redirect_uri)
    with qtbot.waitSignal(view.redirect_caught, timeout=15_000) as caught:
        pass
    assert caught.args[0] == f"{origin}{sent_path}?code=the-code&state=the-state"
    assert redirect_matches(pages.redirect_uri, caught.args[0])
    assert pages.leaked() == []


def test_custom_scheme_redirect_is_caught(qtbot, open_view) -> None:
    """Adobe IMS native apps: Chromium would hand this scheme to the OS otherwise."""
    uri = CUSTOM_REDIRECT
    pages = RoutePages(redirect_uri=uri).start()
    try:
        for route in ("javascript", "302"):
            view = open_view(f"{pages.url}/start/{route}", uri)
            with qtbot.waitSignal(view.redirect_caught, timeout=15_000) as caught:
                pass
            assert caught.args[0] == f"{uri}?code=the-code&state=the-state"
    finally:
        pages.stop()


def test_popup_is_denied(qtbot, pages: RoutePages, open_view) -> None:
    view = open_view(f"{pages.url}/start/popup", pages.redirect_uri)
    with qtbot.waitSignal(view.page.popup_denied, timeout=15_000):
        pass
    # The page's script runs on after window.open(); wait for it to finish.
    qtbot.waitUntil(lambda: view.page.title().startswith("popup:"), timeout=15_000)
    assert pages.hits[CALLBACK] == 0


def test_request_interceptor_blocks_fetch_to_redirect(qtbot, pages: RoutePages, open_view) -> None:
    view = open_view(f"{pages.url}/start/fetch", pages.redirect_uri)
    with qtbot.waitSignal(view.guard.blocked, timeout=15_000):
        pass
    qtbot.waitUntil(lambda: view.page.title().startswith("fetch:"), timeout=15_000)
    assert view.page.title() == "fetch:blocked"
    assert pages.hits[CALLBACK] == 0


def test_insecure_navigation_blocked(qtbot, pages: RoutePages, open_view) -> None:
    view = open_view(f"{pages.url}/start/insecure", pages.redirect_uri)
    with qtbot.waitSignal(view.page.navigation_blocked, timeout=15_000) as blocked:
        pass
    assert blocked.args[0] == "http://example.invalid/"
    assert "insecure" in blocked.args[1]


def test_security_bar_shows_host_and_kind(qtbot, pages: RoutePages, open_view) -> None:
    view = open_view(f"{pages.url}/start/popup", pages.redirect_uri)
    assert view.host_label.text() == pages.url.removeprefix("http://")
    assert view.secure_label.text() == "Local"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server with a self-signed certificate nothing trusts."""
    import ssl

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_certificate_error_is_never_accepted(qtbot, tls_server: str, open_view) -> None:
    view = open_view(tls_server, "https://app.example.test/callback")
    with qtbot.waitSignal(view.load_failed, timeout=15_000) as failed:
        pass
    assert "could not be verified" in failed.args[0]


def test_downloads_are_refused(qtbot, pages: RoutePages, open_view) -> None:
    view = open_view(f"{pages.url}/start/download", pages.redirect_uri)
    with qtbot.waitSignal(view.download_refused, timeout=15_000) as refused:
        pass
    assert refused.args[0].endswith("/file.bin")


def test_permission_requests_are_denied(qtbot, pages: RoutePages, open_view) -> None:
    view = open_view(f"{pages.url}/start/permission", pages.redirect_uri)
    qtbot.waitUntil(lambda: view.page.title().startswith("perm:"), timeout=15_000)
    assert view.page.title() == "perm:denied"


@pytest.mark.parametrize("route", ["302", "javascript"])
@pytest.mark.parametrize("redirect_uri", [CUSTOM_REDIRECT, "https://app.example.test/callback"])
def test_an_answer_sent_to_another_apps_scheme_ends_the_sign_in(
    qtbot, open_view, route: str, redirect_uri: str
) -> None:
    """Adobe IMS sends the answer to an unknown redirect to the credential's Default
    redirect URI; for a Native App that is its own `adobe+<hash>://` address, a scheme
    nobody registered with the web engine. Chromium drops a navigation there without
    offering it to the page (no user gesture): the sign-in must still end, with the URL
    the flow explains, not wait for ever (issue 21 section 2)."""
    from frameio_desktop.core.errors import UnknownRedirectError
    from frameio_desktop.core.flow import PendingSignIn

    foreign = RoutePages(redirect_uri="adobe+0badc0de://adobeid/another-client").start()
    try:
        authorize = f"{foreign.url}/start/{route}?client_id=c&state=the-state"
        view = open_view(authorize, redirect_uri)
        with qtbot.waitSignal(view.redirect_caught, timeout=15_000) as caught:
            pass
        assert caught.args[0] == foreign.answer()
        pending = PendingSignIn(authorize, redirect_uri, state="the-state", code_verifier="v")
        with pytest.raises(UnknownRedirectError):
            pending.take_code(caught.args[0])
    finally:
        foreign.stop()
