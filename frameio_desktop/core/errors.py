"""Every failure the app reports, one class per kind a person must be told about differently.

This is the one table from failure to words and exit code: each class carries its window
heading (`title`), its sentence (`user_message`) and the command line's `exit_code`, as
Authlib's errors carry their `status_code`. The window and the command line only read
them; nothing is reported as a bare dict. `user_message` is always safe to show: it never
holds a token.

Each error also says what to do about it on each surface: `cli_remedy` (flags and
commands, the end of `user_message`) and `window_remedy` (plain words, and the button the
window offers); `window_message` is what the window shows. Nothing the window shows names
a flag or an environment variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, IntEnum


class ExitCode(IntEnum):
    """The command line's exit statuses (documented in `frameio-desktop --help`)."""

    OK = 0
    ERROR = 1  # unexpected error
    USAGE = 2  # bad flags or settings
    NOT_SIGNED_IN = 3
    SESSION_EXPIRED = 4  # sign in again
    NETWORK = 5  # network or server error
    NO_KEYRING = 6  # no secure keyring
    CANCELLED = 7  # sign-in cancelled or denied
    BUSY = 8  # another frameio-desktop process holds the sign-in's lock
    UNCHECKED = 9  # status: signed in as stored, but the server could not be asked
    NO_DISPLAY = 10  # the window was asked for, and there is no display to show it on
    CHECK_FAILED = 11  # doctor: a check of the set-up failed
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report it: 128 + 2
    TERMINATED = 143  # the window, stopped by SIGTERM: 128 + 15


#: What each exit status means, in the words `--help` prints and the README's table uses
#: (a unit test holds the README to this).
EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "ok",
    ExitCode.ERROR: "unexpected error",
    ExitCode.USAGE: "bad command line or settings",
    ExitCode.NOT_SIGNED_IN: "not signed in",
    ExitCode.SESSION_EXPIRED: "session expired or revoked: sign in again",
    ExitCode.NETWORK: "network or server error",
    ExitCode.NO_KEYRING: "no secure keyring available, or the keyring is locked or failed",
    ExitCode.CANCELLED: "sign-in cancelled or denied (login)",
    ExitCode.BUSY: "another frameio-desktop process is busy with this sign-in: try again",
    ExitCode.UNCHECKED: "status: could not check with the server; it shows what is stored",
    ExitCode.NO_DISPLAY: "no display to show the window on (use the commands, or login "
    "--no-browser)",
    ExitCode.CHECK_FAILED: "doctor: a check of the set-up failed (each says its fix)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); a refresh under way is saved first",
    ExitCode.TERMINATED: "the window was stopped by SIGTERM (and quit cleanly)",
}


#: Longest piece of server-sent text put into a message.
SERVER_TEXT_LIMIT = 300


def server_text(value: str | None) -> str | None:
    """Text a server sent (`error`, `error_description`), safe to show in a window or a
    terminal: control and formatting characters (escape sequences, carriage returns,
    bidirectional overrides) removed, whitespace runs made one space, length bounded."""
    if value is None:
        return None
    import unicodedata

    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    text = " ".join(kept.split())
    if len(text) > SERVER_TEXT_LIMIT:
        text = text[: SERVER_TEXT_LIMIT - 1] + "…"
    return text or None


#: The heading for an exception that is not one of these classes (a bug).
UNEXPECTED_TITLE = "Something went wrong"


class WindowAction(Enum):
    """A button the window offers beside an error or a notice (its label)."""

    #: The settings form, on the field named by `WindowRemedy.setting`, with
    #: `WindowRemedy.provider` chosen when given.
    OPEN_SETTINGS = "Open settings"
    #: A sign-in in the app's own sign-in window instead of the person's browser.
    SIGN_IN_HERE = "Sign in in the app"


@dataclass(frozen=True)
class WindowRemedy:
    """What the window says to do about a failure, in plain words, and the button for it."""

    text: str
    action: WindowAction | None = None
    #: OPEN_SETTINGS: the setting (`client_id`, `redirect_uri`, ...) to put the focus on.
    setting: str | None = None
    #: OPEN_SETTINGS: the provider preset to choose in the form.
    provider: str | None = None


