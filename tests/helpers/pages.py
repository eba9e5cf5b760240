"""A tiny local web server whose pages reach the redirect URI every way a page can."""

from __future__ import annotations

import html
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CALLBACK = "/callback"
#: A path on the redirect's port that is not the redirect path.
OTHER = "/other"


def _go(url: str) -> str:
    """A page that sends the browser to `url` at once, by script."""
    return f"<script>location.href = {json.dumps(url)}</script>"


class RoutePages:
    """Serves /start/<route>; counts every request by path (the callback must stay at 0)."""

    def __init__(self, redirect_uri: str | None = None) -> None:
        self.hits: Counter[str] = Counter()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.redirect_uri = redirect_uri or f"{self.url}{CALLBACK}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def answer(self) -> str:
        return f"{self.redirect_uri}?code=the-code&state=the-state"

    def page(self, route: str) -> str | None:
        target = self.answer()
        js_target = json.dumps(target)
        attr = html.escape(target)
        pages = {
            "link": f'<a id="go" href="{attr}">continue</a>'
            "<script>document.getElementById('go').click()</script>",
            "javascript": f"<script>location.href = {js_target}</script>",
            "form": f'<form id="f" method="post" action="{attr}"><input name="code" value="c">'
            "</form><script>document.getElementById('f').submit()</script>",
            "iframe": '<iframe src="/start/302"></iframe>',
            "popup": f"<script>var w = window.open({js_target}); "
            "document.title = 'popup:' + (w === null ? 'denied' : 'opened')</script>",
            "fetch": f"<script>fetch({js_target}).then(() => document.title = 'fetch:sent', "
            "() => document.title = 'fetch:blocked')</script>",
            "permission": "<script>navigator.geolocation.getCurrentPosition("
            "() => document.title = 'perm:granted', () => document.title = 'perm:denied')"
            "</script>",
            "download": '<a id="go" href="/file.bin" download>x</a>'
            "<script>document.getElementById('go').click()</script>",
            "stay": "<p>A sign-in page that stays.</p>",
            "insecure": '<a id="go" href="http://example.invalid/">x</a>'
            "<script>document.getElementById('go').click()</script>",
            "file": '<a id="go" href="file:///etc/passwd">x</a>'
            "<script>document.getElementById('go').click()</script>",
            # Ways around an exact-match catch, each seen reaching the redirect port in
            # real Chromium (issue 12, item 10).
            "localhost": _go(self._variant("localhost", CALLBACK)),
            "ipv6": _go(self._variant("[::1]", CALLBACK)),
            "semicolon": _go(self._variant("127.0.0.1", CALLBACK + ";x")),
            "encoded-slash": _go(self._variant("127.0.0.1", CALLBACK + "%2Fx")),
            "websocket": "<script>var ws = new WebSocket("
            + json.dumps(self._variant("127.0.0.1", CALLBACK, scheme="ws"))
            + "); ws.onerror = () => document.title = 'ws:error';"
            " ws.onopen = () => document.title = 'ws:open';</script>",
            # Another path on the redirect's port under another loopback name: not the
            # redirect path, but a request the listener there would see.
            "port-fetch": "<script>fetch("
            + json.dumps(self._variant("localhost", OTHER))
            + ").then(() => document.title = 'fetch:sent',"
            " () => document.title = 'fetch:blocked')</script>",
            "port-navigate": _go(self._variant("localhost", OTHER)),
            # A cross-origin frame whose page would redirect to the redirect URI; on the
            # redirect's port, so the frame itself is stopped.
            "cross-frame": f'<iframe src="{html.escape(self._variant("localhost", "/start/302"))}">'
            "</iframe>",
        }
        return pages.get(route)

    def _variant(self, host: str, path: str, *, scheme: str = "http") -> str:
        """A URL on this server's port under another name, path or scheme, with the code."""
        port = self.url.rsplit(":", 1)[1]
        return f"{scheme}://{host}:{port}{path}?code=the-code&state=the-state"

    def leaked(self) -> list[str]:
        """Paths other than the start pages that were requested: must stay empty."""
        return sorted(
            path for path in self.hits if not path.startswith("/start/") and path != "/favicon.ico"
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self) -> None:
                path = self.path.split("?")[0]
                pages.hits[path] += 1
                route = path.removeprefix("/start/")
                if path == "/file.bin":
                    data = b"not for a sign-in page"
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Disposition", "attachment; filename=file.bin")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if route in ("302", "303"):
                    self.send_response(int(route))
                    self.send_header("Location", pages.answer())
                    self.end_headers()
                    return
                body = pages.page(route)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = f"<!doctype html><title>{route}</title><body>{body}</body>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _reply  # noqa: N815
            do_POST = _reply  # noqa: N815

        return Handler

    def start(self) -> RoutePages:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
