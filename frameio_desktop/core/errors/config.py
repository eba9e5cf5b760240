"""Settings that cannot be used, where each setting is set, and what is missing to
start (the display, the demo, OIDC discovery)."""

from __future__ import annotations

from frameio_desktop.core.errors.base import (
    ExitCode,
    FrameioDesktopError,
    WindowAction,
    WindowRemedy,
)


class ConfigError(FrameioDesktopError):
    """A setting is missing or malformed. Names the setting and where to set it: by its
    variable and flags at the command line, in plain words in the window."""

    title = "Settings needed"
    exit_code = ExitCode.USAGE
    #: What the person should also hear about how the settings were read (an ignored
    #: `.env` key may be why a setting is missing); `Settings.warnings` when they load.
    warnings: tuple[str, ...] = ()
    #: The same, in the window's words.
    window_warnings: tuple[str, ...] = ()

    def __init__(
        self,
        setting: str,
        problem: str,
        *,
        hint: str | None = None,
        origin: str = "",
        source: str = "",
        window_remedy: WindowRemedy | None = None,
        window_problem: str | None = None,
    ) -> None:
        """`origin` says where the value came from in the command line's words
        ("FRAMEIO_X from the environment"); `source` is its layer (`core.sources`: "flag",
        "environment", ".env", ...), which the window explains in plain words.
        `window_problem` is `problem` in the window's words where they differ."""
        self.setting = setting
        #: The problem as the command line says it (with the origin, if any).
        self.problem = f"{problem} ({origin})" if origin else problem
        self.bare_problem = problem
        self.window_problem = window_problem or problem
        self.source = source
        self.hint = hint or where_to_set(setting)
        self.cli_remedy = self.hint
        self.window_remedy = window_remedy or _settings_remedy(setting, source)
        super().__init__(f"{setting} {self.problem}.")

    @property
    def window_what(self) -> str:
        """What is wrong, in the window's words, without the remedy."""
        where = SOURCE_WORDS.get(self.source, "")
        return f"The {setting_words(self.setting)} {self.window_problem}{where}."

    @property
    def window_message(self) -> str:
        remedy = self.window_remedy.text if self.window_remedy else ""
        return " ".join(part for part in (self.window_what, remedy) if part)


#: How the window names each setting, keyed as `ConfigError.setting` names them.
SETTING_WORDS: dict[str, str] = {
    "FRAMEIO_PROVIDER": "provider",
    "FRAMEIO_ISSUER": "issuer",
    "FRAMEIO_CLIENT_ID": "client ID",
    "CLIENT_ID": "client ID",
    "FRAMEIO_CLIENT_SECRET": "client secret",
    "CLIENT_SECRET": "client secret",
    "FRAMEIO_REDIRECT_URI": "redirect URI",
    "FRAMEIO_SCOPES": "scopes",
    "FRAMEIO_AUTHORIZE_URL": "authorize URL",
    "FRAMEIO_TOKEN_URL": "token URL",
    "FRAMEIO_ACCOUNT_URL": "account URL",
    "FRAMEIO_REVOKE_URL": "revoke URL",
    "FRAMEIO_PROFILE": "profile",
    "FRAMEIO_ACCOUNT_ID": "account ID",
    "FRAMEIO_BROWSER": "browser choice",
    "FRAMEIO_PERSISTENT_WEB_PROFILE": "choice to keep sign-in cookies",
}

#: Where a value came from (`core.sources` layers), as the window explains it.
SOURCE_WORDS: dict[str, str] = {
    "flag": ", set on the command line that started the app",
    "environment": ", set in the environment the app was started from",
    ".env": ", set in a .env file in the folder the app was started from",
}


def setting_words(setting: str) -> str:
    """A setting's name for the window ("client ID"), never its variable or flag."""
    if setting in SETTING_WORDS:
        return SETTING_WORDS[setting]
    if setting.startswith("FRAMEIO_"):
        return "setting " + setting.removeprefix("FRAMEIO_").lower().replace("_", " ")
    return setting


def _settings_remedy(setting: str, source: str) -> WindowRemedy:
    if source in SOURCE_WORDS:
        # Those win over the settings file: the form cannot change what the app uses.
        return WindowRemedy(
            "That wins over Settings: start the app without it, or change it where it is set."
        )
    field = setting.removeprefix("FRAMEIO_").lower() if setting in SETTING_WORDS else None
    return WindowRemedy("Open Settings to set it.", WindowAction.OPEN_SETTINGS, setting=field)


def where_to_set(setting: str) -> str:
    flag = "--" + setting.removeprefix("FRAMEIO_").lower().replace("_", "-")
    return (
        f"Set it with {flag}, the environment variable {setting}, a line "
        f"{setting}=... in a .env file in the working folder, or in the settings file."
    )


class DemoUnavailableError(FrameioDesktopError):
    """`--demo` or `demo-server` without the `demo` extra installed (Flask, Authlib)."""

    title = "Demo not installed"
    exit_code = ExitCode.USAGE
    cli_remedy = (
        "Install it with: pip install 'frameio-desktop[demo]' (from source: "
        "scripts/bootstrap gui,demo)."
    )
    window_remedy = WindowRemedy("Install this app's demo part, then try again.")

    def __init__(self, missing: str = "flask") -> None:
        self.missing = missing
        super().__init__(f"The demo server needs the demo extra ({missing} is not installed).")


class NoDisplayError(FrameioDesktopError):
    """The window was asked for where there is no display to show it on."""

    title = "No display"
    exit_code = ExitCode.NO_DISPLAY
    default_message = (
        "There is no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is "
        "set: an SSH session, a cron job or a service)."
    )
    cli_remedy = (
        "The commands need none: `frameio-desktop login --no-browser` signs in from here, "
        "then `token`, `status` and the others work. For the window, connect with a display "
        "(ssh -X) or run it on the desktop."
    )
    window_remedy = WindowRemedy("Run the app on the desktop.")


class DiscoveryError(FrameioDesktopError):
    exit_code = ExitCode.NETWORK
    default_message = "Could not read the sign-in server's OpenID configuration."