class FrameioDesktopError(Exception):
    """Base class for everything this package raises on purpose."""

    #: A sentence a person can act on. Subclasses override or pass one in.
    default_message = "Something went wrong."
    #: The error page's heading.
    title = "Sign-in did not finish"
    exit_code = ExitCode.ERROR
    #: What to do at the command line (flags, commands); ends `user_message`.
    cli_remedy = ""
    #: What to do in the window, with no flag or variable name (None: nothing to add).
    window_remedy: WindowRemedy | None = None

    def __init__(self, message: str | None = None) -> None:
        #: What happened, in words for every surface.
        self.what = message or self.default_message
        self.user_message = " ".join(part for part in (self.what, self.cli_remedy) if part)
        super().__init__(self.user_message)

    @property
    def window_message(self) -> str:
        """What the window shows: what happened, then the window's remedy."""
        remedy = self.window_remedy.text if self.window_remedy else ""
        return " ".join(part for part in (self.what, remedy) if part)


# --- configuration ------------------------------------------------------------------------


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
    ) -> None:
        """`origin` says where the value came from in the command line's words
        ("FRAMEIO_X from the environment"); `source` is its layer (`core.sources`: "flag",
        "environment", ".env", ...), which the window explains in plain words."""
        self.setting = setting
        #: The problem as the command line says it (with the origin, if any).
        self.problem = f"{problem} ({origin})" if origin else problem
        self.bare_problem = problem
        self.source = source
        self.hint = hint or where_to_set(setting)
        self.cli_remedy = self.hint
        self.window_remedy = window_remedy or _settings_remedy(setting, source)
        super().__init__(f"{setting} {self.problem}.")

    @property
    def window_what(self) -> str:
        """What is wrong, in the window's words, without the remedy."""
        where = SOURCE_WORDS.get(self.source, "")
        return f"The {setting_words(self.setting)} {self.bare_problem}{where}."

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


# --- the redirect back from the sign-in page ------------------------------------------------


class AuthorizationResponseError(FrameioDesktopError):
    """The URL the sign-in page redirected to cannot be used."""

    exit_code = ExitCode.CANCELLED
    default_message = "The sign-in page sent back an answer the app cannot use. Try again."


class RedirectMismatchError(AuthorizationResponseError):
    default_message = "The sign-in page redirected somewhere other than this app's address."


class UnknownRedirectError(RedirectMismatchError):
    """This sign-in's answer (its state, with a code or an error) was sent to an address
    that is not the redirect URI: the server does not know the redirect URI the app asked
    for. Adobe IMS does not show an error then; it sends the answer to the credential's
    Default redirect URI, which can be any https page. The app's own window stops that
    navigation before it leaves (`stopped`); a pasted address has already been there."""

    title = "Redirect URI not recognised"
    exit_code = ExitCode.USAGE  # a setting must change: trying again cannot help
    #: Where the setting is on the command line (the window shows its Settings instead).
    command_line_hint = "On the command line it is --redirect-uri or FRAMEIO_REDIRECT_URI."

    def __init__(self, host: str, *, stopped: bool = True) -> None:
        self.host = host
        self.stopped = stopped
        if stopped:
            where = (
                f"The sign-in server sent its answer to {host} instead of this app. The app "
                f"stopped it before it left: nothing reached {host}."
            )
        else:  # a pasted address: only the command line shows this
            where = (
                f"The browser ended on {host}, not on this app's redirect URI: the sign-in "
                "server sent its answer to another page."
            )
        text = (
            f"{where} The server does not know the redirect URI the app asked for. Compare "
            "the redirect URI in Settings with the one your credential lists (Adobe "
            "Developer Console: Redirect URI, or Default redirect URI)."
        )
        if not stopped:
            self.cli_remedy = self.command_line_hint
        super().__init__(text)

    window_remedy = WindowRemedy("", WindowAction.OPEN_SETTINGS, setting="redirect_uri")


class DuplicateParameterError(AuthorizationResponseError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"The sign-in answer repeats the parameter {name!r}; it was refused.")


class StateMismatchError(AuthorizationResponseError):
    default_message = (
        "The sign-in answer does not belong to the sign-in this app started (state mismatch). "
        "Start again."
    )


class MissingCodeError(AuthorizationResponseError):
    default_message = "The sign-in page did not send an authorization code. Try again."


class IssuerMismatchError(AuthorizationResponseError):
    default_message = "The sign-in answer came from a different server than expected (iss)."


class FlowAlreadyUsedError(AuthorizationResponseError):
    default_message = "This sign-in was already completed. Start a new one."


