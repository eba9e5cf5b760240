"""The redirect back from the sign-in page: every way its answer can be wrong or a
refusal."""

from __future__ import annotations

from frameio_desktop.core.errors.base import (
    ExitCode,
    FrameioDesktopError,
    WindowAction,
    WindowRemedy,
    server_text,
)


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
