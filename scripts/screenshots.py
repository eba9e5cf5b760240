"""Render each window state to PNG under docs/screenshots/ against the demo server.

Run from the repository root under Xvfb (real window system) or offscreen:

    scripts/with-keyring xvfb-run -a .venv/bin/python scripts/screenshots.py   # 100 %
    QT_SCALE_FACTOR=2 scripts/with-keyring xvfb-run -a -s "-screen 0 2560x2000x24" \
        .venv/bin/python scripts/screenshots.py --suffix @2x

Tokens go to an in-memory keyring, never the user's; `scripts/with-keyring` gives Check
set-up's keyring check a throw-away one (without it that check shows as failed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from frameio_desktop.core.errors import ConfigError, UnknownRedirectError  # noqa: E402
from frameio_desktop.core.sources import default_settings_path  # noqa: E402
from frameio_desktop.core.store import ClientSecretStore, KeyringTokenStore  # noqa: E402
from frameio_desktop.demo.server import DemoServer  # noqa: E402
from frameio_desktop.gui.app import make_application  # noqa: E402
from frameio_desktop.gui.background import Background  # noqa: E402
from frameio_desktop.gui.controller import SignInController, State  # noqa: E402
from frameio_desktop.gui.settings_access import SettingsAccess  # noqa: E402
from frameio_desktop.gui.sign_in_host import HostPage  # noqa: E402
from frameio_desktop.gui.tasks import wait_until  # noqa: E402
from frameio_desktop.gui.window import MainWindow  # noqa: E402
from frameio_desktop.main import (  # noqa: E402
    DemoOnDemand,
    HostKind,
    build_window,
    host_factory_for,
    settings_access_for,
)
from frameio_desktop.selftest import autofill_script  # noqa: E402
from tests.helpers.fakes import MemoryKeyring  # noqa: E402
from tests.helpers.sessions import new_session  # noqa: E402


def save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    wait_until(lambda: False, 300)  # let the page paint
    widget.grab().save(str(path))
    print(path)


def save_screen(widget: QWidget, path: Path) -> None:
    """What is on the screen where `widget` is: there the sign-in window (another
    process) covers the app's window. Needs a real window system (Xvfb)."""
    QApplication.processEvents()
    wait_until(lambda: False, 600)  # let the other process paint
    rect = widget.geometry()
    screen = QGuiApplication.primaryScreen()
    screen.grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height()).save(str(path))
    print(path)


def page_of(window: MainWindow) -> HostPage | None:
    host = window.hosts.sign_in_host
    return host.page if host is not None else None


def private_settings_access() -> SettingsAccess:
    """The settings form's access as the app builds it, but reading and writing a temporary
    config folder and an in-memory keyring (never the user's settings, .env or keyring)."""
    home = Path(tempfile.mkdtemp())
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    for name in [n for n in os.environ if n.startswith("FRAMEIO_")]:
        del os.environ[name]
    os.chdir(home)  # no .env from the working folder
    return settings_access_for(
        {},
        settings_path=default_settings_path(),  # where Check set-up reads it, too
        secrets=ClientSecretStore(KeyringTokenStore(MemoryKeyring())),
        demo=DemoOnDemand(),  # offers "Try the demo"; started only if pressed
    )


def sign_in_on_page(controller: SignInController, window: MainWindow) -> None:
    """Fill the demo's sign-in page (and each page after it) and wait until signed in."""
    page = page_of(window)
    assert page is not None
    page.loadFinished.connect(lambda ok: page.runJavaScript(autofill_script("Ada Lovelace")))
    page.runJavaScript(autofill_script("Ada Lovelace"))
    wait_until(lambda: controller.state is State.SIGNED_IN, 20_000)