class AuthorizationDeniedError(AuthorizationResponseError):
    """The person (or the server) said no: `error=access_denied`."""

    title = "Access denied"

    def __init__(self, error: str = "access_denied", description: str | None = None) -> None:
        self.error = error
        self.description = description = server_text(description)
        message = "Permission was not given, so the app cannot sign you in. You can try again."
        if description:
            message += f" The server said: “{description}”"
        super().__init__(message)


class AuthorizationServerError(AuthorizationResponseError):
    """Any other `error=` on the redirect (RFC 6749 section 4.1.2.1)."""

    def __init__(self, error: str, description: str | None = None) -> None:
        self.error = error
        self.description = description = server_text(description)
        message = f"The sign-in server refused the request ({server_text(error)})."
        if description:
            message += f" It said: {description}"
        super().__init__(message)


class InteractionRequiredError(AuthorizationServerError):
    """A silent sign-in (`prompt=none`) cannot finish without the person: OpenID Connect
    Core 3.1.2.6 `interaction_required`. Subclasses say which interaction. The app asks
    the person to sign in again; it never retries silently."""

    error_code = "interaction_required"
    default_message = "Your sign-in needs you: sign in again."
    title = "Sign in again"
    exit_code = ExitCode.SESSION_EXPIRED

    def __init__(self, error: str | None = None, description: str | None = None) -> None:
        super().__init__(error or self.error_code, description)
        self.what = self.user_message = self.default_message
        self.args = (self.user_message,)


class LoginRequiredError(InteractionRequiredError):
    error_code = "login_required"
    default_message = "Your sign-in has ended at the server: sign in again."


class ConsentRequiredError(InteractionRequiredError):
    error_code = "consent_required"
    default_message = "The app needs your permission again: sign in again."


#: `error=` values on a `prompt=none` redirect -> the class raised for each.
INTERACTION_ERRORS: dict[str, type[InteractionRequiredError]] = {
    cls.error_code: cls
    for cls in (InteractionRequiredError, LoginRequiredError, ConsentRequiredError)
}
INTERACTION_ERRORS["account_selection_required"] = InteractionRequiredError


# --- the token endpoint ------------------------------------------------------------------------


class OAuthError(FrameioDesktopError):
    """An RFC 6749 section 5.2 error from the token endpoint. Subclass per error code."""

    exit_code = ExitCode.NETWORK
    error_code = "unknown_error"
    default_message = "The sign-in server refused the request."

    def __init__(self, description: str | None = None, *, error: str | None = None) -> None:
        self.error = error or self.error_code
        self.description = description = server_text(description)
        message = f"{self.default_message} ({server_text(self.error)})"
        if description:
            message += f": {description}"
        super().__init__(message)


class InvalidRequestError(OAuthError):
    error_code = "invalid_request"
    default_message = "The sign-in server rejected the request as malformed"


class InvalidClientError(OAuthError):
    error_code = "invalid_client"
    default_message = "The sign-in server does not accept this app's client ID or secret"


class InvalidGrantError(OAuthError):
    title = "Your sign-in has expired"
    exit_code = ExitCode.SESSION_EXPIRED
    error_code = "invalid_grant"
    default_message = "The sign-in has expired or was revoked; sign in again"


class UnauthorizedClientError(OAuthError):
    error_code = "unauthorized_client"
    default_message = "This app is not allowed to use this kind of sign-in"


class UnsupportedGrantTypeError(OAuthError):
    error_code = "unsupported_grant_type"
    default_message = "The sign-in server does not support this kind of sign-in"


class InvalidScopeError(OAuthError):
    error_code = "invalid_scope"
    default_message = "The sign-in server does not accept the requested scopes"


OAUTH_ERRORS: dict[str, type[OAuthError]] = {
    cls.error_code: cls
    for cls in (
        InvalidRequestError,
        InvalidClientError,
        InvalidGrantError,
        UnauthorizedClientError,
        UnsupportedGrantTypeError,
        InvalidScopeError,
    )
}


class InvalidTokenResponseError(FrameioDesktopError):
    exit_code = ExitCode.NETWORK
    default_message = "The sign-in server sent a token response the app cannot use."


# --- transport ---------------------------------------------------------------------------


class TransportError(FrameioDesktopError):
    """The request did not get a usable HTTP answer."""

    exit_code = ExitCode.NETWORK


