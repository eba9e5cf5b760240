"""Programs the benchmarks time, one per mode: the app's own code paths and their bare Qt
baselines. Each prints `READY ...` on stdout at the moment the runner measures to.

    python benchmarks/children.py MODE [JSON-ARG]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def flags_for(flags: dict[str, str]) -> list[str]:
    """Settings as command-line flags (tests.helpers.cli has the same, but imports keyring,
    which would cost the bare baselines too)."""
    args: list[str] = []
    for name, value in flags.items():
        args += ["--" + name.replace("_", "-"), value]
    return args


def ready(*extra: object) -> None:
    print("READY", *extra, flush=True)


def wait_for_state(controller: object, state: object, timeout_ms: int = 30_000) -> None:
    """Run the event loop until the controller enters `state`: ends on the signal itself,
    not on a poll, so the measurement carries no polling delay."""
    from PySide6.QtCore import QEventLoop, QTimer

    if controller.state is state:  # type: ignore[attr-defined]
        return
    loop = QEventLoop()

    def check(new: object) -> None:
        if new is state:
            loop.quit()

    controller.state_changed.connect(check)  # type: ignore[attr-defined]
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(timeout_ms)
    loop.exec()
    controller.state_changed.disconnect(check)  # type: ignore[attr-defined]


def wait_for_stdin_then_exit() -> None:
    sys.stdin.readline()
    os._exit(0)


def run_main(arguments: list[str], on_launch: Callable[[Any, Any], None]) -> None:
    """Run the app's own entry point, `frameio_desktop.main.main` (what `frameio-desktop
    ARGS` runs), with `on_launch(controller, window)` called once `launch` has shown the
    window. Everything main does before (its imports, the keyring read or the sign-in
    window's process started before Qt, the browser hosts, the settings form's access) is
    part of the measurement, as it is of a person's launch."""
    from frameio_desktop import main as root

    real_launch = root.launch

    def launch(*args: Any, **kwargs: Any) -> Any:
        controller, window = real_launch(*args, **kwargs)
        on_launch(controller, window)
        return controller, window

    root.launch = launch  # type: ignore[assignment]
    root.main(arguments)
    os._exit(1)  # the hook ends the process; reaching here means main returned first


def app_login(flags: dict[str, str]) -> None:
    """`frameio-desktop login`, timed to the sign-in page's loadFinished (the page runs in
    the sign-in window's own process, started before Qt is imported here)."""

    def on_launch(_controller: Any, window: Any) -> None:
        assert window.hosts.sign_in_host is not None
        assert window.hosts.sign_in_host.page is not None
        window.hosts.sign_in_host.page.loadFinished.connect(lambda ok: (ready(ok), os._exit(0)))

    run_main(["login", *flags_for(flags)], on_launch)


def bare_webview(url: str) -> None:
    from PySide6.QtCore import QUrl

    from frameio_desktop.gui.app import make_application

    app = make_application()
    from PySide6.QtWebEngineWidgets import QWebEngineView

    view = QWebEngineView()
    view.resize(560, 740)
    view.loadFinished.connect(lambda ok: (ready(ok), os._exit(0)))
    view.setUrl(QUrl(url))
    view.show()
    app.exec()


def app_silent(flags: dict[str, str]) -> None:
    """`frameio-desktop` with a stored session: signed in without a web view, timed to the
    account's name painted in the window. Qt is imported by main, after it has started
    the keyring read, as in a person's launch: nothing here imports it earlier."""

    def on_launch(controller: Any, window: Any) -> None:
        from frameio_desktop.gui.controller import State

        def on_state(state: State) -> None:
            if state is State.SIGNED_IN:
                window.repaint()
                engine = any(m.startswith("PySide6.QtWebEngine") for m in sys.modules)
                ready(
                    window.signed_in_page.name_label.text().replace(" ", "_"), f"webengine={engine}"
                )
                os._exit(0)
            if state in (State.SIGNED_OUT, State.ERROR):  # fail loudly, never wait forever
                problem = controller.problem or (
                    controller.session and controller.session.storage_problem
                )
                print(f"FAILED {state.name}: {problem!r}", file=sys.stderr, flush=True)
                os._exit(1)

        controller.state_changed.connect(on_state)
        if controller.state is State.SIGNED_IN:  # already, from the prefetched read
            on_state(State.SIGNED_IN)

    run_main(flags_for(flags), on_launch)


def bare_widgets(keep: bool = False) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QLabel

    from frameio_desktop.gui.app import make_application

    app = make_application()
    label = QLabel("Frame.io Desktop")
    label.resize(560, 740)
    label.show()

    def shown() -> None:
        label.repaint()
        ready()
        if keep:
            threading.Thread(target=wait_for_stdin_then_exit, daemon=True).start()
        else:
            os._exit(0)

    QTimer.singleShot(0, shown)
    app.exec()


def app_signed_in_memory(flags: dict[str, str]) -> None:
    """`frameio-desktop` signed in through the sign-in page, the web engine let go, then
    holding still for a reading. `flags` name a profile with nothing stored."""

    def on_launch(controller: Any, window: Any) -> None:
        from frameio_desktop.gui.controller import State
        from frameio_desktop.gui.tasks import wait_until
        from frameio_desktop.selftest import autofill_script

        def opened(*_: object) -> None:
            page = window.hosts.sign_in_host.page
            page.loadFinished.connect(
                lambda ok: ok and page.runJavaScript(autofill_script("Bench Mark"))
            )

        controller.interactive.page_requested.connect(opened)
        wait_until(lambda: controller.state is not State.STARTING, 30_000)
        if controller.state is not State.SIGNED_OUT:
            print(f"FAILED: {controller.state.name} before the sign-in", file=sys.stderr)
            os._exit(1)
        controller.sign_in()
        wait_until(lambda: controller.state is State.SIGNED_IN, 60_000)
        window.release_web_engine()  # with a separate sign-in window: waits for its exit
        wait_until(lambda: False, 2000)  # the renderer process exits after its page is gone
        engine = any(m.startswith("PySide6.QtWebEngine") for m in sys.modules)
        ready(controller.state.name, f"webengine={engine}")
        threading.Thread(target=wait_for_stdin_then_exit, daemon=True).start()

    run_main(flags_for(flags), on_launch)


def stall(_: object = None) -> None:
    """Longest main-thread stall while the token request takes 3 s."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    from frameio_desktop.gui.app import make_application
    from frameio_desktop.gui.controller import SignInController, State
    from frameio_desktop.main import build_window
    from tests.helpers.browser import sign_in_without_browser
    from tests.helpers.demo import GatedDemoServer
    from tests.helpers.sessions import new_session

    app = make_application()
    demo = GatedDemoServer(refresh_tokens=True).start()
    session = new_session(
        {**demo.settings_flags(), "profile": "bench-stall"}, folder=Path(tempfile.mkdtemp())
    )
    controller = SignInController(session)
    window = build_window(controller, session.settings)
    window.show()
    controller.interactive.page_requested.disconnect(
        window.hosts.open_sign_in
    )  # only the exchange is timed
    controller.sign_in()
    redirect = sign_in_without_browser(controller.interactive.pending.authorize_url)  # type: ignore[union-attr]
    demo.state.token_gate.clear()
    threading.Timer(3.0, demo.state.token_gate.set).start()
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(beat)
    timer.start()
    started = time.perf_counter()
    controller.interactive.redirect_caught(redirect)
    wait_for_state(controller, State.SIGNED_IN)
    took = time.perf_counter() - started
    timer.stop()
    # The longest gap beyond the 5 ms tick itself.
    ready(f"stall_ms={max(gaps) - 5}", f"exchange_s={took:.2f}", f"beats={len(gaps)}")
    controller.runner.wait_idle()
    demo.stop()
    app.processEvents()
    os._exit(0)


def raw_account_calls(raw: Any, settings: Any, token: str) -> None:
    """What the app asks once it has a token, with plain `requests`: the user, then (Frame.io
    V4) every page of the account list."""
    from urllib.parse import urljoin

    headers = {"Authorization": f"Bearer {token}"}
    raw.get(settings.account_url, headers=headers, timeout=30).json()
    url = settings.accounts_url
    while url:
        following = (raw.get(url, headers=headers, timeout=30).json().get("links") or {}).get(
            "next"
        )
        url = urljoin(url, following) if following else None


def overhead(rounds: str) -> None:
    """Redirect caught -> account shown, against raw requests doing the same calls (the
    requests each side made are counted at the server and reported)."""
    import requests

    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.core.settings import load_settings
    from frameio_desktop.core.store import KeyringTokenStore
    from frameio_desktop.demo.server import DemoServer
    from frameio_desktop.gui.app import make_application
    from frameio_desktop.gui.controller import SignInController, State
    from frameio_desktop.gui.tasks import wait_until
    from tests.helpers.browser import sign_in_without_browser

    make_application()
    demo = DemoServer(refresh_tokens=True).start()
    flags = {**demo.settings_flags(), "profile": "bench-overhead"}
    settings = load_settings(
        flags, environ={}, dotenv_path=ROOT / "none", settings_path=ROOT / "none"
    )
    session = AuthSession(settings, store=KeyringTokenStore())  # the real keyring
    controller = SignInController(session)
    raw = requests.Session()
    app_ms: list[float] = []
    raw_ms: list[float] = []
    app_requests: list[int] = []
    raw_requests: list[int] = []

    def requests_so_far() -> int:
        with demo.state.lock:
            return sum(demo.state.hits.values())

    for i in range(int(rounds) + 1):
        controller.sign_in()
        pending = controller.interactive.pending
        assert pending is not None
        redirect = sign_in_without_browser(pending.authorize_url)
        before = requests_so_far()
        started = time.perf_counter()
        controller.interactive.redirect_caught(redirect)
        wait_for_state(controller, State.SIGNED_IN)
        took = (time.perf_counter() - started) * 1000
        made = requests_so_far() - before
        wait_until(lambda: not controller.keeper.saving, 30_000)
        controller.back_to_start()

        other = session.begin_sign_in()
        code = other.take_code(sign_in_without_browser(other.authorize_url))
        before = requests_so_far()
        started = time.perf_counter()
        token = raw.post(
            settings.token_url,  # type: ignore[arg-type]
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": other.redirect_uri,
                "code_verifier": other.code_verifier,
                "client_id": settings.client_id,
            },
            timeout=30,
        ).json()["access_token"]
        raw_account_calls(raw, settings, token)
        raw_took = (time.perf_counter() - started) * 1000
        if i:  # the first round is the warm-up
            app_ms.append(took)
            raw_ms.append(raw_took)
            app_requests.append(made)
            raw_requests.append(requests_so_far() - before)
    session.store.clear(settings.store_key)
    ready(
        json.dumps(
            {
                "app_ms": app_ms,
                "raw_ms": raw_ms,
                "app_requests": sorted(set(app_requests)),
                "raw_requests": sorted(set(raw_requests)),
            }
        )
    )
    controller.runner.wait_idle()
    demo.stop()
    os._exit(0)


MODES = {
    "app-login": app_login,
    "bare-webview": bare_webview,
    "app-silent": app_silent,
    "bare-widgets": lambda _=None: bare_widgets(keep=False),
    "bare-widgets-keep": lambda _=None: bare_widgets(keep=True),
    "app-signed-in-memory": app_signed_in_memory,
    "stall": stall,
    "overhead": overhead,
}

if __name__ == "__main__":
    mode = sys.argv[1]
    arg = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
    MODES[mode](arg)
