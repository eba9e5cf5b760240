"""What the app sets up for Chromium before QtWebEngine starts."""

from __future__ import annotations

import logging
import os

import pytest

from frameio_desktop.gui import app as gui_app


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "QTWEBENGINE_DISABLE_SANDBOX",
        "QTWEBENGINE_CHROMIUM_FLAGS",
        "QTWEBENGINE_REMOTE_DEBUGGING",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_sandbox_off_only_as_root_with_a_warning(clean_env, caplog) -> None:
    clean_env.setattr(os, "geteuid", lambda: 0)
    with caplog.at_level(logging.WARNING, logger="frameio_desktop.gui.app"):
        gui_app.prepare_web_engine_environment()
    assert os.environ["QTWEBENGINE_DISABLE_SANDBOX"] == "1"
    assert "sandbox is turned off" in caplog.text


def test_sandbox_stays_on_for_a_normal_user(clean_env, caplog) -> None:
    clean_env.setattr(os, "geteuid", lambda: 1000)
    with caplog.at_level(logging.WARNING, logger="frameio_desktop.gui.app"):
        gui_app.prepare_web_engine_environment()
    assert "QTWEBENGINE_DISABLE_SANDBOX" not in os.environ
    assert "sandbox" not in caplog.text


def test_no_remote_debugging_port(clean_env) -> None:
    clean_env.setenv("QTWEBENGINE_REMOTE_DEBUGGING", "9222")
    clean_env.setattr(os, "geteuid", lambda: 1000)
    gui_app.prepare_web_engine_environment()
    assert "QTWEBENGINE_REMOTE_DEBUGGING" not in os.environ
    assert "--remote-debugging" not in os.environ["QTWEBENGINE_CHROMIUM_FLAGS"]
    assert "--disable-background-networking" in os.environ["QTWEBENGINE_CHROMIUM_FLAGS"]


@pytest.mark.parametrize(
    "flags",
    [
        '"--remote-debugging-port=9222"',
        '--lang=de "--remote-debugging-port"=9222',
        "--remote-debugging-pipe --remote-allow-origins=*",
    ],
)
def test_no_remote_debugging_in_the_app_process_however_quoted(clean_env, flags: str) -> None:
    """With FRAMEIO_SIGN_IN_WINDOW=in-window the sign-in page runs in the app's own
    process. Qt reads the flags with QProcess::splitCommand, which drops the quotes."""
    from PySide6.QtCore import QProcess

    clean_env.setenv("QTWEBENGINE_CHROMIUM_FLAGS", flags)
    clean_env.setattr(os, "geteuid", lambda: 1000)
    gui_app.prepare_web_engine_environment()
    as_qt_reads_it = QProcess.splitCommand(os.environ["QTWEBENGINE_CHROMIUM_FLAGS"])
    assert not any("remote" in arg.lower() for arg in as_qt_reads_it)
    assert "--disable-background-networking" in as_qt_reads_it
