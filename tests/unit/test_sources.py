"""What a `.env` may set (issue 19: a working folder's `.env` never decides where a
sign-in or a token goes), and where each setting came from (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.settings import dotenv_environ, load_settings, save_settings_file

NATIVE = "adobe+1f2e://adobeid/file-id"
HOSTILE = {
    "FRAMEIO_PROVIDER": "oidc",
    "FRAMEIO_ISSUER": "https://evil.test",
    "FRAMEIO_AUTHORIZE_URL": "https://evil.test/authorize",
    "FRAMEIO_TOKEN_URL": "https://evil.test/token",
    "FRAMEIO_ACCOUNT_URL": "https://evil.test/v4/me",
    "FRAMEIO_REVOKE_URL": "https://evil.test/revoke",
    "FRAMEIO_REDIRECT_URI": "https://evil.test/cb",
    "FRAMEIO_SCOPES": "openid everything",
}


def write(tmp_path: Path, dotenv: dict[str, str], file: dict[str, str] | None = None) -> None:
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in dotenv.items()))
    (tmp_path / "settings.json").write_text(json.dumps(file or {}))


def load(tmp_path: Path, environ: dict[str, str] | None = None, flags=None):
    return load_settings(
        flags or {},
        environ=environ or {},
        dotenv_path=tmp_path / ".env",
        settings_path=tmp_path / "settings.json",
    )


def test_dotenv_cannot_move_the_sign_in_or_the_tokens(tmp_path: Path) -> None:
    write(tmp_path, {**HOSTILE, "CLIENT_ID": "doc-id"}, {"redirect_uri": NATIVE})
    s = load(tmp_path)
    assert s.provider == "frameio-v4"
    assert s.client_id == "doc-id"  # a .env may set the client ID
    assert s.redirect_uri == NATIVE
    assert s.authorize_url == "https://ims-na1.adobelogin.com/ims/authorize/v2"
    assert s.token_url == "https://ims-na1.adobelogin.com/ims/token/v3"
    assert "evil.test" not in repr(s)
    assert s.ignored_dotenv_keys == tuple(HOSTILE)


def test_the_warning_names_the_file_the_keys_and_where_to_put_them(tmp_path: Path) -> None:
    write(tmp_path, {"FRAMEIO_TOKEN_URL": "https://evil.test/t", "FRAMEIO_SIGN_IN_WINDOW": "x"})
    s = load(tmp_path, flags={"client_id": "c", "redirect_uri": NATIVE})
    (warning,) = s.warnings
    assert str(tmp_path / ".env") in warning
    assert "FRAMEIO_TOKEN_URL, FRAMEIO_SIGN_IN_WINDOW" in warning
    assert f"the settings file ({tmp_path / 'settings.json'})" in warning
    assert "--token-url" in warning
    assert "FRAMEIO_SIGN_IN_WINDOW in the environment" in warning


def test_a_missing_setting_the_dotenv_tried_to_set_carries_the_warning(tmp_path: Path) -> None:
    write(tmp_path, {"CLIENT_ID": "c", "FRAMEIO_REDIRECT_URI": NATIVE})
    with pytest.raises(ConfigError) as err:
        load(tmp_path)
    assert err.value.setting == "FRAMEIO_REDIRECT_URI"
    assert any("FRAMEIO_REDIRECT_URI" in w and ".env" in w for w in err.value.warnings)


def test_the_real_environment_still_sets_endpoints(tmp_path: Path) -> None:
    write(tmp_path, {})
    s = load(
        tmp_path,
        environ={"FRAMEIO_TOKEN_URL": "https://id.example.test/token"},
        flags={"client_id": "c", "redirect_uri": NATIVE},
    )
    assert s.token_url == "https://id.example.test/token"
    assert s.origins["token_url"] == "FRAMEIO_TOKEN_URL from the environment"
    assert s.warnings == ()


def test_other_tools_keys_are_left_alone(tmp_path: Path) -> None:
    write(tmp_path, {"DATABASE_URL": "postgres://x", "CLIENT_ID": "c"}, {"redirect_uri": NATIVE})
    s = load(tmp_path)
    assert s.warnings == ()
    assert s.ignored_dotenv_keys == ()


def test_dotenv_sets_the_account_and_the_browser_choice(tmp_path: Path) -> None:
    write(tmp_path, {"FRAMEIO_ACCOUNT_ID": "acc-1", "FRAMEIO_BROWSER": "system"})
    s = load(tmp_path, flags={"client_id": "c", "redirect_uri": NATIVE})
    assert s.account_id == "acc-1"
    assert s.warnings == ()
    merged = dotenv_environ({"FRAMEIO_ACCOUNT_ID": "env"}, tmp_path / ".env")
    assert merged["FRAMEIO_BROWSER"] == "system"
    assert merged["FRAMEIO_ACCOUNT_ID"] == "env"  # the environment wins


def test_dotenv_values_are_taken_as_written_never_expanded_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """python-dotenv expands `${NAME}` from the process's environment by default: a
    folder's `.env` could then copy any secret of the environment (the client secret, a
    cloud key) into a value that `doctor`, `status` and error messages print."""
    monkeypatch.setenv("FRAMEIO_CLIENT_SECRET", "s3cret-from-the-environment")
    monkeypatch.setenv("OTHER_TOOL_TOKEN", "t0ken-of-another-tool")
    write(
        tmp_path,
        {
            "FRAMEIO_PROFILE": "${FRAMEIO_CLIENT_SECRET}",
            "CLIENT_ID": "id-$OTHER_TOOL_TOKEN-${OTHER_TOOL_TOKEN}",
            "FRAMEIO_ACCOUNT_ID": "${OTHER_TOOL_TOKEN}",
        },
        {"redirect_uri": NATIVE},
    )
    settings = load(tmp_path)
    assert settings.profile == "${FRAMEIO_CLIENT_SECRET}"
    assert settings.client_id == "id-$OTHER_TOOL_TOKEN-${OTHER_TOOL_TOKEN}"
    assert settings.account_id == "${OTHER_TOOL_TOKEN}"
    shown = repr(settings) + settings.origins_note()
    assert "s3cret" not in shown
    assert "t0ken" not in shown


def test_a_bad_value_names_its_origin(tmp_path: Path) -> None:
    write(tmp_path, {}, {"client_id": "c", "redirect_uri": NATIVE})
    with pytest.raises(ConfigError) as err:
        load(tmp_path, environ={"FRAMEIO_TOKEN_URL": "http://id.example.test/t"})
    assert "(FRAMEIO_TOKEN_URL from the environment)" in err.value.user_message


def test_unknown_settings_file_key_is_warned_about_and_kept(tmp_path: Path) -> None:
    write(tmp_path, {}, {"client-id": "typo", "client_id": "c", "redirect_uri": NATIVE})
    s = load(tmp_path)
    (warning,) = s.warnings
    assert "'client-id'" in warning
    assert "Did you mean 'client_id'?" in warning
    assert str(tmp_path / "settings.json") in warning
    save_settings_file({"profile": "work"}, tmp_path / "settings.json")
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["client-id"] == "typo"  # not lost before the person fixes it


def test_a_secret_in_the_settings_file_is_warned_about(tmp_path: Path) -> None:
    write(tmp_path, {}, {"client_secret": "shh", "client_id": "c", "redirect_uri": NATIVE})
    s = load(tmp_path)
    assert s.client_secret is None
    (warning,) = s.warnings
    assert "'client_secret'" in warning
    assert "keyring" in warning
    assert "shh" not in warning


def test_no_repr_shows_the_client_secret(tmp_path: Path) -> None:
    """Settings hides its secret from repr(); so does everything else that carries it on
    its way there (a traceback's locals, a debugging print)."""
    from frameio_desktop.core.configure import SetupValues
    from frameio_desktop.core.doctor_check import DoctorContext
    from frameio_desktop.core.sources import resolve

    write(tmp_path, {"CLIENT_SECRET": "s3cret-from-dotenv"}, {"redirect_uri": NATIVE})
    found = resolve(
        {"client_id": "x"},
        environ={},
        dotenv_path=tmp_path / ".env",
        settings_path=tmp_path / "settings.json",
    )
    assert found.values["client_secret"] == "s3cret-from-dotenv"
    shown = [
        repr(found),
        repr(DoctorContext(values=found.values)),
        repr(SetupValues({"client_id": "x", "client_secret": "s3cret-from-dotenv"})),
        repr(load(tmp_path, flags={"client_id": "x"})),
    ]
    for text in shown:
        assert "s3cret" not in text, text


def test_a_dotenv_cannot_write_terminal_controls_into_what_the_app_prints(
    tmp_path: Path,
) -> None:
    """A key named `FRAMEIO_TOKEN_URL<ESC>[8m` would hide the very warning that says it was
    ignored (the terminal conceals what follows); a value with controls would do the same
    wherever the app prints it (doctor's settings line)."""
    from frameio_desktop.core.doctor_settings import settings_summary
    from frameio_desktop.core.sources import resolve

    conceal = "\x1b[8m"
    (tmp_path / ".env").write_text(
        f"FRAMEIO_TOKEN_URL{conceal}=https://evil.test/token\nCLIENT_ID=abc{conceal}\n"
    )
    (tmp_path / "settings.json").write_text(json.dumps({"redirect_uri": NATIVE}))
    found = resolve(
        {}, environ={}, dotenv_path=tmp_path / ".env", settings_path=tmp_path / "settings.json"
    )
    shown = [
        *found.warnings,
        *found.ignored_dotenv_keys,
        settings_summary(found.values, found.origins),
    ]
    for text in shown:
        assert "\x1b" not in text, text
    assert any("FRAMEIO_TOKEN_URL\\x1b[8m" in text for text in found.warnings)
    with pytest.raises(ConfigError) as err:
        load(tmp_path)
    assert err.value.setting == "FRAMEIO_CLIENT_ID"
    assert "control character" in err.value.user_message
    assert "\x1b" not in err.value.user_message
    (tmp_path / ".env").write_text(f"CLIENT_ID=abc\nFRAMEIO_ACCOUNT_ID=acc{conceal}\n")
    with pytest.raises(ConfigError) as err:
        load(tmp_path)
    assert err.value.setting == "FRAMEIO_ACCOUNT_ID"
