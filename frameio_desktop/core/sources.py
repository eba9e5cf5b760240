"""Where settings come from: flags, the environment, a `.env` in the working folder and
`settings.json`, and what each may set.

Precedence, highest first: command-line flags, the environment, a `.env` in the working
folder (read with python-dotenv, never loaded into `os.environ`), then `settings.json` in
the user's config folder (platformdirs). The first layer that names a setting wins.

A `.env` is whatever file the folder a command runs in holds, so it may set only what
cannot send the person, or their secrets, anywhere else: the client ID, the client
secret, the profile, the account ID and the browser choice (`DOTENV_KEYS`). Any other
`FRAMEIO_*` key in it is ignored and named in a warning (`Resolved.ignored_dotenv_keys`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from frameio_desktop.core.errors import ConfigError, setting_words

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
#: Written to the settings file when a Web App credential's secret was saved in the keyring
#: (the file never holds the secret itself); only then does a launch read the keyring for it.
SECRET_IN_KEYRING = "client_secret_in_keyring"
#: Settings only the settings file holds (no flag or environment variable).
FILE_ONLY_SETTINGS = frozenset({SECRET_IN_KEYRING})
#: Where a value came from, highest precedence first (`Settings.sources` uses these).
FLAG, ENVIRONMENT, DOTENV, SETTINGS_FILE, KEYRING, DEFAULT = (
    "flag",
    "environment",
    ".env",
    "settings file",
    "keyring",
    "default",
)
#: The account override: a flag (`--account-id`) and an environment variable, not a saved
#: setting (the chosen default account is kept per profile by `core.accounts`).
ACCOUNT_ID = "account_id"
ACCOUNT_ID_ENV = "FRAMEIO_ACCOUNT_ID"
BROWSER_ENV = "FRAMEIO_BROWSER"
PERSISTENT_WEB_PROFILE_ENV = "FRAMEIO_PERSISTENT_WEB_PROFILE"
#: The settings a `.env` may set: none of them can send a sign-in or a token elsewhere.
DOTENV_SETTINGS = frozenset({"client_id", "client_secret", "profile"})
#: Every key a `.env` may hold that this app reads.
DOTENV_KEYS = frozenset(
    {ENV_NAMES[name] for name in DOTENV_SETTINGS}
    | {alias for name in DOTENV_SETTINGS for alias in ALIASES.get(name, ())}
    | {ACCOUNT_ID_ENV, BROWSER_ENV}
)


def default_settings_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.json"


@dataclass(frozen=True)
class Resolved:
    """Each setting's winning raw value, where it came from, and what was left out."""

    #: Setting name -> value (stripped), for the settings some layer names. Not in the
    #: repr: it holds the client secret when a layer sets one.
    values: dict[str, str] = field(repr=False)
    #: Setting name -> layer (FLAG, ENVIRONMENT, DOTENV, SETTINGS_FILE).
    sources: dict[str, str]
    #: Setting name -> the variable and place, for people: "CLIENT_ID from ./.env".
    origins: dict[str, str]
    #: The `.env` read (whether or not it exists).
    dotenv_path: Path
    #: `FRAMEIO_*` keys the `.env` sets that a `.env` may not set: ignored.
    ignored_dotenv_keys: tuple[str, ...] = ()
    #: Keys of the settings file that are not settings: ignored.
    unknown_file_keys: tuple[str, ...] = ()
    #: The settings file read, when one was.
    settings_path: Path | None = None
    #: What to tell the person about the above, one sentence each.
    warnings: tuple[str, ...] = ()
    #: The same, in the window's words: no flag or variable name.
    window_warnings: tuple[str, ...] = ()


def shown_path(path: Path) -> str:
    """`./.env` for a file in the working folder, else the whole path."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return str(path)
    return f"./{relative.as_posix()}"


def printable(text: str) -> str:
    """`text` with anything a terminal could take as a control (escape sequences, line
    ends) written as a Python escape: what a `.env` names is printed, and must not be able
    to hide or rewrite the lines around it."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def flag_for(name: str) -> str:
    return "--" + name.replace("_", "-")


