from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.settings import (
    load_settings,
    read_settings_file,
    resolve_values,
    save_settings_file,
)

REDIRECT = "https://app.example.test/cb"


def load(tmp_path: Path, flags=None, environ=None, dotenv: str | None = None, file=None):
    dotenv_path = tmp_path / ".env"
    if dotenv is not None:
        dotenv_path.write_text(dotenv)
    settings_path = tmp_path / "settings.json"
    if file is not None:
        settings_path.write_text(json.dumps(file))
    return load_settings(
        flags or {}, environ=environ or {}, dotenv_path=dotenv_path, settings_path=settings_path
    )


def test_default_is_frameio_v4(tmp_path: Path) -> None:
    s = load(tmp_path, {"client_id": "abc", "redirect_uri": "adobe+1f2e://adobeid/abc"})
    assert s.provider == "frameio-v4"
    assert s.store_key == "frameio-v4:abc:default"


def test_frameio_v2_preset_keeps_documented_endpoints(tmp_path: Path) -> None:
    s = load(tmp_path, {"provider": "frameio-v2", "client_id": "abc", "redirect_uri": REDIRECT})
    assert s.provider == "frameio-v2"
    assert s.authorize_url == "https://applications.frame.io/oauth2/auth"
    assert s.token_url == "https://applications.frame.io/oauth2/token"
    assert s.account_url == "https://api.frame.io/v2/me"
    assert s.scope == "offline account.read asset.read"
    assert s.access_token_lifetime.total_seconds() == 3600
    assert s.profile == "default"
    assert s.store_key == "frameio-v2:abc:default"


def test_frameio_v4_uses_adobe_ims(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        {"provider": "frameio-v4", "client_id": "abc", "redirect_uri": "adobe+1f2e://adobeid/abc"},
    )
    assert s.authorize_url == "https://ims-na1.adobelogin.com/ims/authorize/v2"
    assert s.token_url == "https://ims-na1.adobelogin.com/ims/token/v3"
    assert s.revoke_url == "https://ims-na1.adobelogin.com/ims/revoke"
    assert s.account_url == "https://api.frame.io/v4/me"
    assert s.issuer == "https://ims-na1.adobelogin.com"
    assert s.scopes == ("openid", "email", "profile", "offline_access", "additional_info.roles")
    assert s.access_token_lifetime.total_seconds() == 24 * 3600


def test_precedence_flag_env_dotenv_file(tmp_path: Path) -> None:
    file = {"client_id": "from-file", "profile": "p-file", "scopes": "a", "redirect_uri": REDIRECT}
    dotenv = "FRAMEIO_CLIENT_ID=from-dotenv\nFRAMEIO_PROFILE=p-dotenv\nCLIENT_SECRET=s\n"
    environ = {"FRAMEIO_CLIENT_ID": "from-env", "FRAMEIO_SCOPES": "b"}
    flags = {"client_id": "from-flag"}
    s = load(tmp_path, flags, environ, dotenv, file)
    assert s.client_id == "from-flag"
    assert s.profile == "p-dotenv"
    assert s.scopes == ("b",)
    assert s.redirect_uri == REDIRECT
    assert s.sources["client_id"] == "flag"
    assert s.sources["scopes"] == "environment"
    assert s.sources["profile"] == ".env"
    assert s.sources["redirect_uri"] == "settings file"
    assert s.origins["client_id"] == "--client-id flag"
    assert s.origins["scopes"] == "FRAMEIO_SCOPES from the environment"
    assert s.origins["profile"] == f"FRAMEIO_PROFILE from {tmp_path / '.env'}"
    assert s.origins["client_secret"] == f"CLIENT_SECRET from {tmp_path / '.env'}"
    assert s.origins["redirect_uri"] == "the settings file"


def test_document_style_env_names(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        dotenv="CLIENT_ID=doc-id\nCLIENT_SECRET=doc-secret\n",
        file={"redirect_uri": REDIRECT},
    )
    assert (s.client_id, s.client_secret) == ("doc-id", "doc-secret")
    assert "doc-secret" not in repr(s)


