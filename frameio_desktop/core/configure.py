"""The rules behind the settings form, without Qt: what it opens with, how each field is
checked as a person types, and how it is saved.

The form shows what `load_settings` would use and where each value comes from. A value a
flag, the environment or a `.env` sets wins over the settings file, so the form shows it
read-only; everything else is saved to the settings file, except the client secret, which
goes to the system keyring (`ClientSecretStore`), with only a marker in the file.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.providers import (
    DEFAULT_PROVIDER,
    FRAMEIO_V2,
    FRAMEIO_V4,
    OIDC,
    PRESETS,
    ProviderPreset,
    ims_redirect_rule,
    sunset_notice,
)
from frameio_desktop.core.settings import (
    DEFAULT,
    DOTENV,
    ENDPOINT_SETTINGS,
    ENV_NAMES,
    ENVIRONMENT,
    FLAG,
    KEYRING,
    SECRET_IN_KEYRING,
    Settings,
    endpoint_problem,
    load_settings,
    redirect_uri_problem,
    resolve_values,
    save_settings_file,
)

#: The form's fields, in the order the form shows them.
FIELDS: tuple[str, ...] = (
    "provider",
    "issuer",
    "client_id",
    "redirect_uri",
    "client_secret",
    "profile",
    "scopes",
    *ENDPOINT_SETTINGS,
)
#: The providers the form offers, the default first.
PROVIDER_CHOICES: tuple[ProviderPreset, ...] = (FRAMEIO_V4, FRAMEIO_V2, OIDC)
#: Sources changed outside the app. They win over the settings file, so the form cannot
#: change what they set and shows it read-only.
OVERRIDING_SOURCES = frozenset({FLAG, ENVIRONMENT, DOTENV})

# Adobe Developer Console gives a Native App credential the redirect
# `adobe+<hash>://adobeid/<client id>`; the hash is hexadecimal.
_ADOBE_NATIVE_SCHEME = re.compile(r"adobe\+[0-9a-f]+", re.IGNORECASE)
# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
# The profile is part of the keyring entry's name (`provider:client:profile`).
_PROFILE = re.compile(r"[A-Za-z0-9._-]{1,64}")


class Level(enum.Enum):
    OK = "ok"
    WARNING = "warning"  # shown beside the field; saving is still allowed
    ERROR = "error"  # shown beside the field; Save is disabled


@dataclass(frozen=True)
class Check:
    level: Level
    message: str = ""


OK = Check(Level.OK)


def _error(message: str) -> Check:
    return Check(Level.ERROR, message)


def _warning(message: str) -> Check:
    return Check(Level.WARNING, message)


@dataclass(frozen=True)
class FieldValue:
    """One field as the form opens it."""

    #: The text to show; "" when nothing names it (the provider's preset then applies).
    value: str
    #: Where the value comes from: flag, environment, .env, settings file, keyring, default.
    source: str

    @property
    def read_only(self) -> bool:
        return self.source in OVERRIDING_SOURCES


@dataclass(frozen=True)
class SetupState:
    """What the form opens with. The client secret's value is never in it."""

    fields: Mapping[str, FieldValue]
    #: The credential has a client secret (a Web App credential).
    web_app: bool
    #: (provider, client ID) whose secret the keyring holds, per the settings file.
    secret_saved_for: tuple[str, str] | None = None
    #: Why the settings file could not be read, if it could not.
    file_problem: str | None = None

    def read_only(self, name: str) -> bool:
        value = self.fields.get(name)
        return value is not None and value.read_only


@dataclass(frozen=True)
class SetupValues:
    """What the form holds: each field's text as typed, and the Web App checkbox."""

    fields: Mapping[str, str] = field(repr=False)  # the client secret as typed, too
    web_app: bool = False

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()

    @property
    def provider(self) -> str:
        return self.get("provider") or DEFAULT_PROVIDER


