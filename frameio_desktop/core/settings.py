"""Settings: a provider preset plus overrides from flags, environment, `.env` and a file.

Precedence, highest first: command-line flags, the environment, a `.env` in the working
folder (read with python-dotenv, never loaded into `os.environ`), then `settings.json` in
the user's config folder (platformdirs). The first layer that names a setting wins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.providers import (
    DEFAULT_PROVIDER,
    PRESETS,
    DiscoveredEndpoints,
    is_loopback_host,
    is_secure_endpoint,
)

APP_NAME = "frameio-desktop"

#: Setting name -> environment variable. The flag is `--` + the name with dashes.
ENV_NAMES: dict[str, str] = {
    "provider": "FRAMEIO_PROVIDER",
    "issuer": "FRAMEIO_ISSUER",
    "client_id": "FRAMEIO_CLIENT_ID",
    "client_secret": "FRAMEIO_CLIENT_SECRET",
    "redirect_uri": "FRAMEIO_REDIRECT_URI",
    "scopes": "FRAMEIO_SCOPES",
    "authorize_url": "FRAMEIO_AUTHORIZE_URL",
    "token_url": "FRAMEIO_TOKEN_URL",
    "account_url": "FRAMEIO_ACCOUNT_URL",
    "revoke_url": "FRAMEIO_REVOKE_URL",
    "profile": "FRAMEIO_PROFILE",
}
#: The names the Frame.io document's `.env` uses.
ALIASES: dict[str, tuple[str, ...]] = {
    "client_id": ("CLIENT_ID",),
    "client_secret": ("CLIENT_SECRET",),
}
SECRET_SETTINGS = frozenset({"client_secret"})
ENDPOINT_SETTINGS = ("authorize_url", "token_url", "account_url", "revoke_url")
# Schemes that must never be a redirect target: they run code or read local data.
_FORBIDDEN_REDIRECT_SCHEMES = frozenset({"javascript", "data", "file", "about", "blob", "ftp"})


def default_settings_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.json"


@dataclass(frozen=True)
class Settings:
    """Everything a sign-in needs, validated. Endpoints may be None only for `oidc`,
    whose endpoints come from discovery (`with_discovery`)."""

    provider: str
    title: str
    client_id: str
    client_secret: str | None = field(repr=False)
    redirect_uri: str
    scopes: tuple[str, ...]
    authorize_url: str | None
    token_url: str | None
    account_url: str | None
    revoke_url: str | None
    issuer: str | None
    profile: str
    access_token_lifetime: timedelta
    refresh_token_lifetime: timedelta | None
    needs_discovery: bool = False
    require_iss: bool = False
    #: Extra authorization-request parameters (`prompt=consent` for OIDC offline access).
    authorize_params: Mapping[str, str] = field(default_factory=dict)
    #: Setting name -> where its value came from ("flag", "environment", ".env", ...).
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)

    @property
    def store_key(self) -> str:
        """Keeps sign-ins for different providers, apps and profiles apart."""
        return f"{self.provider}:{self.client_id}:{self.profile}"

    def with_discovery(self, found: DiscoveredEndpoints) -> Settings:
        """Fill the endpoints a setting did not name from the discovered configuration."""
        return replace(
            self,
            authorize_url=self.authorize_url or found.authorize_url,
            token_url=self.token_url or found.token_url,
            account_url=self.account_url or found.account_url,
            revoke_url=self.revoke_url or found.revoke_url,
            issuer=self.issuer or found.issuer,
            require_iss=found.iss_parameter_supported,
            needs_discovery=False,
        )


def _layers(
    flags: Mapping[str, str | None],
    environ: Mapping[str, str],
    dotenv_path: Path | None,
    settings_path: Path | None,
) -> list[tuple[str, Mapping[str, str | None]]]:
    def from_env(source: Mapping[str, str | None]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for name, env in ENV_NAMES.items():
            for key in (env, *ALIASES.get(name, ())):
                if source.get(key):
                    found[name] = source[key]
                    break
        return found

    dotenv: Mapping[str, str | None] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        from dotenv import dotenv_values

        dotenv = dotenv_values(dotenv_path)
    return [
        ("flag", {k: v for k, v in flags.items() if v}),
        ("environment", from_env(environ)),
        (".env", from_env(dotenv)),
        ("settings file", read_settings_file(settings_path) if settings_path else {}),
    ]


def read_settings_file(path: Path) -> dict[str, str | None]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            "settings file", f"at {path} cannot be read ({exc})", hint="Fix or delete it."
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError("settings file", f"at {path} is not a JSON object", hint="Fix it.")
    # A secret in the settings file is ignored: it belongs in the environment or .env.
    return {
        k: str(v)
        for k, v in data.items()
        if k in ENV_NAMES and k not in SECRET_SETTINGS and v is not None
    }


def save_settings_file(values: Mapping[str, str], path: Path | None = None) -> Path:
    """Write non-secret settings. A secret is refused, never written."""
    path = path or default_settings_path()
    secrets_given = SECRET_SETTINGS & set(values)
    if secrets_given:
        raise ConfigError(
            ENV_NAMES[sorted(secrets_given)[0]],
            "cannot be saved in the settings file",
            hint="Keep it in the environment or a .env file.",
        )
    unknown = set(values) - set(ENV_NAMES)
    if unknown:
        raise ConfigError(sorted(unknown)[0], "is not a setting", hint="Check the spelling.")
    path.parent.mkdir(parents=True, exist_ok=True)
    current = read_settings_file(path)
    current.update(values)
    path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load_settings(
    flags: Mapping[str, str | None] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
    settings_path: Path | None = None,
) -> Settings:
    """Resolve and validate settings. Raises `ConfigError` naming the first bad setting.

    `dotenv_path` defaults to `.env` in the working folder and `settings_path` to the
    user's config folder; pass them (or a non-existent path) in tests.
    """
    environ = os.environ if environ is None else environ
    dotenv_path = Path.cwd() / ".env" if dotenv_path is None else dotenv_path
    settings_path = default_settings_path() if settings_path is None else settings_path
    layers = _layers(flags or {}, environ, dotenv_path, settings_path)

    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name in ENV_NAMES:
        for source, layer in layers:
            value = layer.get(name)
            if value:
                values[name] = value.strip()
                sources[name] = source
                break

    provider = values.get("provider", DEFAULT_PROVIDER)
    preset = PRESETS.get(provider)
    if preset is None:
        raise ConfigError(
            "FRAMEIO_PROVIDER",
            f"is {provider!r}, which is not one of {', '.join(sorted(PRESETS))}",
        )

    client_id = values.get("client_id")
    if not client_id:
        raise ConfigError("FRAMEIO_CLIENT_ID", "is not set")
    redirect_uri = values.get("redirect_uri")
    if not redirect_uri:
        raise ConfigError("FRAMEIO_REDIRECT_URI", "is not set")
    validate_redirect_uri(redirect_uri)

    endpoints: dict[str, str | None] = {}
    for name in ENDPOINT_SETTINGS:
        endpoints[name] = values.get(name) or getattr(preset, name)
        if endpoints[name] is not None:
            validate_endpoint(ENV_NAMES[name], str(endpoints[name]))
    issuer = values.get("issuer") or preset.issuer
    if issuer is not None:
        validate_endpoint("FRAMEIO_ISSUER", issuer)

    needs_discovery = preset.discovery and not (
        endpoints["authorize_url"] and endpoints["token_url"]
    )
    if needs_discovery and not issuer:
        raise ConfigError("FRAMEIO_ISSUER", "is not set (the oidc provider needs it)")

    scopes = tuple(values.get("scopes", " ".join(preset.scopes)).split())
    if not scopes:
        raise ConfigError("FRAMEIO_SCOPES", "is empty")

    return Settings(
        provider=provider,
        title=preset.title,
        client_id=client_id,
        client_secret=values.get("client_secret") or None,
        redirect_uri=redirect_uri,
        scopes=scopes,
        authorize_url=endpoints["authorize_url"],
        token_url=endpoints["token_url"],
        account_url=endpoints["account_url"],
        revoke_url=endpoints["revoke_url"],
        issuer=issuer,
        profile=values.get("profile", "default"),
        access_token_lifetime=preset.access_token_lifetime,
        refresh_token_lifetime=preset.refresh_token_lifetime,
        needs_discovery=needs_discovery,
        authorize_params=(
            {"prompt": "consent"}
            if preset.offline_access_needs_consent and "offline_access" in scopes
            else {}
        ),
        sources=sources,
    )


def validate_endpoint(setting: str, url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        raise ConfigError(setting, f"is {url!r}, which is not an absolute URL")
    if parts.fragment or parts.username or parts.password:
        raise ConfigError(setting, f"is {url!r}; an endpoint has no fragment or user name")
    if not is_secure_endpoint(url):
        raise ConfigError(
            setting,
            f"is {url!r}; it must use https:// (http:// is allowed only on 127.0.0.1, ::1 "
            "or localhost)",
        )


def validate_redirect_uri(url: str) -> None:
    setting = "FRAMEIO_REDIRECT_URI"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme or not (parts.netloc or parts.path):
        raise ConfigError(setting, f"is {url!r}, which is not an absolute URL")
    if parts.fragment:
        # RFC 6749 section 3.1.2: the redirection endpoint URI must not have a fragment.
        raise ConfigError(setting, f"is {url!r}; a redirect URI cannot have a #fragment")
    if scheme in _FORBIDDEN_REDIRECT_SCHEMES:
        raise ConfigError(setting, f"is {url!r}; the {scheme}: scheme cannot be a redirect")
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(setting, f"is {url!r}; http:// redirects are allowed only on loopback")
    if scheme in ("http", "https") and not parts.hostname:
        raise ConfigError(setting, f"is {url!r}, which names no host")