class NetworkError(TransportError):
    title = "Network problem"
    default_message = "Cannot reach the server. Check the network connection and try again."


class RequestTimeoutError(TransportError):
    title = "Network problem"
    default_message = "The server took too long to answer. Try again."


class ResponseTooLargeError(TransportError):
    default_message = "The server sent an answer far larger than expected; it was refused."


class TLSError(TransportError):
    title = "Insecure connection"
    default_message = (
        "The server's secure connection could not be verified (TLS certificate problem). "
        "Nothing was sent."
    )


class HostNotFoundError(NetworkError):
    """The server's name does not resolve (DNS): offline, or the host is gone."""

    default_message = "The server's name cannot be found. Check the network connection."


class RefreshFailedElsewhereError(TransportError):
    """Another process refreshed this sign-in while this one waited for it, and failed:
    this one ends with that failure rather than ask the same server again."""

    def __init__(self, message: str) -> None:
        super().__init__(
            f"{message.rstrip('.')}. (Another frameio-desktop process was refreshing this "
            "sign-in and met this; this one waited for it and did not try again.)"
        )


class ServerError(TransportError):
    title = "Server error"

    def __init__(self, status: int, url_host: str) -> None:
        self.status = status
        super().__init__(
            f"The server {url_host} had a problem (HTTP {status}). Try again in a moment."
        )


class UnexpectedResponseError(TransportError):
    default_message = "The server sent an answer the app does not understand."


class EndpointGoneError(UnexpectedResponseError):
    """An endpoint answered 404 Not Found or 410 Gone."""

    def __init__(self, status: int, url_host: str) -> None:
        self.status = status
        super().__init__(f"{url_host} no longer serves this address (HTTP {status}).")


class ApiRetiredError(FrameioDesktopError):
    """The provider's API has been switched off (Frame.io V2 since 2026-12-01)."""

    exit_code = ExitCode.USAGE  # a setting (the provider) must change

    def __init__(
        self,
        title: str,
        retired_on: date,
        successor: str | None,
        successor_title: str | None = None,
    ) -> None:
        self.retired_on = retired_on
        self.successor = successor
        switch = f"--provider {successor}" if successor else "another provider"
        self.cli_remedy = f"Sign in with {switch}."
        self.window_remedy = WindowRemedy(
            f"Open Settings and choose {successor_title or 'another provider'}.",
            WindowAction.OPEN_SETTINGS,
            setting="provider",
            provider=successor,
        )
        super().__init__(
            f"{title} has been retired (since {retired_on.isoformat()}) and no longer answers."
        )


class TokenRejectedError(FrameioDesktopError):
    """The API answered 401: the access token is not (or no longer) valid."""

    title = "Your sign-in has expired"
    exit_code = ExitCode.SESSION_EXPIRED
    default_message = "The server no longer accepts this sign-in. Sign in again."


# --- the session and its storage -------------------------------------------------------------


class SignInCancelledError(FrameioDesktopError):
    exit_code = ExitCode.CANCELLED
    default_message = "Sign-in was cancelled."


class NotSignedInError(FrameioDesktopError):
    exit_code = ExitCode.NOT_SIGNED_IN
    default_message = "No one is signed in."
    cli_remedy = "Run `frameio-desktop login` or open the app."
    window_remedy = WindowRemedy("Sign in to continue.")


class SessionBindingError(NotSignedInError):
    """The stored sign-in was issued by other endpoints than the settings now name.

    Its tokens are not sent anywhere: a `.env` in the working folder, say, must not be able
    to send them to a server of its choosing."""

    cli_remedy = "Sign in again with these settings, or use the settings it was made with."
    window_remedy = WindowRemedy(
        "Sign in again with these settings, or change them back in Settings.",
        WindowAction.OPEN_SETTINGS,
    )

    def __init__(self, changed: Mapping[str, str]) -> None:
        #: Setting variable -> where the differing value comes from ("environment", ...)
        self.changed = dict(changed)
        names = ", ".join(f"{name} (from {source})" for name, source in self.changed.items())
        super().__init__(self._what(names))

    @staticmethod
    def _what(names: str) -> str:
        return (
            "No sign-in for this configuration: the stored sign-in was made with other "
            f"endpoints than the settings now name ({names}). Its tokens were not sent "
            "anywhere."
        )

    @property
    def window_message(self) -> str:
        names = ", ".join(
            f"the {setting_words(name)}{SOURCE_WORDS.get(source, '')}"
            for name, source in self.changed.items()
        )
        remedy = self.window_remedy.text if self.window_remedy else ""
        return f"{self._what(names)} {remedy}"