def current_setup(
    flags: Mapping[str, str | None] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
    settings_path: Path | None = None,
) -> SetupState:
    """The form's starting values and their sources. Never raises for a bad value: the
    form is where a person fixes one. An unreadable settings file is reported and the
    form starts from the other sources."""
    problem = None
    try:
        values, sources = resolve_values(
            flags, environ=environ, dotenv_path=dotenv_path, settings_path=settings_path
        )
    except ConfigError as exc:
        problem = f"{exc.user_message} Saving here keeps a copy of it and starts a new one."
        values, sources = resolve_values(
            flags, environ=environ, dotenv_path=dotenv_path, file_values={}
        )
    fields: dict[str, FieldValue] = {}
    for name in FIELDS:
        if name == "client_secret":
            continue
        fields[name] = FieldValue(values.get(name, ""), sources.get(name, DEFAULT))
    if not values.get("provider"):
        fields["provider"] = FieldValue(DEFAULT_PROVIDER, DEFAULT)
    provider = fields["provider"].value
    secret_saved_for = None
    if "client_secret" in values:
        # Set outside the app: the form shows that it is set, never the value.
        fields["client_secret"] = FieldValue("", sources["client_secret"])
    elif values.get(SECRET_IN_KEYRING) == "true" and values.get("client_id"):
        secret_saved_for = (provider, values["client_id"])
        fields["client_secret"] = FieldValue("", KEYRING)
    else:
        fields["client_secret"] = FieldValue("", DEFAULT)
    return SetupState(
        fields=fields,
        web_app=fields["client_secret"].source != DEFAULT,
        secret_saved_for=secret_saved_for,
        file_problem=problem,
    )


def check_field(
    name: str, values: SetupValues, state: SetupState, today: date | None = None
) -> Check:
    """Check one field in the context of the others (a redirect is judged by provider)."""
    value = values.get(name)
    provider = values.provider
    preset = PRESETS.get(provider)
    if name == "provider":
        if preset is None:
            return _error(f"Choose one of: {', '.join(p.title for p in PRESETS.values())}.")
        notice = sunset_notice(provider, today or date.today())
        if notice is None:
            return OK
        successor = PRESETS.get(preset.successor or "")
        if successor is not None:
            # The notice is written for the command line; the form names the choice instead.
            notice = notice.replace(f"--provider {successor.name}", successor.title)
        return _warning(notice)
    if name == "client_id":
        if not value:
            return _error("Enter the client ID (API key) of your credential.")
        if any(c.isspace() for c in value):
            return _error("A client ID has no spaces.")
        return OK
    if name == "redirect_uri":
        return _check_redirect(value, values)
    if name == "client_secret":
        if not values.web_app or state.read_only("client_secret"):
            return OK
        saved = state.secret_saved_for == (provider, values.get("client_id"))
        if not value and not saved:
            return _error("Enter the client secret of this Web App credential.")
        return OK
    if name == "scopes":
        bad = [s for s in value.split() if not _SCOPE_TOKEN.fullmatch(s)]
        if bad:
            return _error(f"{bad[0]!r} is not a valid scope (no quotes or backslashes).")
        return OK
    if name == "profile":
        if value and not _PROFILE.fullmatch(value):
            return _error("Use letters, digits, dots, dashes and underscores (up to 64).")
        return OK
    if name == "issuer":
        if value:
            return _endpoint_check(value)
        discovery = preset is not None and preset.discovery
        if discovery and not (values.get("authorize_url") and values.get("token_url")):
            return _error("OpenID Connect needs the issuer (e.g. https://id.example.com).")
        return OK
    if name in ENDPOINT_SETTINGS:
        return _endpoint_check(value) if value else OK
    raise KeyError(name)


def _endpoint_check(url: str) -> Check:
    problem = endpoint_problem(url)
    return _error(problem) if problem else OK


def _check_redirect(url: str, values: SetupValues) -> Check:
    if not url:
        return _error("Enter the redirect URI registered with your credential.")
    problem = redirect_uri_problem(url)
    if problem:
        return _error(problem)
    preset = PRESETS.get(values.provider)
    authorize_url = values.get("authorize_url") or (preset.authorize_url if preset else None)
    problem = ims_redirect_rule(url, authorize_url, values.get("client_id") or None)
    if problem:
        return _error(problem)
    if values.provider != FRAMEIO_V4.name:
        return OK
    parts = urlsplit(url)
    client_id = values.get("client_id")
    if _ADOBE_NATIVE_SCHEME.fullmatch(parts.scheme):
        if parts.netloc != "adobeid":
            return _warning("An Adobe Native App redirect looks like adobe+<hash>://adobeid/….")
        if client_id and parts.path.strip("/") != client_id:
            return _warning("This redirect names a different client ID than the one above.")
        return OK
    # A Single-Page App or Web App credential has an https redirect; it can work, but the
    # credential the app is meant for is a Native App one, so this is a warning only.
    return _warning(
        "This does not look like an Adobe Native App redirect "
        "(adobe+<hash>://adobeid/<client id>). Use the URI your credential lists."
    )


