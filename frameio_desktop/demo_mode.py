"""The built-in demo server as the command line uses it: on one stable port, under a
profile of its own, and never left behind in the keyring.

- `frameio-desktop demo-server` runs the demo until Ctrl-C and prints the settings that
  point at it; `--demo` on any command uses those settings (`token --demo`,
  `login --demo`, `status --demo`, ...).
- `frameio-desktop --demo` (the window) uses a demo server already running on the port,
  or runs its own there for as long as the window is open.
- The demo keeps its sign-ins in memory, so a stored demo sign-in is worth nothing once
  its server has stopped: the server that started removes it when it stops, and a
  stored one made with other endpoints (an older demo's port) is removed before use.
  The demo's client ID is its own, so its sign-ins never collide with real ones.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from frameio_desktop.core.errors import ConfigError, DemoUnavailableError, StoreError
from frameio_desktop.core.settings import load_settings

if TYPE_CHECKING:
    from frameio_desktop.core.settings import Settings
    from frameio_desktop.demo.server import DemoServer

log = logging.getLogger(__name__)

#: The demo's port unless FRAMEIO_DEMO_PORT names another: stable, so that a sign-in made
#: with one run's demo is still bound to the same endpoints in the next.
DEMO_PORT = 47615
PORT_VARIABLE = "FRAMEIO_DEMO_PORT"


def demo_port(environ: Mapping[str, str] | None = None) -> int:
    raw = (os.environ if environ is None else environ).get(PORT_VARIABLE, "").strip()
    if not raw:
        return DEMO_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(PORT_VARIABLE, f"is {raw!r}, not a port number from 1 to 65535")
    return int(raw)


def demo_server(args: argparse.Namespace, *, port: int | None = None) -> DemoServer:
    """The demo server `--demo` and `demo-server` ask for (not started): IMS's Native App
    credential by default (24-hour access tokens, no refresh token; `--demo-refresh-token`
    gives one, `--demo-token-ttl` shortens the tokens); `--provider frameio-v2` the V2
    shape. Without the `demo` extra, a `DemoUnavailableError` that says how to get it."""
    try:
        from frameio_desktop.demo.server import DemoServer
    except ModuleNotFoundError as exc:
        raise DemoUnavailableError(exc.name or "flask") from None
    return DemoServer(
        provider=getattr(args, "provider", None) or "frameio-v4",
        port=demo_port() if port is None else port,
        token_ttl=getattr(args, "demo_token_ttl", None),
        refresh_tokens=getattr(args, "demo_refresh_token", None),
    )


def check_demo_installed(args: argparse.Namespace) -> None:
    """Raise `DemoUnavailableError` now, before anything else starts, if the demo extra
    is missing."""
    demo_server(args)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def answers_as_demo(me_url: str) -> bool:
    """What listens on the demo port is a demo server: its account endpoint refuses a
    request without a token as the demo does (HTTP 401, `missing_authorization`)."""
    import json
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(me_url, timeout=2)  # noqa: S310 - a loopback http URL
    except urllib.error.HTTPError as answer:
        try:
            body = json.loads(answer.read(4096) or b"{}")
        except ValueError:
            return False
        return answer.code == 401 and body.get("error") == "missing_authorization"
    except OSError:
        return False
    return False


def demo_settings(args: argparse.Namespace) -> dict[str, str]:
    """The settings of the demo on the demo port (whether or not it runs)."""
    return demo_server(args).settings_flags()


def use_demo_settings(args: argparse.Namespace) -> dict[str, str]:
    """Point a parsed command line at the demo: every setting the demo defines, unless a
    flag names it on purpose. Returns the demo's settings."""
    found = demo_settings(args)
    for name, value in found.items():
        if not getattr(args, name, None):
            setattr(args, name, value)
    return found


def forget_demo_sign_in(settings: Settings, *, only_if_stale: bool = False) -> None:
    """Remove the stored demo sign-in (with `only_if_stale`, only one made with other
    endpoints than these: an older demo's). Nothing is sent anywhere."""
    from frameio_desktop.core.session import AuthSession

    session = AuthSession(settings)
    try:
        session.load()
        if only_if_stale and session.binding_problem is None:
            return
        session.store.clear(settings.store_key)
    except StoreError as exc:
        log.debug("demo sign-in not removed: %s", exc.user_message)


def forget_stale_demo_sign_in(args: argparse.Namespace, err: TextIO) -> None:
    """Before a command with `--demo`: a stored demo sign-in of an older demo is dropped,
    and a demo that is not running is pointed out (the command still runs: `logout` and
    a still-valid `token` need no server)."""
    flags = use_demo_settings(args)
    with contextlib.suppress(ConfigError):
        forget_demo_sign_in(load_settings(_flags_of(args)), only_if_stale=True)
    port = demo_port()
    if not port_in_use(port):
        print(
            f"frameio-desktop: no demo server is running at http://127.0.0.1:{port}; start "
            "one with `frameio-desktop demo-server` (--demo uses its settings"
            + (f": {flags['provider']}" if flags.get("provider") else "")
            + ")",
            file=err,
        )


