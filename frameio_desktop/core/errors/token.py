"""The token endpoint's errors (RFC 6749 section 5.2), and a token response that
cannot be used."""

from __future__ import annotations

from frameio_desktop.core.errors.base import ExitCode, FrameioDesktopError, server_text


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