def test_frameio_prefixed_name_beats_alias_in_same_layer(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        environ={
            "CLIENT_ID": "alias",
            "FRAMEIO_CLIENT_ID": "main",
            "FRAMEIO_REDIRECT_URI": REDIRECT,
        },
    )
    assert s.client_id == "main"


def test_missing_client_id_names_setting_and_how_to_set_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, {"redirect_uri": REDIRECT})
    assert err.value.setting == "FRAMEIO_CLIENT_ID"
    assert "--client-id" in err.value.user_message
    assert ".env" in err.value.user_message


def test_missing_redirect_uri(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, {"client_id": "x"})
    assert err.value.setting == "FRAMEIO_REDIRECT_URI"
    assert "--redirect-uri" in err.value.user_message


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("token_url", "http://auth.example.test/token"),
        ("authorize_url", "ftp://auth.example.test/auth"),
        ("account_url", "not a url"),
        ("revoke_url", "https://user:pw@auth.example.test/revoke"),
        ("token_url", "https://auth.example.test/token#frag"),
    ],
)
def test_bad_endpoints_are_named(tmp_path: Path, setting: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, {"client_id": "x", "redirect_uri": REDIRECT, setting: value})
    assert err.value.setting == "FRAMEIO_" + setting.upper()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:5000/token", "http://localhost/token", "http://[::1]:8080/t"]
)
def test_http_allowed_on_loopback(tmp_path: Path, url: str) -> None:
    s = load(tmp_path, {"client_id": "x", "redirect_uri": REDIRECT, "token_url": url})
    assert s.token_url == url


@pytest.mark.parametrize(
    "uri",
    [
        "adobe+1f2e3d://adobeid/abc",
        "com.example.app:/oauth2redirect",
        "https://app.example.test/callback?tenant=1",
    ],
)
def test_good_redirect_uris(tmp_path: Path, uri: str) -> None:
    assert load(tmp_path, {"client_id": "x", "redirect_uri": uri}).redirect_uri == uri


LOOPBACK_REDIRECT = "http://127.0.0.1:43123/callback"


@pytest.mark.parametrize("redirect", [LOOPBACK_REDIRECT, "http://localhost/cb"])
def test_ims_refuses_an_http_redirect_and_says_what_it_takes(tmp_path: Path, redirect: str) -> None:
    """Adobe IMS never accepts an http:// redirect, loopback included: with the V4 preset
    on Adobe's own endpoints the settings are refused before anything opens."""
    with pytest.raises(ConfigError) as err:
        load(tmp_path, {"client_id": "abc123", "redirect_uri": redirect})
    message = err.value.user_message
    assert err.value.setting == "FRAMEIO_REDIRECT_URI"
    assert err.value.exit_code == 2
    assert "adobe+<hash>://adobeid/abc123" in message
    assert "https://" in message
    assert "Adobe Developer Console" in message
    assert "--redirect-uri" in message  # the command line's remedy


def test_ims_refuses_http_on_an_explicit_adobe_authorize_url(tmp_path: Path) -> None:
    flags = {
        "provider": "oidc",
        "client_id": "x",
        "redirect_uri": LOOPBACK_REDIRECT,
        "authorize_url": "https://ims-eu1.adobelogin.com/ims/authorize/v2",
        "token_url": "https://ims-eu1.adobelogin.com/ims/token/v3",
    }
    with pytest.raises(ConfigError, match="never accepts an http:// redirect"):
        load(tmp_path, flags)


def test_http_loopback_redirect_stays_allowed_with_endpoint_overrides(tmp_path: Path) -> None:
    """A test server or proxy in IMS's place: http:// loopback is allowed as before."""
    flags = {
        "client_id": "x",
        "redirect_uri": LOOPBACK_REDIRECT,
        "authorize_url": "http://127.0.0.1:5000/ims/authorize/v2",
        "token_url": "http://127.0.0.1:5000/ims/token/v3",
    }
    assert load(tmp_path, flags).redirect_uri == LOOPBACK_REDIRECT
    for provider in ("frameio-v2", "oidc"):
        other = {"provider": provider, "client_id": "x", "redirect_uri": LOOPBACK_REDIRECT}
        if provider == "oidc":
            other["issuer"] = "https://id.example.test"
        assert load(tmp_path, other).redirect_uri == LOOPBACK_REDIRECT


