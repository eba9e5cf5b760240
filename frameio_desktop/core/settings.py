"""Settings: a provider preset plus overrides from flags, environment, `.env` and a file
(`core.sources` says where each comes from); validated here, and the file written."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.providers import (
    DEFAULT_PROVIDER,
    PRESETS,
    DiscoveredEndpoints,
    ims_redirect_rule,
    is_loopback_host,
    is_secure_endpoint,
)
from frameio_desktop.core.sources import (
    ACCOUNT_ID,
    ACCOUNT_ID_ENV,
    ALIASES,
    APP_NAME,
    DEFAULT,
    DOTENV,
    ENV_NAMES,
    ENVIRONMENT,
    FILE_ONLY_SETTINGS,
    FLAG,
    KEYRING,
    PERSISTENT_WEB_PROFILE_ENV,
    SECRET_IN_KEYRING,
    SECRET_SETTINGS,
    SETTINGS_FILE,
    Resolved,
    default_settings_path,
    dotenv_environ,
    origins_note,
    read_settings_document,
    read_settings_file,
    resolve,
    resolve_values,
)

__all__ = [
    "ACCOUNT_ID",
    "ACCOUNT_ID_ENV",
    "ALIASES",
    "APP_NAME",
    "DEFAULT",
    "DOTENV",
    "ENDPOINT_SETTINGS",
    "ENVIRONMENT",
    "ENV_NAMES",
    "FILE_ONLY_SETTINGS",
    "FLAG",
    "KEYRING",
    "PERSISTENT_WEB_PROFILE_ENV",
    "SECRET_IN_KEYRING",
    "SECRET_SETTINGS",
    "SETTINGS_FILE",
    "Settings",
    "default_settings_path",
    "dotenv_environ",
    "endpoint_problem",
    "load_settings",
    "read_settings_file",
    "redirect_uri_problem",
    "resolve_values",
    "save_settings_file",
    "validate_endpoint",
    "validate_redirect_uri",
]

ENDPOINT_SETTINGS = ("authorize_url", "token_url", "account_url", "revoke_url")
_TITLES = ", ".join(preset.title for preset in PRESETS.values())  # for the window
# Schemes that must never be a redirect target: they run code or read local data.
_FORBIDDEN_REDIRECT_SCHEMES = frozenset({"javascript", "data", "file", "about", "blob", "ftp"})


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
    #: A public client sends `client_id` in the revocation URL's query (Adobe IMS).
    revoke_client_id_in_query: bool = False
    #: Where the user's accounts are listed (Frame.io V4 `/v4/accounts`), on the same API
    #: as `account_url`; None where the provider has no such list (V2 names one account).
    accounts_url: str | None = None
    #: `--account-id` / `FRAMEIO_ACCOUNT_ID`: this account wins over the saved choice.
    account_id: str | None = None
    #: Keep the sign-in page's cookies in an app-private profile on disk between sign-ins
    #: (so `prompt=none` can renew a session without a refresh token). On by default for
    #: Frame.io V4, off elsewhere; `FRAMEIO_PERSISTENT_WEB_PROFILE=0|1` overrides.
    persistent_web_profile: bool = False
    #: Extra authorization-request parameters (`prompt=consent` for OIDC offline access).
    authorize_params: Mapping[str, str] = field(default_factory=dict)
    #: Setting name -> where its value came from ("flag", "environment", ".env", ...).
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    #: Setting name -> the variable and place, for messages ("CLIENT_ID from ./.env").
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)
    #: `FRAMEIO_*` keys of the working folder's `.env` that a `.env` may not set, ignored
    #: (`warnings` says so; `doctor` lists them).
    ignored_dotenv_keys: tuple[str, ...] = field(default=(), compare=False)
    #: Things the person should hear about how the settings were read (ignored `.env`
    #: keys, unknown settings-file keys): printed on stderr, shown in the window.
    warnings: tuple[str, ...] = field(default=(), compare=False)
    #: The same, in the window's words (no flag or variable name).
    window_warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)

    def origins_note(self, names: tuple[str, ...] | None = None) -> str:
        """Which settings (all, or `names`) did not come from the settings file, and from
        where: "Settings not from the settings file: CLIENT_ID from ./.env." or ""."""
        return origins_note(self.origins, names)

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


def save_settings_file(
    values: Mapping[str, str | None],
    path: Path | None = None,
    *,
    set_aside_unreadable: bool = False,
) -> Path:
    """Merge `values` into the settings file (None removes a setting). A secret is refused.

    The file is replaced atomically: a temporary file in the same folder is written,
    flushed to disk and renamed over the old one, so a crash leaves the old file or the new
    one, never half of either. The file is 0600 and its folder 0700 (the file names the
    app's client and, for a Web App credential, says a secret is in the keyring). A lock
    file keeps two processes saving at once from losing each other's change.

    An unreadable file is an error, unless `set_aside_unreadable`: then it is renamed to
    `settings.json.unreadable-<time>` (nothing a person wrote is lost) and a new one begun.
    Raises `ConfigError` when the file cannot be written.
    """
    path = path or default_settings_path()
    secrets_given = SECRET_SETTINGS & set(values)
    if secrets_given:
        raise ConfigError(
            ENV_NAMES[sorted(secrets_given)[0]],
            "cannot be saved in the settings file",
            hint="It is kept in the system keyring, the environment or a .env file.",
        )
    unknown = set(values) - set(ENV_NAMES) - FILE_ONLY_SETTINGS
    if unknown:
        raise ConfigError(sorted(unknown)[0], "is not a setting", hint="Check the spelling.")
    import filelock  # only a save needs it

    try:
        _private_folder(path.parent)
        with filelock.FileLock(str(path.parent / f".{path.name}.lock"), timeout=10):
            try:
                # Unknown keys stay (each launch warns about them); a secret goes.
                current = {
                    k: v
                    for k, v in read_settings_document(path).items()
                    if k not in SECRET_SETTINGS
                }
            except ConfigError:
                if not set_aside_unreadable:
                    raise
                stamp = time.strftime("%Y%m%d-%H%M%S")
                path.replace(path.with_name(f"{path.name}.unreadable-{stamp}"))
                current = {}
            for name, value in values.items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = value
            text = json.dumps(current, indent=2, sort_keys=True) + "\n"
            _replace_atomically(path, text)
    except (OSError, filelock.Timeout) as exc:
        raise ConfigError(
            "settings file",
            f"at {path} cannot be written ({exc})",
            hint="Check that its folder is yours and writable.",
        ) from exc
    return path


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        # Our own config folder, made by an older version or by hand: close it.
        folder.chmod(0o700)


def _replace_atomically(path: Path, text: str) -> None:
    import tempfile

    # mkstemp creates the file 0600 (O_EXCL) in the same folder, so the rename cannot
    # cross file systems and the contents are never readable by others.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as temp:
            temp.write(text)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if os.name == "posix":
        # The rename itself is durable once the folder's entry is on disk.
        folder_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)


def load_settings(
    flags: Mapping[str, str | None] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
    settings_path: Path | None = None,
    file_values: Mapping[str, str | None] | None = None,
    secret_lookup: Callable[[str, str], str | None] | None = None,
) -> Settings:
    """Resolve and validate settings. Raises `ConfigError` naming the first bad setting.

    `dotenv_path` defaults to `.env` in the working folder and `settings_path` to the
    user's config folder; pass them (or a non-existent path) in tests. `file_values`
    replaces the settings file (to check a form's values before they are saved).
    `secret_lookup(provider, client_id)` reads a client secret the settings file says is in
    the keyring (default: the system keyring); it is asked only then, so a public client's
    launch never pays for it.

    The settings keep where each value came from (`origins`) and the `warnings` about how
    they were read; a `ConfigError` carries the same `warnings`, and names the bad value's
    origin when it is not the settings file.
    """
    found = resolve(
        flags,
        environ=environ,
        dotenv_path=dotenv_path,
        settings_path=settings_path,
        file_values=file_values,
    )
    env = os.environ if environ is None else environ
    try:
        return _validated(found, flags or {}, env, secret_lookup)
    except ConfigError as exc:
        names = {variable: name for name, variable in ENV_NAMES.items()}
        origin = found.origins.get(names.get(exc.setting, ""), "")
        if origin and found.sources.get(names[exc.setting]) != SETTINGS_FILE:
            exc = ConfigError(
                exc.setting,
                exc.problem,
                hint=exc.hint,
                origin=origin,
                source=found.sources.get(names[exc.setting], ""),
                window_problem=exc.window_problem,
            )
        exc.warnings = found.warnings
        exc.window_warnings = found.window_warnings
        raise exc from exc.__cause__


def _validated(
    found: Resolved,
    flags: Mapping[str, str | None],
    env: Mapping[str, str],
    secret_lookup: Callable[[str, str], str | None] | None,
) -> Settings:
    values, sources = found.values, dict(found.sources)
    for name, value in values.items():
        _refuse_controls(ENV_NAMES.get(name, name), value)
    provider = values.get("provider", DEFAULT_PROVIDER)
    preset = PRESETS.get(provider)
    if preset is None:
        raise ConfigError(
            "FRAMEIO_PROVIDER",
            f"is {provider!r}, which is not one of {', '.join(sorted(PRESETS))}",
            window_problem=f"is {provider!r}, which is not one of {_TITLES}",
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
    ims_problem = ims_redirect_rule(redirect_uri, endpoints["authorize_url"], client_id)
    if ims_problem is not None:
        raise ConfigError("FRAMEIO_REDIRECT_URI", f"is {redirect_uri!r}: {ims_problem.rstrip('.')}")

    needs_discovery = preset.discovery and not (
        endpoints["authorize_url"] and endpoints["token_url"]
    )
    if needs_discovery and not issuer:
        raise ConfigError("FRAMEIO_ISSUER", f"is not set ({preset.title} needs it)")

    scopes = tuple(values.get("scopes", " ".join(preset.scopes)).split())
    if not scopes:
        raise ConfigError("FRAMEIO_SCOPES", "is empty")

    client_secret = values.get("client_secret")
    if not client_secret and values.get(SECRET_IN_KEYRING) == "true":
        client_secret = _secret_from_keyring(provider, client_id, secret_lookup)
        sources["client_secret"] = KEYRING

    account_id = (
        flags.get(ACCOUNT_ID) or dotenv_environ(env, found.dotenv_path).get(ACCOUNT_ID_ENV) or ""
    ).strip() or None
    _refuse_controls(ACCOUNT_ID_ENV, account_id or "")
    persistent = preset.persistent_web_profile
    if env.get(PERSISTENT_WEB_PROFILE_ENV, "").strip():
        persistent = _flag_value(PERSISTENT_WEB_PROFILE_ENV, env[PERSISTENT_WEB_PROFILE_ENV])

    return Settings(
        provider=provider,
        title=preset.title,
        client_id=client_id,
        client_secret=client_secret or None,
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
        revoke_client_id_in_query=preset.revoke_client_id_in_query,
        accounts_url=(
            accounts_url_for(endpoints["account_url"]) if preset.lists_accounts else None
        ),
        account_id=account_id,
        persistent_web_profile=persistent,
        authorize_params=(
            {"prompt": "consent"}
            if preset.offline_access_needs_consent and "offline_access" in scopes
            else {}
        ),
        sources=sources,
        origins=found.origins,
        ignored_dotenv_keys=found.ignored_dotenv_keys,
        warnings=found.warnings,
        window_warnings=found.window_warnings,
    )


def accounts_url_for(account_url: str | None) -> str | None:
    """`<API>/v4/me` -> `<API>/v4/accounts`: the list lives beside the user lookup, on the
    same host, so a token for one API is never sent to another (an overridden account
    URL, such as the demo server's, moves the account list with it)."""
    if account_url is None:
        return None
    parts = urlsplit(account_url)
    head, _, last = parts.path.rstrip("/").rpartition("/")
    if last != "me":
        return None
    return parts._replace(path=f"{head}/accounts", query="", fragment="").geturl()


def _refuse_controls(setting: str, value: str) -> None:
    # Values are printed (doctor, status, messages): a terminal control in one could hide
    # or rewrite what is printed around it, and a `.env` is anyone's file.
    if not value.isprintable():
        problem = "contains a control character (or another that cannot be shown)"
        raise ConfigError(setting, problem, hint="Retype the value.")


def _flag_value(setting: str, text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(setting, f"is {text!r}; use 1 or 0", hint=f"Set {setting}=1 or {setting}=0.")


def _secret_from_keyring(
    provider: str, client_id: str, lookup: Callable[[str, str], str | None] | None
) -> str:
    from frameio_desktop.core.errors import StoreError

    if lookup is None:
        from frameio_desktop.core.store import ClientSecretStore

        lookup = ClientSecretStore().load
    try:
        secret = lookup(provider, client_id)
    except StoreError as exc:
        raise ConfigError(
            "FRAMEIO_CLIENT_SECRET",
            f"cannot be read from the system keyring ({exc.user_message})",
            hint="Unlock the keyring, or set the secret in the environment or a .env file.",
        ) from exc
    if not secret:
        raise ConfigError(
            "FRAMEIO_CLIENT_SECRET",
            f"is not in the system keyring for client ID {client_id!r}",
            hint="Enter it again in the app's Settings, or set it in the environment or a "
            ".env file.",
        )
    return secret


def endpoint_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint, as a sentence, or None if it can."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return "This is not an absolute URL (scheme and host, like https://host/path)."
    if parts.fragment or parts.username or parts.password:
        return "An endpoint has no #fragment or user name."
    if not is_secure_endpoint(url):
        return "It must use https:// (http:// is allowed only on 127.0.0.1, ::1 or localhost)."
    return None


def validate_endpoint(setting: str, url: str) -> None:
    problem = endpoint_problem(url)
    if problem is not None:
        raise ConfigError(setting, f"is {url!r}: {problem.rstrip('.')}")


def redirect_uri_problem(url: str) -> str | None:
    """Why `url` cannot be a redirect URI, as a sentence, or None if it can."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme or not (parts.netloc or parts.path):
        return "This is not an absolute URL (it needs a scheme, like https:// or adobe+…://)."
    if parts.fragment:
        # RFC 6749 section 3.1.2: the redirection endpoint URI must not have a fragment.
        return "A redirect URI cannot have a #fragment."
    if "\\" in url or "@" in parts.netloc:
        # `urlsplit` reads `http://evil.test\@127.0.0.1/` as 127.0.0.1, a browser as
        # evil.test: the host checks below would judge another host than the one used.
        return "A redirect URI cannot have a user name or a backslash."
    if scheme in _FORBIDDEN_REDIRECT_SCHEMES:
        return f"The {scheme}: scheme cannot be a redirect."
    if scheme == "http" and not is_loopback_host(parts.hostname):
        return "http:// redirects are allowed only on loopback (127.0.0.1, ::1 or localhost)."
    if scheme in ("http", "https") and not parts.hostname:
        return "It names no host."
    return None


def validate_redirect_uri(url: str) -> None:
    problem = redirect_uri_problem(url)
    if problem is not None:
        raise ConfigError("FRAMEIO_REDIRECT_URI", f"is {url!r}: {problem.rstrip('.')}")