def signed_in_until(out: Callable[[str], Path]) -> None:
    """A credential with no refresh token (Adobe's Native and Single-Page App ones)."""
    demo = DemoServer(token_ttl=86399, refresh_tokens=False).start()
    try:
        session = new_session(demo.settings_flags(), folder=Path(tempfile.mkdtemp()))
        controller = SignInController(session)
        window = build_window(controller, session.settings)
        window.show()
        loaded: list[bool] = []
        controller.interactive.page_requested.connect(
            lambda *_: (page := page_of(window)) and page.loadFinished.connect(loaded.append)
        )
        controller.sign_in()
        wait_until(lambda: bool(loaded), 15_000)
        sign_in_on_page(controller, window)
        save(window, out("10-signed-in-until"))
        window.release_web_engine()
        window.close()
        controller.runner.wait_idle()
    finally:
        demo.stop()


def v2_notice(out: Callable[[str], Path]) -> None:
    """A Frame.io V2 sign-in after the retirement day: the notice and its Open settings."""
    demo = DemoServer(provider="frameio-v2", token_ttl=3600).start()
    try:
        session = new_session(demo.settings_flags(), folder=Path(tempfile.mkdtemp()))
        controller = SignInController(session)
        window = build_window(
            controller, session.settings, settings_access=private_settings_access()
        )
        window.show()
        controller.start()
        wait_until(lambda: controller.state is State.SIGNED_OUT, 10_000)
        save(window, out("12-v2-notice"))
        window.close()
        controller.runner.wait_idle()
    finally:
        demo.stop()


def background_for(controller: SignInController, window: MainWindow) -> Background:
    """The app's background part (tray, token service, the Settings page's options) with
    its preferences, socket and autostart entry in a scratch folder, never the person's."""
    from frameio_desktop.core.background import Autostart

    scratch = Path(tempfile.mkdtemp())
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return Background(
        app,
        controller,
        window,
        prefs_path=scratch / "background.json",
        tray_available=True,
        socket_path=str(scratch / "token.sock"),
        autostart=Autostart(platform="linux", environ={"XDG_CONFIG_HOME": str(scratch)}),
    )