@pytest.mark.parametrize(
    "uri",
    [
        "http://app.example.test/callback",
        "javascript:alert(1)",
        "https://app.example.test/callback#frag",
        "callback",
        "data:text/html,hi",
    ],
)
def test_bad_redirect_uris(tmp_path: Path, uri: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, {"client_id": "x", "redirect_uri": uri})
    assert err.value.setting == "FRAMEIO_REDIRECT_URI"


@pytest.mark.parametrize(
    "uri",
    [
        # Python reads the host as 127.0.0.1; Chromium reads `\\` as `/`: evil.test, plain http.
        "http://evil.test\\@127.0.0.1:8765/callback",
        "http://user:pw@127.0.0.1:8765/callback",
        "https://evil.test\\@app.example.test/callback",
        "adobe+1f2e3d://user@adobeid/abc",
    ],
)
def test_a_redirect_uri_with_a_user_name_or_a_backslash_is_refused(
    tmp_path: Path, uri: str
) -> None:
    """The http-only-on-loopback rule reads the host with `urlsplit`; a browser reads
    `http://evil.test\\@127.0.0.1/` as evil.test. With endpoint overrides (IMS's rule off)
    such a redirect would send the code over plain http to another host."""
    flags = {
        "client_id": "x",
        "redirect_uri": uri,
        "authorize_url": "http://127.0.0.1:5000/authorize",
        "token_url": "http://127.0.0.1:5000/token",
    }
    with pytest.raises(ConfigError) as err:
        load(tmp_path, flags)
    assert err.value.setting == "FRAMEIO_REDIRECT_URI"
    assert "user name or a backslash" in err.value.user_message


def test_unknown_provider(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="frameio-v4"):
        load(tmp_path, {"provider": "dropbox", "client_id": "x", "redirect_uri": REDIRECT})


def test_oidc_needs_issuer(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, {"provider": "oidc", "client_id": "x", "redirect_uri": REDIRECT})
    assert err.value.setting == "FRAMEIO_ISSUER"
    s = load(
        tmp_path,
        {
            "provider": "oidc",
            "client_id": "x",
            "redirect_uri": REDIRECT,
            "issuer": "https://id.example.test",
        },
    )
    assert s.needs_discovery
    assert s.token_url is None


def test_secret_never_written_to_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings_file({"client_id": "abc", "profile": "work"}, path)
    with pytest.raises(ConfigError):
        save_settings_file({"client_secret": "s3cret"}, path)
    assert "s3cret" not in path.read_text()
    assert read_settings_file(path) == {"client_id": "abc", "profile": "work"}


def test_secret_in_settings_file_is_ignored(tmp_path: Path) -> None:
    s = load(tmp_path, file={"client_id": "a", "client_secret": "s", "redirect_uri": REDIRECT})
    assert s.client_secret is None