def read_dotenv(path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """The keys of the `.env` at `path` that a `.env` may set, and the `FRAMEIO_*` keys it
    sets that it may not (ignored). Other keys belong to other tools and are left alone."""
    if not path.is_file():
        return {}, ()
    from dotenv import dotenv_values

    allowed: dict[str, str] = {}
    ignored: list[str] = []
    # Taken as written: python-dotenv would otherwise expand `${NAME}` from this process's
    # environment, and a folder's `.env` could copy any secret there into a value the app
    # prints (a profile name in `doctor`, a client ID in an error message).
    for key, value in dotenv_values(path, interpolate=False).items():
        if key in DOTENV_KEYS:
            if value:
                allowed[key] = value
        elif key.upper().startswith("FRAMEIO_"):
            ignored.append(printable(key))
    return allowed, tuple(ignored)


def dotenv_environ(
    environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None
) -> dict[str, str]:
    """`environ` with the `.env`'s account ID and browser choice under it (the environment
    wins), for code that reads those from the environment."""
    environ = os.environ if environ is None else environ
    allowed, _ = read_dotenv(Path.cwd() / ".env" if dotenv_path is None else dotenv_path)
    merged = {k: v for k, v in allowed.items() if k in (ACCOUNT_ID_ENV, BROWSER_ENV)}
    merged.update(environ)
    return merged


def _read_json_object(path: Path) -> dict[str, object]:
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
    return data


def _known_settings(data: Mapping[str, object]) -> dict[str, str | None]:
    # A secret in the settings file is ignored (and warned about): it belongs in the
    # keyring, the environment or a .env.
    return {
        k: str(v)
        for k, v in data.items()
        if (k in ENV_NAMES or k in FILE_ONLY_SETTINGS)
        and k not in SECRET_SETTINGS
        and v is not None
    }


def read_settings_file(path: Path) -> dict[str, str | None]:
    """The settings the file at `path` holds (unknown keys left out)."""
    return _known_settings(_read_json_object(path))


def read_settings_document(path: Path) -> dict[str, object]:
    """The whole JSON object of the settings file, unknown keys included (a save keeps
    them, so a misspelled key is not lost before the person sees the warning)."""
    return _read_json_object(path)


def unknown_keys(data: Mapping[str, object]) -> tuple[str, ...]:
    """Keys the settings file holds that it cannot set (a secret among them)."""
    return tuple(
        k
        for k in data
        if k in SECRET_SETTINGS or (k not in ENV_NAMES and k not in FILE_ONLY_SETTINGS)
    )


def _origin(name: str, source: str, key: str, dotenv_path: Path) -> str:
    if source == FLAG:
        return f"{flag_for(name)} flag"
    if source == ENVIRONMENT:
        return f"{key} from the environment"
    if source == DOTENV:
        return f"{key} from {shown_path(dotenv_path)}"
    return f"the {source}"


def _dotenv_warning(path: Path, keys: tuple[str, ...], settings_path: Path | None) -> str:
    settings = [k for k in keys if k in ENV_NAMES.values()]
    others = [k for k in keys if k not in settings]
    where = []
    if settings:
        names = {env: name for name, env in ENV_NAMES.items()}
        flags = ", ".join(flag_for(names[k]) for k in settings)
        file = f"the settings file ({settings_path})" if settings_path else "the settings file"
        where.append(
            f"set {', '.join(settings)} in {file}, with a flag ({flags}) or in the environment"
        )
    if others:
        where.append(f"set {', '.join(others)} in the environment")
    return (
        f"Ignored {', '.join(keys)} in {shown_path(path)}: a .env file may set only the client "
        "ID, client secret, profile, account ID and browser choice, so that a folder's .env "
        f"cannot decide where a sign-in or a token goes. To use them, {'; '.join(where)}."
    )


def _dotenv_window_warning(path: Path, keys: tuple[str, ...]) -> str:
    names = {env: name for name, env in ENV_NAMES.items()}
    settings = [setting_words(k) for k in keys if k in names]
    others = len(keys) - len(settings)
    listed = ", ".join(
        [f"the {word}" for word in settings] + ([f"{others} other values"] if others else [])
    )
    return (
        f"{shown_path(path)} sets {listed}, which a .env file may not set (so that a "
        "folder cannot decide where a sign-in or a token goes): ignored. Enter them in "
        "Settings instead."
    )


def _unknown_key_window_warning(path: Path, key: str) -> str:
    if key in SECRET_SETTINGS:
        return (
            f"The settings file {path} holds a client secret, which is never read from it. "
            "Enter it in Settings: it goes to the system keyring."
        )
    return f"The settings file {path} holds {key!r}, which is not a setting: it was ignored."


def _unknown_key_warning(path: Path, key: str) -> str:
    if key in SECRET_SETTINGS:
        return (
            f"Ignored {key!r} in the settings file {path}: a secret is never read from it. "
            "Enter it in the app's Settings (it goes to the system keyring) or set "
            f"{ENV_NAMES[key]} in the environment."
        )
    import difflib  # only for a name that is not a setting

    close = difflib.get_close_matches(
        key.lower().replace("-", "_"), [*ENV_NAMES, *FILE_ONLY_SETTINGS], n=1
    )
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (
        f"Ignored {key!r} in the settings file {path}: it is not a setting.{hint} "
        f"The settings are: {', '.join(k for k in ENV_NAMES if k not in SECRET_SETTINGS)}."
    )


def resolve(
    flags: Mapping[str, str | None] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
    settings_path: Path | None = None,
    file_values: Mapping[str, str | None] | None = None,
) -> Resolved:
    """Each setting's winning raw value and where it came from, without any validation.

    `file_values`, when given, stands in for the settings file (a form's unsaved values).
    Raises `ConfigError` only for a settings file that cannot be read."""
    environ = os.environ if environ is None else environ
    dotenv_path = Path.cwd() / ".env" if dotenv_path is None else dotenv_path
    unknown: tuple[str, ...] = ()
    if file_values is None:
        settings_path = default_settings_path() if settings_path is None else settings_path
        document = _read_json_object(settings_path)
        file_values = _known_settings(document)
        unknown = unknown_keys(document)
    else:
        settings_path = None
    dotenv, ignored = read_dotenv(dotenv_path)
    layers: list[tuple[str, Mapping[str, str | None], bool]] = [
        (FLAG, {k: v for k, v in (flags or {}).items() if v}, False),
        (ENVIRONMENT, environ, True),
        (DOTENV, dotenv, True),
        (SETTINGS_FILE, file_values, False),
    ]
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    origins: dict[str, str] = {}
    for name, env in ENV_NAMES.items():
        for source, layer, by_variable in layers:
            keys = (env, *ALIASES.get(name, ())) if by_variable else (name,)
            key = next((k for k in keys if (layer.get(k) or "").strip()), None)
            if key is not None:
                values[name] = str(layer[key]).strip()
                sources[name] = source
                origins[name] = _origin(name, source, key, dotenv_path)
                break
    for name in FILE_ONLY_SETTINGS:
        value = file_values.get(name)
        if value:
            values[name] = value
            sources[name] = SETTINGS_FILE
            origins[name] = f"the {SETTINGS_FILE}"
    warnings, window_warnings = [], []
    if ignored:
        warnings.append(_dotenv_warning(dotenv_path, ignored, settings_path))
        window_warnings.append(_dotenv_window_warning(dotenv_path, ignored))
    if settings_path is not None:
        warnings += [_unknown_key_warning(settings_path, key) for key in unknown]
        window_warnings += [_unknown_key_window_warning(settings_path, key) for key in unknown]
    return Resolved(
        values=values,
        sources=sources,
        origins=origins,
        dotenv_path=dotenv_path,
        ignored_dotenv_keys=ignored,
        unknown_file_keys=unknown,
        settings_path=settings_path,
        warnings=tuple(warnings),
        window_warnings=tuple(window_warnings),
    )


def resolve_values(
    flags: Mapping[str, str | None] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
    settings_path: Path | None = None,
    file_values: Mapping[str, str | None] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """`resolve`'s values and sources."""
    found = resolve(
        flags,
        environ=environ,
        dotenv_path=dotenv_path,
        settings_path=settings_path,
        file_values=file_values,
    )
    return found.values, found.sources


def origins_note(origins: Mapping[str, str], names: tuple[str, ...] | None = None) -> str:
    """ "Settings not from the settings file: CLIENT_ID from ./.env." for the settings
    (all, or `names`) a flag, the environment or a `.env` set; "" when there are none."""
    outside = [
        origin
        for name, origin in origins.items()
        if (names is None or name in names) and not origin.startswith("the ")
    ]
    if not outside:
        return ""
    return f"Settings not from the settings file: {', '.join(outside)}."
