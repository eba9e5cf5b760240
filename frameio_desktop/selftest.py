"""`frameio-desktop --self-test`: the whole sign-in through the real window, in one run.

Works from source and from the frozen bundle: it starts the demo server, signs in through
the embedded web view (filling the demo login form and clicking Allow itself), checks the
token against the account endpoint (`/v4/me`, or `/v2/me` for the legacy shape) and
the account shown in the window, reports the keyring backend,
signs out, and prints one line per step. Exit 0 only if every step passed.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from PySide6.QtWidgets import QApplication

from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import Settings, load_settings
from frameio_desktop.core.store import insecure_reason
from frameio_desktop.core.user import fetch_user
from frameio_desktop.demo.server import CALLBACK_PATH, DemoServer
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.tasks import wait_until
from frameio_desktop.gui.window import MainWindow

#: Fills the demo server's login form, then clicks Allow on its consent page.
DEMO_AUTOFILL_JS = """
(function () {
  var name = document.getElementById('name');
  if (name) { name.value = %(name)s; document.getElementById('sign-in').click(); return 'login'; }
  var allow = document.getElementById(%(button)s);
  if (allow) { allow.click(); return 'consent'; }
  return 'other';
})()
"""


def autofill_script(name: str, *, allow: bool = True) -> str:
    import json

    return DEMO_AUTOFILL_JS % {
        "name": json.dumps(name),
        "button": json.dumps("allow" if allow else "deny"),
    }


class Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failed = False

    def step(self, ok: bool, name: str, detail: str = "") -> bool:
        self.failed |= not ok
        line = f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else "")
        print(line, file=self.out, flush=True)
        return ok


#: keyring's backend for the keyring of each system (the self-test passes on no other):
#: Secret Service or KWallet on Linux, the login Keychain, Windows Credential Manager.
NATIVE_KEYRING = {
    "linux": ("keyring.backends.SecretService.", "keyring.backends.kwallet."),
    "darwin": ("keyring.backends.macOS.",),
    "win32": ("keyring.backends.Windows.",),
}


def _native_keyring_name() -> str:
    return " or ".join(NATIVE_KEYRING.get(sys.platform, NATIVE_KEYRING["linux"]))


def _bundled_web_engine_helper() -> Path:
    """Where a frozen build must carry QtWebEngine's helper process on this system (PySide6's
    wheel layout, kept by build_installer.spec): the sign-in page cannot open without it."""
    base = Path(getattr(sys, "_MEIPASS", ".")) / "PySide6"
    if sys.platform == "win32":
        return base / "QtWebEngineProcess.exe"
    if sys.platform == "darwin":
        helper = "Helpers/QtWebEngineProcess.app/Contents/MacOS/QtWebEngineProcess"
        return base / "Qt" / "lib" / "QtWebEngineCore.framework" / helper
    return base / "Qt" / "libexec" / "QtWebEngineProcess"


def run_self_test(
    app: QApplication,
    flags: dict[str, str | None],
    demo: DemoServer | None,
    build_window: Callable[[SignInController, Settings], MainWindow],
    page_in_process: bool,
    out: TextIO = sys.stdout,
) -> int:
    """`build_window` makes the app's window as the composition root does;
    `page_in_process` says whether its sign-in page loads QtWebEngine here."""
    report = Report(out)
    if demo is None:
        report.step(False, "demo server", "not started")
        return 1
    report.step(True, "demo server", demo.url)
    # A profile of its own, so the self-test never touches a real sign-in.
    profile = f"self-test-{secrets.token_hex(4)}"
    settings = load_settings({**flags, "profile": profile})
    session = AuthSession(settings)
    backend = session.store.backend_name
    reason = insecure_reason(session.store.backend)
    native = backend.startswith(NATIVE_KEYRING.get(sys.platform, NATIVE_KEYRING["linux"]))
    report.step(
        native and not reason,
        "keyring backend",
        backend
        + (f" (NOT SECURE: {reason})" if reason else "")
        + ("" if native else f" (this system's keyring is {_native_keyring_name()})"),
    )
    if getattr(sys, "frozen", False):
        helper = _bundled_web_engine_helper()
        report.step(helper.is_file(), "web engine helper in the bundle", str(helper))

    controller = SignInController(session)
    window = build_window(controller, settings)
    window.show()
    name = "Self Test"

    def autofill(ok: bool) -> None:
        host = window.hosts.sign_in_host
        if ok and host is not None and host.page is not None:
            host.page.runJavaScript(autofill_script(name))

    def opened(*_: object) -> None:
        host = window.hosts.sign_in_host
        if host is not None and host.page is not None:
            host.page.loadFinished.connect(autofill)

    controller.interactive.page_requested.connect(opened)
    controller.sign_in()
    engine_started = window.hosts.sign_in_host is not None
    report.step(engine_started, "web view opened", settings.authorize_url or "")
    signed_in = wait_until(lambda: controller.state in (State.SIGNED_IN, State.ERROR), 60_000)
    if not report.step(
        signed_in and controller.state is State.SIGNED_IN,
        "signed in through the web view",
        controller.problem.message if controller.problem else "",
    ):
        return _finish(controller, window, report)
    wait_until(lambda: not controller.keeper.saving, 30_000)
    report.step(
        demo.state.hits[CALLBACK_PATH] == 0,
        "redirect caught before the network",
        f"{demo.state.hits[CALLBACK_PATH]} requests reached the loopback redirect path",
    )
    report.step(
        session.persistent,
        "tokens kept in the keyring",
        session.storage_problem.user_message if session.storage_problem else backend,
    )
    tokens = session.tokens
    me_path = demo.shape.me_path
    try:
        assert tokens is not None
        assert settings.account_url is not None
        account = fetch_user(session.http, settings.account_url, tokens.access_token)
        report.step(account.name == name, f"token accepted by {me_path}", account.email or "")
    except Exception as exc:  # noqa: BLE001 - reported as a failed step
        report.step(False, f"token accepted by {me_path}", type(exc).__name__)
    report.step(
        window.signed_in_page.name_label.text() == name,
        "account shown in the window",
        window.signed_in_page.name_label.text(),
    )
    if not page_in_process:
        engine = sorted(m for m in sys.modules if m.startswith("PySide6.QtWebEngine"))
        report.step(
            not engine,
            "no web engine in the window process",
            ", ".join(engine) or "the sign-in page ran in its own process",
        )
    controller.sign_out()
    wait_until(lambda: controller.state is State.SIGNED_OUT, 30_000)
    cleared = session.store.load(settings.store_key) is None if session.persistent else True
    report.step(
        controller.state is State.SIGNED_OUT and cleared,
        "signed out",
        f"revoked at server: {demo.state.revocations > 0}",
    )
    return _finish(controller, window, report)


def _finish(controller: SignInController, window: MainWindow, report: Report) -> int:
    window.release_web_engine()
    window.close()
    controller.runner.wait_idle()
    print("self-test " + ("FAILED" if report.failed else "passed"), file=report.out)
    return 1 if report.failed else 0
