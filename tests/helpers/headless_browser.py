"""A real system browser for the tests: Debian's chromium, headless, driven over its DevTools
pipe (`--remote-debugging-pipe`: JSON messages ended by NUL on file descriptors 3 and 4), so
no WebSocket client and no debugging port are needed.

Used as `BROWSER`: `python tests/helpers/headless_browser.py URL`. It opens URL, and after
each page load runs the JavaScript in `$HEADLESS_FILL_JS` (a file: fills the sign-in
server's login and consent forms), until a page's text contains `$HEADLESS_STOP_TEXT`
(default: the listener's "close this tab"), or `$HEADLESS_TIMEOUT` seconds pass. Every
page it saw (URL, title, text) is appended as a JSON line to `$HEADLESS_LOG`, if set.

Root-safe: `--no-sandbox` (chromium refuses root with its sandbox), a throwaway profile,
and nothing that phones home.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-pipe",
]


class Pipe:
    """The DevTools protocol over chromium's pipe: send a command, read until its answer."""

    def __init__(self, to_browser: int, from_browser: int) -> None:
        self.to_browser = to_browser
        self.from_browser = from_browser
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_browser, 65536)
            if not chunk:
                raise EOFError("the browser closed its pipe")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read_message()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def event(self, method: str) -> dict[str, Any]:
        return self.event_of((method,))

    def event_of(self, methods: tuple[str, ...]) -> dict[str, Any]:
        """The first event (kept or next to come) of one of `methods`, in order."""
        while True:
            for i, event in enumerate(self.events):
                if event["method"] in methods:
                    return self.events.pop(i)
            self.events.append(self._read_message())


def start_chromium(profile: Path) -> tuple[int, Pipe]:
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the browser: its pipe ends on 3 (commands in) and 4 (answers out)
        # Moved out of the way first: a pipe end may already sit on 3 or 4.
        commands_in, answers_out = os.dup(to_r) + 100, os.dup(from_w) + 100
        os.dup2(to_r, commands_in)
        os.dup2(from_w, answers_out)
        os.dup2(commands_in, 3)
        os.dup2(answers_out, 4)
        os.closerange(5, 1024)
        # Its own logging (D-Bus warnings and the like) is noise here.
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        if not os.environ.get("HEADLESS_DEBUG"):
            os.dup2(null, 2)
        binary = shutil.which("chromium") or "chromium"
        os.execv(binary, [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"])  # noqa: S606
    os.close(to_r)
    os.close(from_w)
    return pid, Pipe(to_w, from_r)


def sign_in_watching_the_network(
    url: str, fill_js: str, scheme: str, timeout: float = 60
) -> tuple[list[str], str | None]:
    """Sign in as a person with the developer tools' Network tab open would: open `url`,
    fill each page with `fill_js`, and watch the requests. Returns every address the
    address bar showed (the pages that loaded) and the first request to `scheme`://, or
    None if none came before `timeout`."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    pid, pipe = start_chromium(profile)
    shown: list[str] = []
    try:
        target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
        session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        pipe.call("Page.enable", session)
        pipe.call("Network.enable", session)  # what the Network tab shows
        pipe.call("Page.navigate", session, url=url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = pipe.event_of(("Page.loadEventFired", "Network.requestWillBeSent"))
            if event["method"] == "Network.requestWillBeSent":
                requested = event["params"]["request"]["url"]
                if requested.startswith(f"{scheme}:"):
                    history = pipe.call("Page.getNavigationHistory", session)
                    shown += [entry["url"] for entry in history["entries"]]
                    return shown, requested
                continue
            href = pipe.call("Runtime.evaluate", session, expression="location.href")
            shown.append(href["result"]["value"])
            pipe.call("Runtime.evaluate", session, expression=fill_js)
        return shown, None
    finally:
        try:
            pipe.call("Browser.close")
        except (OSError, EOFError, RuntimeError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        shutil.rmtree(profile, ignore_errors=True)


def main(url: str) -> int:
    fill = os.environ.get("HEADLESS_FILL_JS")
    fill_js = Path(fill).read_text() if fill else ""
    stop_text = os.environ.get("HEADLESS_STOP_TEXT", "close this tab")
    log_path = os.environ.get("HEADLESS_LOG")
    deadline = time.monotonic() + float(os.environ.get("HEADLESS_TIMEOUT", "60"))
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    pid, pipe = start_chromium(profile)
    # A hard stop, whatever the browser does: the tests wait on what it leaves behind.
    signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
    signal.alarm(int(deadline - time.monotonic()) + 5)
    try:
        target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
        session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        pipe.call("Page.enable", session)
        pipe.call("Page.navigate", session, url=url)
        while time.monotonic() < deadline:
            pipe.event("Page.loadEventFired")
            seen = pipe.call(
                "Runtime.evaluate",
                session,
                expression="JSON.stringify({url: location.href, title: document.title, "
                "text: document.body ? document.body.innerText : ''})",
                returnByValue=True,
            )
            page = json.loads(seen["result"]["value"])
            if log_path:
                with open(log_path, "a", encoding="utf-8") as log:
                    log.write(json.dumps(page) + "\n")
            if stop_text in page["text"]:
                return 0
            if fill_js:
                pipe.call("Runtime.evaluate", session, expression=fill_js)
        return 1
    finally:
        try:
            pipe.call("Browser.close")
        except (OSError, EOFError, RuntimeError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
