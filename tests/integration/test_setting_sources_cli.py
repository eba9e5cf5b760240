"""Where a setting came from, through the command line as a person runs it: a working
folder's `.env` (issues 19 and 23) and the settings file's keys."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli, secret_service_missing

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]

NATIVE = "adobe+1f2e://adobeid/file-id"


def folder(tmp_path: Path, dotenv: str, settings: dict[str, str]) -> dict[str, str]:
    """A working folder with this `.env`, and a config folder with this settings file."""
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / ".env").write_text(dotenv)
    config = tmp_path / "config" / "frameio-desktop"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps(settings))
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}


def profile() -> str:
    return f"sources-{secrets.token_hex(4)}"  # nobody is signed in to it


def test_dotenv_endpoints_are_ignored_with_a_warning(tmp_path: Path) -> None:
    env = folder(
        tmp_path,
        "FRAMEIO_TOKEN_URL=https://evil.test/token\n"
        "FRAMEIO_AUTHORIZE_URL=https://evil.test/authorize\n",
        {"client_id": "file-id", "redirect_uri": NATIVE, "profile": profile()},
    )
    result = run_cli(["status"], env=env, cwd=tmp_path / "work")
    assert result.returncode != 0  # nobody signed in, not a refusal of the settings
    assert (
        "frameio-desktop: warning: Ignored FRAMEIO_TOKEN_URL, FRAMEIO_AUTHORIZE_URL in ./.env"
        in (result.stderr)
    )
    assert "in the settings file (" in result.stderr
    assert "--token-url" in result.stderr
    assert "evil.test" not in result.stdout


def test_a_dotenv_client_id_is_named_when_nobody_is_signed_in(tmp_path: Path) -> None:
    env = folder(
        tmp_path,
        "CLIENT_ID=another-tools-id\n",
        {"client_id": "file-id", "redirect_uri": NATIVE, "profile": profile()},
    )
    result = run_cli(["token"], env=env, cwd=tmp_path / "work")
    assert result.returncode == 3, result.stderr
    assert "No one is signed in" in result.stderr
    assert "CLIENT_ID from ./.env" in result.stderr


def test_a_misspelled_settings_key_is_warned_about(tmp_path: Path) -> None:
    env = folder(
        tmp_path,
        "",
        {"client_id": "file-id", "redirect_uri": NATIVE, "profle": "x", "profile": profile()},
    )
    result = run_cli(["status"], env=env, cwd=tmp_path / "work")
    assert "Ignored 'profle' in the settings file" in result.stderr
    assert "Did you mean 'profile'?" in result.stderr


def test_the_python_api_warns_about_ignored_dotenv_keys_too(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = folder(
        tmp_path,
        "FRAMEIO_TOKEN_URL=https://evil.test/token\n",
        {"client_id": "file-id", "redirect_uri": NATIVE, "profile": profile()},
    )
    code = "from frameio_desktop.api import open_session; print(open_session().settings.token_url)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path / "work",
        env={**__import__("os").environ, **env},
    )
    assert result.returncode == 0, result.stderr
    assert "evil.test" not in result.stdout
    assert "Ignored FRAMEIO_TOKEN_URL in ./.env" in result.stderr
