from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from frameio_desktop.core.configure import (
    FIELDS,
    Level,
    SetupState,
    SetupValues,
    SignInIdentity,
    can_save,
    check_all,
    check_field,
    current_setup,
    save_setup,
    settings_after_save,
)
from frameio_desktop.core.errors import ConfigError, KeyringReadBackError
from frameio_desktop.core.settings import load_settings, read_settings_file
from frameio_desktop.core.store import ClientSecretStore, KeyringTokenStore
from tests.helpers.fakes import DroppingKeyring, MemoryKeyring

BEFORE_SUNSET = date(2026, 11, 28)
NATIVE = "adobe+1f2e3d://adobeid/abc123"


def state_for(tmp_path: Path, file: dict[str, str] | None = None, **kwargs: object) -> SetupState:
    settings_path = tmp_path / "settings.json"
    if file is not None:
        settings_path.write_text(json.dumps(file))
    return current_setup(
        kwargs.get("flags", {}),  # type: ignore[arg-type]
        environ=kwargs.get("environ", {}),  # type: ignore[arg-type]
        dotenv_path=tmp_path / ".env",
        settings_path=settings_path,
    )


def values(web_app: bool = False, /, **fields: str) -> SetupValues:
    base = {"provider": "frameio-v4", "client_id": "abc123", "redirect_uri": NATIVE}
    base.update(fields)
    return SetupValues(base, web_app=web_app)


def check(name: str, v: SetupValues, state: SetupState | None = None):
    empty = state or SetupState(fields={}, web_app=False)
    return check_field(name, v, empty, BEFORE_SUNSET)


# -- validation, field by field ----------------------------------------------------------


def test_a_complete_v4_native_setup_is_all_ok() -> None:
    checks = check_all(values(), SetupState(fields={}, web_app=False), BEFORE_SUNSET)
    assert set(checks) == set(FIELDS)
    assert {c.level for c in checks.values()} == {Level.OK}
    assert can_save(checks)


def test_provider_v2_warns_with_the_retirement_notice_and_unknown_is_an_error() -> None:
    v2 = check("provider", values(provider="frameio-v2"))
    assert v2.level is Level.WARNING
    assert "2026-12-01" in v2.message
    assert "switch to Frame.io V4 (Adobe IMS)" in v2.message  # the form's words, not a flag
    assert "--provider" not in v2.message
    assert check("provider", values(provider="dropbox")).level is Level.ERROR
    assert check("provider", values(provider="oidc")).level is Level.OK


def test_client_id_is_required_and_has_no_spaces() -> None:
    assert check("client_id", values(client_id="")).level is Level.ERROR
    assert check("client_id", values(client_id="ab c")).level is Level.ERROR
    assert check("client_id", values(client_id="  abc123 ")).level is Level.OK


@pytest.mark.parametrize(
    ("uri", "level"),
    [
        ("", Level.ERROR),
        ("not a url", Level.ERROR),
        ("javascript://adobeid/alert(1)", Level.ERROR),
        ("data://x/y", Level.ERROR),
        ("file:///etc/passwd", Level.ERROR),
        ("http://app.example.test/cb", Level.ERROR),  # http off loopback
        ("https://app.example.test/cb#frag", Level.ERROR),
        ("http://127.0.0.1:8765/cb", Level.ERROR),  # IMS never accepts http://
        ("https://app.example.test/cb", Level.WARNING),  # SPA / Web App credential
        ("myapp://callback", Level.WARNING),
        ("adobe+zz://adobeid/abc123", Level.WARNING),  # not a hex hash
        ("adobe+1f2e3d://elsewhere/abc123", Level.WARNING),
        ("adobe+1f2e3d://adobeid/other-client", Level.WARNING),
        (NATIVE, Level.OK),
        ("ADOBE+1F2E3D://adobeid/abc123", Level.OK),
    ],
)
def test_v4_redirect(uri: str, level: Level) -> None:
    result = check("redirect_uri", values(redirect_uri=uri))
    assert result.level is level, result.message
    assert (result.message == "") is (level is Level.OK)


