"""Each error says what to do on each surface: the command line gets its flags and
commands (`cli_remedy`, in `user_message`); the window gets plain words and a button
(`window_remedy`, in `window_message`), and never a flag or a variable name."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

import frameio_desktop.core
from frameio_desktop.core import errors
from frameio_desktop.core.errors import (
    ApiRetiredError,
    ConfigError,
    FrameioDesktopError,
    NetworkError,
    SessionBindingError,
    WindowAction,
)
from frameio_desktop.core.providers import PRESETS

#: What a window user cannot act on: a flag, a FRAMEIO_* variable, a command to type.
COMMAND_LINE_WORDS = re.compile(
    r"(?<![\w-])--[a-z]|FRAMEIO_[A-Z]|`|frameio-desktop (login|logout|token|status|accounts"
    r"|doctor|register-scheme)\b"
)
#: What else a window user cannot act on: an environment variable's name (ALL_CAPS with an
#: underscore, or one of the one-word ones), a dotted Python path ending in a class
#: (`keyring.backends.SecretService.Keyring`), or a provider preset's id (`frameio-v4`).
INTERNAL_WORDS = re.compile(
    r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b(BROWSER|DISPLAY|PATH|HOME)\b"
    r"|\b[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*\.[A-Z]\w*\b"
    r"|(?<![\w.-])(" + "|".join(map(re.escape, PRESETS)) + r")(?![\w-])"
)


def window_jargon(text: str) -> list[str]:
    """The command-line and internal words in text the window shows (empty: none)."""
    return [m.group(0) for p in (COMMAND_LINE_WORDS, INTERNAL_WORDS) for m in p.finditer(text)]


def all_error_classes() -> list[type[FrameioDesktopError]]:
    for module in pkgutil.walk_packages(frameio_desktop.core.__path__, "frameio_desktop.core."):
        importlib.import_module(module.name)

    def walk(cls: type[FrameioDesktopError]) -> Iterator[type[FrameioDesktopError]]:
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    return sorted(set(walk(FrameioDesktopError)), key=lambda c: c.__qualname__)


#: A sample value for each constructor parameter, by name.
SAMPLES: dict[str, Any] = {
    "message": "Something happened.",
    "setting": "FRAMEIO_CLIENT_ID",
    "problem": "is not set",
    "host": "elsewhere.example.test",
    "name": "state",
    "error": "server_error",
    "description": "try again later",
    "status": 503,
    "url_host": "api.example.test",
    "title": "Frame.io V2",
    "retired_on": date(2026, 12, 1),
    "successor": "frameio-v4",
    "changed": {"FRAMEIO_TOKEN_URL": "environment", "FRAMEIO_ISSUER": ".env"},
    "account_id": "acct-1",
    "seconds_left": 60,
    "wanted": 600,
    "cause": NetworkError(),
    "ended_at": datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    "ends_at": datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    "port": 8765,
    "seconds": 300.0,
    "reason": "it was sent for another sign-in",
    "missing": "flask",
}


def sample(cls: type[FrameioDesktopError]) -> FrameioDesktopError:
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    args = {
        p.name: SAMPLES[p.name]
        for p in parameters
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }
    return cls(**args)


ERROR_CLASSES = all_error_classes()


def test_every_error_class_is_covered() -> None:
    assert len(ERROR_CLASSES) > 40
    assert ConfigError in ERROR_CLASSES


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_the_window_words_of_every_error_name_no_flag_or_variable(
    cls: type[FrameioDesktopError],
) -> None:
    error = sample(cls)
    assert error.window_message
    if cls is not errors.NoDisplayError:  # printed where no window can be shown
        assert window_jargon(error.window_message) == [], error.window_message
    assert not COMMAND_LINE_WORDS.search(error.window_message), error.window_message
    assert window_jargon(error.title) == []


@pytest.mark.parametrize(
    "source", ["", "settings file", "flag", "environment", ".env"], ids=lambda s: s or "none"
)
@pytest.mark.parametrize("setting", sorted(errors.SETTING_WORDS))
def test_every_setting_error_reads_in_plain_words(setting: str, source: str) -> None:
    error = ConfigError(setting, "is not set", source=source, origin="somewhere")
    assert window_jargon(error.window_message) == [], error.window_message
    assert error.window_message.startswith(f"The {errors.SETTING_WORDS[setting]} is not set")


def test_a_missing_setting_opens_its_field_in_the_window_and_names_its_flag_for_the_cli() -> None:
    error = ConfigError("FRAMEIO_CLIENT_ID", "is not set")
    assert error.user_message.startswith("FRAMEIO_CLIENT_ID is not set. Set it with --client-id")
    assert error.window_message == "The client ID is not set. Open Settings to set it."
    assert error.window_remedy is not None
    assert error.window_remedy.action is WindowAction.OPEN_SETTINGS
    assert error.window_remedy.setting == "client_id"


def test_a_setting_from_the_environment_is_explained_not_offered_in_settings() -> None:
    error = ConfigError(
        "FRAMEIO_REDIRECT_URI",
        "is 'x'",
        origin="FRAMEIO_REDIRECT_URI from the environment",
        source="environment",
    )
    # The command line names the variable and where it came from, as before.
    assert "(FRAMEIO_REDIRECT_URI from the environment)" in error.user_message
    assert error.problem == "is 'x' (FRAMEIO_REDIRECT_URI from the environment)"
    assert "set in the environment the app was started from" in error.window_message
    assert "wins over Settings" in error.window_message
    assert error.window_remedy is not None
    assert error.window_remedy.action is None


def test_a_retired_provider_offers_the_settings_with_its_successor_chosen() -> None:
    error = ApiRetiredError("Frame.io V2", date(2026, 12, 1), "frameio-v4", "Frame.io V4")
    assert error.user_message.endswith("Sign in with --provider frameio-v4.")
    assert error.window_message.endswith("Open Settings and choose Frame.io V4.")
    remedy = error.window_remedy
    assert remedy is not None
    assert (remedy.action, remedy.setting, remedy.provider) == (
        WindowAction.OPEN_SETTINGS,
        "provider",
        "frameio-v4",
    )


def test_a_binding_conflict_names_variables_for_the_cli_and_settings_for_the_window() -> None:
    error = SessionBindingError({"FRAMEIO_TOKEN_URL": "environment"})
    assert "FRAMEIO_TOKEN_URL (from environment)" in error.user_message
    assert "the token URL, set in the environment the app was started from" in (
        error.window_message
    )


def test_an_unknown_redirect_pasted_at_the_command_line_names_the_flag_there_only() -> None:
    error = errors.UnknownRedirectError("elsewhere.example.test", stopped=False)
    assert "--redirect-uri" in error.user_message
    assert not COMMAND_LINE_WORDS.search(error.window_message)
