"""Helpers to point sessions at a DemoServer."""

from __future__ import annotations

from pathlib import Path

from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import load_settings
from frameio_desktop.core.store import KeyringTokenStore
from frameio_desktop.core.tokens import Clock, utc_now
from frameio_desktop.demo.server import DemoServer
from tests.helpers.fakes import MemoryKeyring


def demo_session(
    demo: DemoServer,
    tmp_path: Path,
    backend: MemoryKeyring | None = None,
    *,
    clock: Clock = utc_now,
    **flags: str,
) -> AuthSession:
    settings = load_settings(
        {**demo.settings_flags(), **flags},
        environ={},
        dotenv_path=tmp_path / "absent.env",
        settings_path=tmp_path / "absent.json",
    )
    return AuthSession(
        settings,
        http=HttpClient(),
        store=KeyringTokenStore(backend if backend is not None else MemoryKeyring()),
        clock=clock,
        lock_dir=tmp_path / "locks",
    )
