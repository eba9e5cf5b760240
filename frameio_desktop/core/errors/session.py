"""The session and its storage: not signed in, expired, cancelled, busy, and the
keyring."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from frameio_desktop.core.errors.base import (
    ExitCode,
    FrameioDesktopError,
    WindowAction,
    WindowRemedy,
)
from frameio_desktop.core.errors.config import SOURCE_WORDS, setting_words


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
