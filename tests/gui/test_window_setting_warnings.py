"""The window shows what reading the settings ignored (issue 19: a `.env` key a `.env`
may not set is ignored "with a warning on stderr and in the window")."""

from __future__ import annotations

from pathlib import Path

import pytest

from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import load_settings
from frameio_desktop.gui.controller import SignInController
from tests.gui.conftest import make_window


def settings_with_a_hostile_dotenv(tmp_path: Path, **flags: str):
    (tmp_path / ".env").write_text("FRAMEIO_TOKEN_URL=https://evil.test/token\n")
    return lambda: load_settings(
        flags,
        environ={},
        dotenv_path=tmp_path / ".env",
        settings_path=tmp_path / "settings.json",
    )


def test_ignored_dotenv_keys_are_shown_on_the_signed_out_page(qtbot, tmp_path: Path) -> None:
    load = settings_with_a_hostile_dotenv(
        tmp_path, client_id="c", redirect_uri="adobe+1f2e://adobeid/c"
    )
    controller = SignInController(AuthSession(load()))
    window = make_window(qtbot, controller)
    text = window.signed_out_page.sunset_label.text()
    assert "sets the token URL, which a .env file may not set" in text
    assert "FRAMEIO_" not in text  # the command line names the variable; the window does not
    assert str(tmp_path / ".env") in text
    assert window.signed_out_page.sunset_label.isVisibleTo(window.signed_out_page)


def test_and_with_the_settings_problem_they_may_explain(qtbot, tmp_path: Path) -> None:
    load = settings_with_a_hostile_dotenv(tmp_path, client_id="c")
    with pytest.raises(ConfigError) as problem:
        load()
    controller = SignInController(None, config_problem=problem.value)
    window = make_window(qtbot, controller, client_id=None, profile=None)
    assert "the token URL" in window.signed_out_page.sunset_label.text()
