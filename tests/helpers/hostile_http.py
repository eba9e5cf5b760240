"""A loopback HTTP server that misbehaves on purpose: drips bytes, or sends far too many.

Plain sockets (no http.server) so each behaviour is exactly what is written here. It
records how many bytes it got out and whether the client hung up, for tests to check with
events instead of clocks.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

#: Seconds between two dripped bytes: far below any read timeout used in the tests.
DRIP_INTERVAL = 0.02


class HostileServer:
    """Serves one behaviour to every connection, until `stop()`.

    - "drip-body": headers at once, then one body byte every DRIP_INTERVAL, for ever;
    - "drip-headers": the status line, then header bytes one by one, for ever;
    - "huge": announces 300 MiB and sends zeros as fast as the client reads;
    - "huge-unannounced": the same without Content-Length (read until close).
    """

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.sent = 0
        self.client_gone = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/token"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                _read_request(conn)
                for piece in self._pieces():
                    if self._stop.is_set():
                        return
                    conn.sendall(piece)
                    self.sent += len(piece)
            except OSError:
                self.client_gone.set()

    def _pieces(self) -> Iterator[bytes]:
        huge = 300 * 1024 * 1024
        if self.behaviour == "drip-body":
            yield b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
            yield from _drip(b" ", self._stop)
        elif self.behaviour == "drip-headers":
            yield b"HTTP/1.1 200 OK\r\nX-Slow: "
            yield from _drip(b"a", self._stop)
        elif self.behaviour == "huge":
            yield f"HTTP/1.1 200 OK\r\nContent-Length: {huge}\r\n\r\n".encode()
            yield from _zeros(huge)
        elif self.behaviour == "huge-unannounced":
            yield b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
            yield from _zeros(huge)
        else:
            raise ValueError(self.behaviour)


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionResetError("client went away")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            missing = int(value) - len(body)
            while missing > 0:
                missing -= len(conn.recv(65536))


def _drip(byte: bytes, stop: threading.Event) -> Iterator[bytes]:
    while not stop.wait(DRIP_INTERVAL):
        yield byte


def _zeros(total: int) -> Iterator[bytes]:
    block = bytes(64 * 1024)
    for _ in range(total // len(block)):
        yield block


@contextlib.contextmanager
def hostile(behaviour: str) -> Iterator[HostileServer]:
    with HostileServer(behaviour) as server:
        yield server


class RecordingServer:
    """Answers every request with 200 `{}` and keeps what it was sent: a server a hostile
    `.env` could point the app at."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[tuple[str, str, bytes]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append(
                    (self.command, self.path, body + str(self.headers).encode())
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _record  # noqa: N815 - http.server's names

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
