"""A sign-in page that refuses embedded views the way Google does, for the tests."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOGLE_REFUSAL = (
    "<!doctype html><title>Error 403 (Forbidden)</title><h1>Access blocked: This app's "
    "request is invalid</h1><p>Couldn't sign you in</p><p>This browser or app may not be "
    "secure.</p><p>Error 403: disallowed_useragent</p>"
)


class RefusingAuthorizer:
    """An authorize endpoint that, as Google does, refuses QtWebEngine's user agent with
    its 403 page, and sends any other browser on to the real one."""

    def __init__(self, authorize_url: str) -> None:
        self.hits: Counter[str] = Counter()
        target = authorize_url
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path != "/o/oauth2/v2/auth":
                    self.send_error(404)
                    return
                if "QtWebEngine" in self.headers.get("User-Agent", ""):
                    hits["embedded"] += 1
                    body = GOOGLE_REFUSAL.encode()
                    self.send_response(403)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                hits["browser"] += 1
                self.send_response(302)
                self.send_header("Location", f"{target}?{query}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/o/oauth2/v2/auth"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