def test_redirect_messages_say_why() -> None:
    assert "loopback" in check("redirect_uri", values(redirect_uri="http://x.test/cb")).message
    assert "javascript:" in check("redirect_uri", values(redirect_uri="javascript:x")).message
    warning = check("redirect_uri", values(redirect_uri="https://app.example.test/cb"))
    assert "adobe+<hash>://adobeid/<client id>" in warning.message


def test_v4_http_redirect_is_an_error_that_says_what_ims_takes() -> None:
    result = check("redirect_uri", values(redirect_uri="http://127.0.0.1:8765/cb"))
    assert result.level is Level.ERROR
    assert "adobe+<hash>://adobeid/abc123" in result.message
    assert "https://" in result.message
    assert "Adobe Developer Console" in result.message
    assert "--" not in result.message
    assert "FRAMEIO_" not in result.message


def test_v4_http_loopback_redirect_is_allowed_with_an_authorize_override() -> None:
    v = values(
        redirect_uri="http://127.0.0.1:8765/cb",
        authorize_url="http://127.0.0.1:5000/ims/authorize/v2",
    )
    assert check("redirect_uri", v).level is Level.WARNING  # not Adobe's native shape


def test_other_providers_take_any_allowed_redirect_without_warning() -> None:
    for provider in ("frameio-v2", "oidc"):
        v = values(provider=provider, redirect_uri="https://app.example.test/cb")
        assert check("redirect_uri", v).level is Level.OK
        v = values(provider=provider, redirect_uri="http://example.test/cb")
        assert check("redirect_uri", v).level is Level.ERROR


@pytest.mark.parametrize("name", ["authorize_url", "token_url", "account_url", "revoke_url"])
def test_endpoint_overrides_are_https_or_loopback(name: str) -> None:
    assert check(name, values(**{name: ""})).level is Level.OK  # the preset applies
    assert check(name, values(**{name: "https://auth.example.test/x"})).level is Level.OK
    assert check(name, values(**{name: "http://localhost:9000/x"})).level is Level.OK
    bad = check(name, values(**{name: "http://auth.example.test/x"}))
    assert bad.level is Level.ERROR
    assert "https://" in bad.message
    assert check(name, values(**{name: "auth.example.test"})).level is Level.ERROR


def test_oidc_needs_an_issuer_unless_both_endpoints_are_given() -> None:
    assert check("issuer", values(provider="oidc")).level is Level.ERROR
    ok = values(provider="oidc", issuer="https://id.example.test")
    assert check("issuer", ok).level is Level.OK
    both = values(
        provider="oidc",
        authorize_url="https://id.example.test/auth",
        token_url="https://id.example.test/token",
    )
    assert check("issuer", both).level is Level.OK
    assert check("issuer", values(issuer="http://id.example.test")).level is Level.ERROR
    assert check("issuer", values()).level is Level.OK  # V4's issuer is the preset's


def test_scopes_and_profile() -> None:
    assert check("scopes", values(scopes="")).level is Level.OK
    assert check("scopes", values(scopes="openid email")).level is Level.OK
    assert check("scopes", values(scopes='openid "email"')).level is Level.ERROR
    assert check("profile", values(profile="")).level is Level.OK
    assert check("profile", values(profile="work-2.b_c")).level is Level.OK
    assert check("profile", values(profile="a:b")).level is Level.ERROR
    assert check("profile", values(profile="x" * 65)).level is Level.ERROR


def test_client_secret_needed_only_for_a_web_app_credential() -> None:
    assert check("client_secret", values()).level is Level.OK
    assert check("client_secret", values(True)).level is Level.ERROR
    assert check("client_secret", values(True, client_secret="s")).level is Level.OK


def test_a_saved_secret_counts_only_for_its_own_credential(tmp_path: Path) -> None:
    state = state_for(
        tmp_path,
        {"provider": "frameio-v4", "client_id": "abc123", "client_secret_in_keyring": "true"},
    )
    assert state.web_app
    assert state.secret_saved_for == ("frameio-v4", "abc123")
    assert check("client_secret", values(True), state).level is Level.OK
    other = values(True, client_id="another")
    assert check("client_secret", other, state).level is Level.ERROR


def test_an_error_anywhere_disables_saving() -> None:
    checks = check_all(values(client_id=""), SetupState(fields={}, web_app=False), BEFORE_SUNSET)
    assert not can_save(checks)
    warn_only = check_all(
        values(provider="frameio-v2", redirect_uri="https://a.test/cb"),
        SetupState(fields={}, web_app=False),
        BEFORE_SUNSET,
    )
    assert can_save(warn_only)


