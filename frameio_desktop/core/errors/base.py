"""What every error is: `FrameioDesktopError` with its title, message, exit code and
remedies for each surface, and the exit codes themselves (`ExitCode`)."""

from __future__ import annotations

from dataclasses import dataclass
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