class UnknownAccountError(FrameioDesktopError):
    """The account chosen as the default is not one of the signed-in user's accounts."""

    title = "Not one of your accounts"
    exit_code = ExitCode.USAGE  # another account must be chosen

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        super().__init__(
            f"{account_id!r} is not one of the signed-in user's accounts. Choose one of the "
            "accounts listed for this sign-in."
        )


class TokenLifetimeTooShortError(FrameioDesktopError):
    """Even a freshly refreshed access token expires sooner than the caller needs. Known
    from the last token the server gave (`remembered`), it is said before any request."""

    exit_code = ExitCode.USAGE  # the minimum asked for must change

    def __init__(self, seconds_left: float, wanted: float, *, remembered: bool = False) -> None:
        self.lifetime = max(0, int(seconds_left))
        self.wanted = int(wanted)
        source = " (the last one it gave did)" if remembered else ""
        super().__init__(
            f"The sign-in server issues access tokens that last {self.lifetime} s{source}, "
            f"less than the {self.wanted} s asked for, so no token can meet it."
        )

    cli_remedy = "Ask for a shorter minimum (--min-ttl)."


class SignOutIncompleteError(FrameioDesktopError):
    """Sign-out could not do all it should: says what is left (exit code of the cause)."""

    title = "Sign-out is not complete"

    def __init__(self, message: str, cause: FrameioDesktopError) -> None:
        self.cause = cause
        self.exit_code = cause.exit_code
        super().__init__(message)


class StatusUncheckedError(FrameioDesktopError):
    """`status` could not ask the server (offline, a stalled or failing server): it shows
    what is stored, and says so with an exit code of its own."""

    title = "Not checked with the server"
    exit_code = ExitCode.UNCHECKED

    def __init__(self, cause: FrameioDesktopError) -> None:
        self.cause = cause
        super().__init__(
            f"Could not check with the server ({cause.user_message.rstrip('.')}). "
            "Shown is what is stored."
        )


class LockTimeoutError(FrameioDesktopError):
    exit_code = ExitCode.BUSY
    default_message = (
        "Another frameio-desktop process has been busy with this sign-in for too long. "
        "Try again in a moment."
    )


class SessionExpiredError(FrameioDesktopError):
    title = "Your sign-in has expired"
    exit_code = ExitCode.SESSION_EXPIRED
    default_message = "The sign-in has expired or was revoked. Sign in again."


class SignInEndedError(SessionExpiredError):
    """The access token has expired and the provider gave no refresh token (Adobe IMS
    Native and Single-Page App credentials): only a new sign-in helps."""

    def __init__(self, ended_at: datetime) -> None:
        self.ended_at = ended_at
        super().__init__(
            f"The sign-in lasted until {_local(ended_at)} and cannot be renewed (the "
            "provider gave no refresh token). Sign in again."
        )


class SignInEndingError(SessionExpiredError):
    """A token valid for longer than the sign-in lasts was asked for, and there is no
    refresh token to get one. The stored sign-in stays usable until it ends."""

    def __init__(self, ends_at: datetime) -> None:
        self.ends_at = ends_at
        super().__init__(
            f"The sign-in lasts only until {_local(ends_at)} and cannot be renewed (the "
            "provider gave no refresh token). Sign in again for a longer one."
        )


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


class StoreError(FrameioDesktopError):
    exit_code = ExitCode.NO_KEYRING
    default_message = "The system keyring failed."


class NoSecureKeyringError(StoreError):
    """No secure keyring: the caller keeps tokens in memory for this run only."""

    title = "No secure keyring"

    default_message = (
        "No secure keyring is available, so you will stay signed in only until you quit."
    )


class KeyringReadBackError(NoSecureKeyringError):
    """The backend accepted a value but did not give it back (a silently dropping backend)."""

    default_message = (
        "The system keyring did not keep what was written to it, so you will stay signed in "
        "only until you quit."
    )


class KeyringLockedError(StoreError):
    default_message = (
        "The system keyring is locked. Unlock it (for example by signing in to the desktop "
        "session or opening the keyring manager) and try again."
    )


class StoredDataError(StoreError):
    default_message = "The stored sign-in is damaged. Sign in again."