def test_broken_settings_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{not json")
    with pytest.raises(ConfigError, match="settings file"):
        load_settings(
            {}, environ={}, dotenv_path=tmp_path / ".env", settings_path=tmp_path / "settings.json"
        )


def test_save_creates_private_file_and_folder(tmp_path: Path) -> None:
    path = tmp_path / "config" / "frameio-desktop" / "settings.json"
    save_settings_file({"client_id": "abc"}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # No temporary file or lock content is left beside it but the (empty) lock file.
    assert sorted(p.name for p in path.parent.iterdir()) == [".settings.json.lock", path.name]


def test_save_closes_an_open_folder_and_keeps_the_file_private(tmp_path: Path) -> None:
    folder = tmp_path / "frameio-desktop"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    path = folder / "settings.json"
    path.write_text("{}")
    path.chmod(0o644)
    save_settings_file({"client_id": "abc"}, path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_replaces_by_rename_never_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.json"
    save_settings_file({"client_id": "old"}, path)
    inode = path.stat().st_ino

    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", fail)
    with pytest.raises(ConfigError, match="disk full"):
        save_settings_file({"client_id": "new"}, path)
    # The old file is intact and no temporary file is left behind.
    assert read_settings_file(path) == {"client_id": "old"}
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    monkeypatch.undo()
    save_settings_file({"client_id": "new"}, path)
    assert path.stat().st_ino != inode
    assert read_settings_file(path) == {"client_id": "new"}


def test_save_merges_and_none_removes(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings_file({"client_id": "abc", "scopes": "a b"}, path)
    save_settings_file({"profile": "work", "scopes": None}, path)
    assert read_settings_file(path) == {"client_id": "abc", "profile": "work"}


def test_unknown_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a setting"):
        save_settings_file({"client_idd": "abc"}, tmp_path / "settings.json")


def test_client_secret_comes_from_the_keyring_when_the_file_says_so(tmp_path: Path) -> None:
    asked: list[tuple[str, str]] = []

    def lookup(provider: str, client_id: str) -> str | None:
        asked.append((provider, client_id))
        return "kept-secret"

    file = {"client_id": "abc", "redirect_uri": REDIRECT, "client_secret_in_keyring": "true"}
    settings_path = tmp_path / "settings.json"
    settings_path.write_text(json.dumps(file))
    s = load_settings(
        {},
        environ={},
        dotenv_path=tmp_path / ".env",
        settings_path=settings_path,
        secret_lookup=lookup,
    )
    assert s.client_secret == "kept-secret"
    assert s.sources["client_secret"] == "keyring"
    assert asked == [("frameio-v4", "abc")]


def test_client_secret_from_environment_wins_and_keyring_is_not_asked(tmp_path: Path) -> None:
    def lookup(provider: str, client_id: str) -> str | None:
        raise AssertionError("the keyring must not be read")

    file = {"client_id": "abc", "redirect_uri": REDIRECT, "client_secret_in_keyring": "true"}
    settings_path = tmp_path / "settings.json"
    settings_path.write_text(json.dumps(file))
    s = load_settings(
        {},
        environ={"FRAMEIO_CLIENT_SECRET": "env-secret"},
        dotenv_path=tmp_path / ".env",
        settings_path=settings_path,
        secret_lookup=lookup,
    )
    assert s.client_secret == "env-secret"


def test_keyring_is_not_asked_for_a_public_client(tmp_path: Path) -> None:
    def lookup(provider: str, client_id: str) -> str | None:
        raise AssertionError("the keyring must not be read")

    settings_path = tmp_path / "settings.json"
    settings_path.write_text(json.dumps({"client_id": "abc", "redirect_uri": REDIRECT}))
    s = load_settings(
        {},
        environ={},
        dotenv_path=tmp_path / ".env",
        settings_path=settings_path,
        secret_lookup=lookup,
    )
    assert s.client_secret is None


def test_missing_keyring_secret_is_a_settings_problem(tmp_path: Path) -> None:
    file = {"client_id": "abc", "redirect_uri": REDIRECT, "client_secret_in_keyring": "true"}
    settings_path = tmp_path / "settings.json"
    settings_path.write_text(json.dumps(file))
    with pytest.raises(ConfigError) as err:
        load_settings(
            {},
            environ={},
            dotenv_path=tmp_path / ".env",
            settings_path=settings_path,
            secret_lookup=lambda provider, client_id: None,
        )
    assert err.value.setting == "FRAMEIO_CLIENT_SECRET"
    assert "keyring" in err.value.user_message


def test_resolve_values_names_each_source(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FRAMEIO_PROFILE=env-profile\n")
    settings_path = tmp_path / "settings.json"
    settings_path.write_text(json.dumps({"client_id": "file-id", "profile": "work"}))
    values, sources = resolve_values(
        {"redirect_uri": REDIRECT},
        environ={"FRAMEIO_SCOPES": "a b"},
        dotenv_path=tmp_path / ".env",
        settings_path=settings_path,
    )
    assert values == {
        "redirect_uri": REDIRECT,
        "profile": "env-profile",
        "scopes": "a b",
        "client_id": "file-id",
    }
    assert sources == {
        "redirect_uri": "flag",
        "profile": ".env",
        "scopes": "environment",
        "client_id": "settings file",
    }