# -- where each value comes from ---------------------------------------------------------


def test_empty_configuration_opens_on_v4_defaults(tmp_path: Path) -> None:
    state = state_for(tmp_path)
    assert state.fields["provider"].value == "frameio-v4"
    assert state.fields["provider"].source == "default"
    assert state.fields["client_id"].value == ""
    assert not any(f.read_only for f in state.fields.values())
    assert not state.web_app
    assert state.file_problem is None


def test_sources_and_read_only_fields(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FRAMEIO_PROFILE=env-profile\nCLIENT_SECRET=shh\n")
    state = state_for(
        tmp_path,
        {"client_id": "file-id", "profile": "work"},
        flags={"redirect_uri": NATIVE},
        environ={"FRAMEIO_SCOPES": "openid"},
    )
    f = state.fields
    assert (f["redirect_uri"].value, f["redirect_uri"].source) == (NATIVE, "flag")
    assert (f["profile"].value, f["profile"].source) == ("env-profile", ".env")
    assert (f["scopes"].value, f["scopes"].source) == ("openid", "environment")
    assert (f["client_id"].value, f["client_id"].source) == ("file-id", "settings file")
    assert [n for n in FIELDS if f[n].read_only] == [
        "redirect_uri",
        "client_secret",
        "profile",
        "scopes",
    ]
    # A secret set outside the app: the form knows it is there, never its value.
    assert f["client_secret"].value == ""
    assert f["client_secret"].source == ".env"
    assert state.web_app


def test_broken_file_still_opens_the_form(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{oops")
    state = current_setup(
        {},
        environ={"FRAMEIO_CLIENT_ID": "x"},
        dotenv_path=tmp_path / ".env",
        settings_path=tmp_path / "settings.json",
    )
    assert state.file_problem is not None
    assert "settings file" in state.file_problem
    assert state.fields["client_id"].value == "x"


# -- saving ---------------------------------------------------------------------------------


def secret_store() -> tuple[ClientSecretStore, MemoryKeyring]:
    backend = MemoryKeyring()
    return ClientSecretStore(KeyringTokenStore(backend)), backend


def test_save_writes_the_file_and_the_secret_goes_to_the_keyring(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    store, backend = secret_store()
    v = values(
        True,
        redirect_uri="https://app.example.test/cb",
        client_secret="very-secret-value",
        profile="work",
    )
    save_setup(v, state_for(tmp_path), path=path, secrets=store, today=BEFORE_SUNSET)

    text = path.read_text()
    assert "very-secret-value" not in text
    assert json.loads(text) == {
        "provider": "frameio-v4",
        "client_id": "abc123",
        "redirect_uri": "https://app.example.test/cb",
        "profile": "work",
        "client_secret_in_keyring": "true",
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert backend.entries == {
        ("frameio-desktop", "client-secret:frameio-v4:abc123"): "very-secret-value"
    }
    # A launch now finds the secret in the keyring.
    settings = load_settings(
        {},
        environ={},
        dotenv_path=tmp_path / ".env",
        settings_path=path,
        secret_lookup=store.load,
    )
    assert settings.client_secret == "very-secret-value"
    assert settings.redirect_uri == "https://app.example.test/cb"


def test_save_leaves_overridden_values_to_their_source(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    state = state_for(
        tmp_path, {"profile": "from-file"}, environ={"FRAMEIO_PROFILE": "env-profile"}
    )
    store, _ = secret_store()
    save_setup(values(profile="typed-anyway"), state, path=path, secrets=store, today=BEFORE_SUNSET)
    assert read_settings_file(path)["profile"] == "from-file"


def test_cleared_fields_are_removed_so_the_preset_applies(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    store, _ = secret_store()
    state = state_for(tmp_path, {"token_url": "https://auth.example.test/token"})
    save_setup(values(token_url=""), state, path=path, secrets=store, today=BEFORE_SUNSET)
    assert "token_url" not in read_settings_file(path)


def test_unticking_web_app_removes_the_secret(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    store, backend = secret_store()
    v = values(True, client_secret="s1")
    save_setup(v, state_for(tmp_path), path=path, secrets=store, today=BEFORE_SUNSET)
    assert backend.entries
    state = state_for(tmp_path, read_settings_file(path))  # type: ignore[arg-type]
    save_setup(values(), state, path=path, secrets=store, today=BEFORE_SUNSET)
    assert backend.entries == {}
    assert "client_secret_in_keyring" not in read_settings_file(path)


def test_keeping_a_saved_secret_needs_no_retyping(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    store, backend = secret_store()
    save_setup(
        values(True, client_secret="s1"),
        state_for(tmp_path),
        path=path,
        secrets=store,
        today=BEFORE_SUNSET,
    )
    state = state_for(tmp_path, read_settings_file(path))  # type: ignore[arg-type]
    save_setup(values(True, profile="p2"), state, path=path, secrets=store, today=BEFORE_SUNSET)
    assert store.load("frameio-v4", "abc123") == "s1"
    # Moving the secret to a new client ID writes it there and drops the old entry.
    state = state_for(tmp_path, read_settings_file(path))  # type: ignore[arg-type]
    save_setup(
        values(
            True,
            client_id="new-id",
            redirect_uri="adobe+1f://adobeid/new-id",
            client_secret="s2",
        ),
        state,
        path=path,
        secrets=store,
        today=BEFORE_SUNSET,
    )
    assert list(backend.entries.values()) == ["s2"]
    assert store.load("frameio-v4", "new-id") == "s2"


def test_a_keyring_that_drops_the_secret_stops_the_save(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    store = ClientSecretStore(KeyringTokenStore(DroppingKeyring()))
    with pytest.raises(KeyringReadBackError):
        save_setup(
            values(True, client_secret="s"),
            state_for(tmp_path),
            path=path,
            secrets=store,
            today=BEFORE_SUNSET,
        )
    assert not path.exists()  # the file never claims a secret the keyring lost


def test_invalid_values_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    store, _ = secret_store()
    with pytest.raises(ConfigError) as err:
        save_setup(
            values(redirect_uri="http://evil.test/cb"),
            state_for(tmp_path),
            path=path,
            secrets=store,
            today=BEFORE_SUNSET,
        )
    assert err.value.setting == "FRAMEIO_REDIRECT_URI"
    assert not path.exists()


# -- the sign-in configuration's identity ---------------------------------------------------


def test_identity_changes_name_what_differs(tmp_path: Path) -> None:
    state = state_for(tmp_path)
    before = settings_after_save(values(), state, environ={}, dotenv_path=tmp_path / ".env")
    same = settings_after_save(
        values(profile="other", scopes="openid"),
        state,
        environ={},
        dotenv_path=tmp_path / ".env",
    )
    assert SignInIdentity.of(before).changes(SignInIdentity.of(same)) == ()
    moved = settings_after_save(
        values(provider="frameio-v2", redirect_uri="https://a.test/cb"),
        state,
        environ={},
        dotenv_path=tmp_path / ".env",
    )
    changed = SignInIdentity.of(before).changes(SignInIdentity.of(moved))
    assert changed[0] == "provider"
    assert "token_url" in changed
    other_id = replace(before, client_id="zzz")
    assert SignInIdentity.of(before).changes(SignInIdentity.of(other_id)) == ("client_id",)


def test_saving_over_an_unreadable_file_keeps_a_copy_of_it(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"client_id": "abc", oops')
    state = current_setup({}, environ={}, dotenv_path=tmp_path / ".env", settings_path=path)
    assert state.file_problem is not None
    assert "keeps a copy" in state.file_problem
    store, _ = secret_store()
    save_setup(values(), state, path=path, secrets=store, today=BEFORE_SUNSET)
    assert read_settings_file(path)["client_id"] == "abc123"
    (aside,) = tmp_path.glob("settings.json.unreadable-*")
    assert aside.read_text() == '{"client_id": "abc", oops'


def test_an_unwritable_folder_is_a_settings_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    store, _ = secret_store()
    with pytest.raises(ConfigError, match="cannot be written"):
        save_setup(
            values(),
            SetupState(fields={}, web_app=False),
            path=blocker / "settings.json",
            secrets=store,
            today=BEFORE_SUNSET,
        )