def tray_menu(out: Callable[[str], Path]) -> None:
    """The tray icon's menu of a signed-in app whose window is closed (gui/background.py).
    A tray is drawn by the desktop, so the menu is shown on its own, where it pops up."""
    from PySide6.QtCore import QPoint

    from tests.helpers.browser import sign_in_without_browser
    from tests.helpers.sessions import complete_sign_in

    demo = DemoServer(token_ttl=86399, refresh_tokens=True).start()
    scratch = Path(tempfile.mkdtemp())
    try:
        session = new_session(demo.settings_flags(), folder=scratch)
        pending = session.begin_sign_in()
        redirect = sign_in_without_browser(pending.authorize_url, "Ada Lovelace")
        complete_sign_in(session, pending, redirect)
        controller = SignInController(session)
        window = build_window(controller, session.settings)
        background = background_for(controller, window)
        controller.start()
        wait_until(lambda: controller.state is State.SIGNED_IN, 10_000)
        background.update_menu()
        background.menu.popup(QPoint(40, 40))
        save(background.menu, out("11-tray-menu"))
        background.menu.hide()
        background.close()
        window.close()
        controller.runner.wait_idle()
    finally:
        demo.stop()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--suffix", default="")
    parser.add_argument("--only", choices=["tray"], help="only this screenshot")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    def out(name: str) -> Path:
        return args.out / f"{name}{args.suffix}.png"

    if args.only == "tray":
        make_application()
        tray_menu(out)
        return 0

    # "Sign in with your browser" opens nothing: `true` stands in for the browser.
    os.environ["BROWSER"] = "true"
    make_application()
    demo = DemoServer(token_ttl=3600, refresh_tokens=True).start()
    try:
        # Tokens in memory only.
        session = new_session(demo.settings_flags(), folder=Path(tempfile.mkdtemp()))
        settings = session.settings
        controller = SignInController(session)
        browser = host_factory_for(HostKind.SYSTEM_BROWSER)
        window = build_window(
            controller, settings, browser_factory=browser, settings_access=private_settings_access()
        )
        window.show()
        controller.start()
        wait_until(lambda: controller.state is State.SIGNED_OUT, 10_000)
        save(window, out("1-signed-out"))

        loaded: list[bool] = []
        controller.interactive.page_requested.connect(
            lambda *_: (page := page_of(window)) and page.loadFinished.connect(loaded.append)
        )
        controller.sign_in()
        wait_until(lambda: bool(loaded), 15_000)
        if not window.hosts.host_factory.in_process:
            save_screen(window, out("2-signing-in"))
            save(window, out("2-waiting"))  # the app's own window, under the sign-in one
        else:
            save(window, out("2-signing-in"))

        window.show_state(State.FINISHING)
        save(window, out("3-finishing"))
        window.show_state(State.SIGNING_IN)

        sign_in_on_page(controller, window)
        save(window, out("4-signed-in"))

        controller.sign_out()
        wait_until(lambda: controller.state is State.SIGNED_OUT, 10_000)
        loaded.clear()
        controller.sign_in()
        wait_until(lambda: bool(loaded), 15_000)
        page = page_of(window)
        assert page is not None
        deny = autofill_script("Ada Lovelace", allow=False)
        page.runJavaScript(deny)
        page.loadFinished.connect(lambda ok: page.runJavaScript(deny))
        wait_until(lambda: controller.state is State.ERROR, 20_000)
        save(window, out("5-error-access-denied"))

        # What Adobe IMS does with a redirect URI the credential does not list.
        controller.back_to_start()
        controller.shared.fail(UnknownRedirectError("studio.example.com"))
        save(window, out("13-error-redirect-unknown"))

        controller.back_to_start()
        window.start_sign_in(in_browser=True)
        wait_until(lambda: controller.state is State.SIGNING_IN, 10_000)
        save(window, out("9-continue-in-browser"))
        controller.cancel()
        window.release_web_engine()
        window.close()
        signed_in_until(out)

        problem = ConfigError("FRAMEIO_CLIENT_ID", "is not set")
        missing = SignInController(None, config_problem=problem)
        missing_window = build_window(missing, None, settings_access=private_settings_access())
        # As the app has it: the Settings page's background options under the form.
        missing_background = background_for(missing, missing_window)
        missing_window.show()
        missing.start()
        save(missing_window, out("6-settings-missing"))

        missing_window.open_settings()
        form = missing_window.settings.form
        assert form is not None
        form.client_id.setText("3f9c2b7e1d8a4c6f9e0b")
        form.redirect_uri.setText("adobe+5d2f8c1a://adobeid/3f9c2b7e1d8a4c6f9e0b")
        form.redirect_uri.setCursorPosition(0)
        form.client_id.setFocus()
        save(missing_window, out("7-settings-form"))
        form.redirect_uri.setText("http://studio.example.com/callback")
        form.web_app.setChecked(True)
        form.submit()  # marks every field as touched: the errors show as errors
        save(missing_window, out("8-settings-form-error"))
        form.redirect_uri.setText("adobe+5d2f8c1a://adobeid/3f9c2b7e1d8a4c6f9e0b")
        form.web_app.setChecked(False)
        form.submit()  # saved: Check set-up checks the saved settings
        wait_until(lambda: missing.state is State.SIGNED_OUT, 10_000)
        missing_window.open_settings()
        form = missing_window.settings.form
        assert form is not None
        assert form.setup_check is not None
        form.redirect_uri.setCursorPosition(0)
        form.setup_check.start()
        wait_until(lambda: form.setup_check is not None and not form.setup_check.running, 30_000)
        save(missing_window, out("14-settings-check"))
        missing_window.close_settings()
        missing_background.close()
        missing_window.close()
        controller.runner.wait_idle()
        v2_notice(out)
        tray_menu(out)
    finally:
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
