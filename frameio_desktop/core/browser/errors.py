"""The failures of the system-browser sign-in a person is told about differently."""

from __future__ import annotations

from frameio_desktop.core.errors import (
    ExitCode,
    FrameioDesktopError,
    SignInCancelledError,
    WindowAction,
    WindowRemedy,
)


class RedirectListenerError(FrameioDesktopError):
    """The app cannot listen for the sign-in answer on this computer's loopback address."""

    title = "Cannot receive the sign-in"
    #: This computer's loopback network would not take the answer.
    exit_code = ExitCode.NETWORK

    default_message = "The app cannot listen for the sign-in answer on this computer."


class PortInUseError(RedirectListenerError):
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        super().__init__(
            f"Another program is using port {port} on {host}, where the sign-in answer must "
            "arrive. Close that program and try again, or register a redirect URI without a "
            "port, so the app can pick a free one."
        )


class SignInTimeoutError(SignInCancelledError):
    """No redirect reached the app in time; the listener has closed."""

    title = "Sign-in timed out"
    exit_code = ExitCode.CANCELLED

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        minutes = max(1, round(seconds / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(
            f"The browser did not come back to the app within {minutes} {unit}. "
            "Start the sign-in again."
        )


class StartAddressReusedError(FrameioDesktopError):
    """The one-time start address of the sign-in was fetched twice: something other than
    the person's browser may have read the sign-in request, so the sign-in is stopped."""

    title = "Sign-in stopped"
    exit_code = ExitCode.CANCELLED
    default_message = (
        "The sign-in's one-time address was opened twice, so another program may have read "
        "it. The sign-in was stopped to keep anyone else from finishing it. Start it again."
    )


class HandoffError(FrameioDesktopError):
    """A redirect URL could not be handed to the running app."""

    title = "Sign-in answer not delivered"
    #: The sign-in did not complete: start it again from the app.
    exit_code = ExitCode.CANCELLED

    default_message = "The sign-in answer could not be handed to the running app."


class NoRunningInstanceError(HandoffError):
    default_message = (
        "The browser sent a sign-in answer, but frameio-desktop is not waiting for one. "
        "Open the app and sign in from there."
    )


class HandoffRefusedError(HandoffError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"The running app refused the sign-in answer: {reason}")


class RuntimeFolderError(HandoffError):
    """The per-user runtime folder is missing or not private to this user."""


class SchemeRegistrationError(FrameioDesktopError):
    title = "Cannot register the sign-in address"
    #: The desktop's set-up (xdg-utils, the registry) must change first.
    exit_code = ExitCode.USAGE
    default_message = "The app could not register itself as the handler of its redirect scheme."


class BrowserOpenError(FrameioDesktopError):
    title = "Cannot open a browser"
    #: Choose a browser (BROWSER) or use `login --no-browser`.
    exit_code = ExitCode.USAGE
    default_message = "The app could not open a web browser."
    cli_remedy = "Open the sign-in page yourself, or use login --no-browser."
    window_remedy = WindowRemedy(
        "Sign in in the app's own sign-in window instead.", WindowAction.SIGN_IN_HERE
    )