def check_all(
    values: SetupValues, state: SetupState, today: date | None = None
) -> dict[str, Check]:
    return {name: check_field(name, values, state, today) for name in FIELDS}


def can_save(checks: Mapping[str, Check]) -> bool:
    return all(check.level is not Level.ERROR for check in checks.values())


def file_values(values: SetupValues, state: SetupState) -> dict[str, str | None]:
    """What saving writes to the settings file: every field the form may change (an empty
    one is removed, so the preset applies), never the secret, and the keyring marker."""
    written: dict[str, str | None] = {}
    for name in FIELDS:
        if name == "client_secret" or state.read_only(name):
            continue
        written[name] = values.get(name) or None
    if not state.read_only("provider"):
        written["provider"] = values.provider  # explicit, so a new default changes nothing
    if not state.read_only("client_secret"):
        written[SECRET_IN_KEYRING] = "true" if values.web_app else None
    return written


class SecretStore(Protocol):
    def load(self, provider: str, client_id: str) -> str | None: ...

    def save(self, provider: str, client_id: str, secret: str) -> None: ...

    def clear(self, provider: str, client_id: str) -> None: ...


def save_setup(
    values: SetupValues,
    state: SetupState,
    *,
    path: Path | None = None,
    secrets: SecretStore | None = None,
    today: date | None = None,
) -> Path:
    """Check and save. The secret is written to the keyring before the file says it is
    there; a secret no longer used (the box was unticked, or the credential changed) is
    removed after the file stopped naming it. Raises `ConfigError` for a bad value (the
    form disables Save first) and `StoreError` if the keyring refuses the secret."""
    checks = check_all(values, state, today)
    for name, check in checks.items():
        if check.level is Level.ERROR:
            raise ConfigError(
                ENV_NAMES[name], f"is not valid: {check.message}", hint="Fix it in Settings."
            )
    if secrets is None:
        from frameio_desktop.core.store import ClientSecretStore

        secrets = ClientSecretStore()
    provider, client_id = values.provider, values.get("client_id")
    keep_secret = not state.read_only("client_secret") and values.web_app
    secret = values.get("client_secret") if keep_secret else ""
    if secret:
        secrets.save(provider, client_id, secret)
    # The form opened without the unreadable file's values and said so; saving keeps a
    # copy of that file beside the new one.
    saved = save_settings_file(
        file_values(values, state), path, set_aside_unreadable=state.file_problem is not None
    )
    old = state.secret_saved_for
    if old is not None and not (keep_secret and old == (provider, client_id)):
        secrets.clear(*old)
    return saved


@dataclass(frozen=True)
class SignInIdentity:
    """What makes a sign-in belong to one configuration: a token from one of these must
    not be sent to another, so changing any of them for a signed-in profile signs out."""

    provider: str
    client_id: str
    authorize_url: str | None
    token_url: str | None
    account_url: str | None
    revoke_url: str | None
    issuer: str | None

    @classmethod
    def of(cls, settings: Settings) -> SignInIdentity:
        return cls(
            provider=settings.provider,
            client_id=settings.client_id,
            authorize_url=settings.authorize_url,
            token_url=settings.token_url,
            account_url=settings.account_url,
            revoke_url=settings.revoke_url,
            issuer=settings.issuer,
        )

    def changes(self, other: SignInIdentity) -> tuple[str, ...]:
        """The settings that differ, in form order."""
        names = [f.name for f in fields(self)]
        return tuple(n for n in names if getattr(self, n) != getattr(other, n))


def settings_after_save(
    values: SetupValues,
    state: SetupState,
    flags: Mapping[str, str | None] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
) -> Settings:
    """The settings a launch would use once `values` are saved (the secret left out), to
    compare a signed-in profile's configuration before saving. Raises `ConfigError`."""
    written = {k: v for k, v in file_values(values, state).items() if k != SECRET_IN_KEYRING}
    return load_settings(flags, environ=environ, dotenv_path=dotenv_path, file_values=written)