def _flags_of(args: argparse.Namespace) -> dict[str, str | None]:
    from frameio_desktop.cli_flags import settings_flags

    return settings_flags(args)


class OwnOrShared:
    """The demo a window or `login --demo` signs in to: the one already running on the
    demo port, or one of its own there, stopped (and its sign-in forgotten) at the end."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.own: DemoServer | None = None

    def start(self) -> dict[str, str]:
        """Start (or find) the demo; its settings."""
        server = demo_server(self.args)
        flags = server.settings_flags()
        if port_in_use(server.port):
            if not answers_as_demo(server.me_url):  # never sign in to a stranger
                raise ConfigError(
                    PORT_VARIABLE,
                    f"is {server.port}, and another program listens there",
                    hint=f"Set {PORT_VARIABLE} to a free port.",
                )
            log.info("using the demo sign-in server already at %s", server.url)
            return flags
        forget_demo_sign_in(_demo_only(flags))  # a stopped demo's: its tokens are gone
        self.own = server.start()
        log.info("demo sign-in server at %s", server.url)
        return flags

    def stop(self) -> None:
        if self.own is not None:
            flags = self.own.settings_flags()
            self.own.stop()
            self.own = None
            forget_demo_sign_in(_demo_only(flags))


def _demo_only(flags: Mapping[str, str]) -> Settings:
    """The demo's settings alone: nothing of the person's environment or files."""
    from pathlib import Path

    return load_settings(dict(flags), environ={}, dotenv_path=Path(os.devnull), file_values={})


def run_demo_server(args: argparse.Namespace, out: TextIO) -> int:
    """`frameio-desktop demo-server`: run the demo on the demo port until Ctrl-C or
    SIGTERM, print how to use it, and forget its sign-in when it stops."""
    import signal

    server = demo_server(args)
    if port_in_use(server.port):
        raise ConfigError(
            PORT_VARIABLE,
            f"is {server.port}, and something already listens there (another demo-server?)",
            hint=f"Stop it, or run both this and the commands with {PORT_VARIABLE} set "
            "to a free port.",
        )
    flags = server.settings_flags()
    forget_demo_sign_in(_demo_only(flags))
    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    server.start()
    try:
        out.write(demo_instructions(server.url, flags, server.port))
        out.flush()
        while not stopped.wait(1.0):
            pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        forget_demo_sign_in(_demo_only(flags))
    return 0


def demo_instructions(url: str, flags: Mapping[str, str], port: int) -> str:
    env = (
        "".join(
            f"  export FRAMEIO_{name.upper()}={value}\n"
            for name, value in flags.items()
            if name != "profile"
        )
        + f"  export FRAMEIO_PROFILE={flags['profile']}\n"
    )
    port_note = "" if port == DEMO_PORT else f"  export {PORT_VARIABLE}={port}\n"
    return (
        f"Demo sign-in server at {url} (Ctrl-C stops it and forgets its sign-in).\n"
        "\n"
        "In another terminal:\n"
        f"{port_note}"
        "  frameio-desktop login --demo              # or: login --demo --no-browser\n"
        "  frameio-desktop token --demo              # status, accounts, logout: --demo too\n"
        "\n"
        "The same settings for scripts and Python (export them, then plain `token`, or\n"
        "frameio_desktop.get_token(); the frameio SDK with Frameio(base_url=\n"
        f"{url!r}, token=frameio_desktop.token_provider())):\n"
        f"{env}"
    )


class DemoOnDemand:
    """The built-in demo server, started the first time "Try the demo" is pressed and
    stopped when the app ends, its sign-in forgotten then (its tokens end with it). On a
    free port of its own: the window's tests start many at once."""

    def __init__(self, token_ttl: int | None = None, refresh_tokens: bool | None = None) -> None:
        self.token_ttl = token_ttl
        self.refresh_tokens = refresh_tokens
        self.server: DemoServer | None = None

    def start(self) -> DemoServer:
        if self.server is None:
            from frameio_desktop.demo.server import DemoServer

            self.server = DemoServer(
                token_ttl=self.token_ttl, refresh_tokens=self.refresh_tokens
            ).start()
            log.info("demo sign-in server at %s", self.server.url)
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            flags = self.server.settings_flags()
            self.server.stop()
            self.server = None
            forget_demo_sign_in(_demo_only(flags))
