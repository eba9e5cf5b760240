"""The demo sign-in server with a test's hold on its token endpoint."""

from __future__ import annotations

import threading

from frameio_desktop.demo.server import DemoServer, DemoState


class GatedDemoState(DemoState):
    """Holds each token request while `token_gate` is closed (it is open at first), and
    sets `token_request_arrived` when one comes: a slow server, on cue."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.token_gate = threading.Event()
        self.token_gate.set()
        self.token_request_arrived = threading.Event()
        #: When set, a token request let through the gate is answered with this HTTP
        #: status instead (a failing server).
        self.token_failure: int | None = None

    def before_token_request(self) -> None:
        self.token_request_arrived.set()
        self.token_gate.wait(timeout=60)
        if self.token_failure is not None:
            from flask import abort

            abort(self.token_failure)


class GatedDemoServer(DemoServer):
    state: GatedDemoState

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = GatedDemoState(self.shape, self.state.clock)
