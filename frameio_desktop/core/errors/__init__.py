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

The table is kept in parts, by where a failure comes from: `base` (the error itself and
the exit codes), `config`, `redirect`, `token`, `transport` and `session`. Import from
here: `from frameio_desktop.core.errors import NotSignedInError`.
"""

from frameio_desktop.core.errors.base import (
    EXIT_CODE_MEANINGS,
    SERVER_TEXT_LIMIT,
    UNEXPECTED_TITLE,
    ExitCode,
    FrameioDesktopError,
    WindowAction,
    WindowRemedy,
    server_text,
)
from frameio_desktop.core.errors.config import (
    SETTING_WORDS,
    SOURCE_WORDS,
    ConfigError,
    DemoUnavailableError,
    DiscoveryError,
    NoDisplayError,
    setting_words,
    where_to_set,
)
from frameio_desktop.core.errors.redirect import (
    INTERACTION_ERRORS,
    AuthorizationDeniedError,
    AuthorizationResponseError,
    AuthorizationServerError,
    ConsentRequiredError,
    DuplicateParameterError,
    FlowAlreadyUsedError,
    InteractionRequiredError,
    IssuerMismatchError,
    LoginRequiredError,
    MissingCodeError,
    RedirectMismatchError,
    StateMismatchError,
    UnknownRedirectError,
)
from frameio_desktop.core.errors.session import (
    KeyringLockedError,
    KeyringReadBackError,
    LockTimeoutError,
    NoSecureKeyringError,
    NotSignedInError,
    SessionBindingError,
    SessionExpiredError,
    SignInCancelledError,
    SignInEndedError,
    SignInEndingError,
    SignOutIncompleteError,
    StatusUncheckedError,
    StoredDataError,
    StoreError,
    TokenLifetimeTooShortError,
    UnknownAccountError,
)
from frameio_desktop.core.errors.token import (
    OAUTH_ERRORS,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    InvalidTokenResponseError,
    OAuthError,
    UnauthorizedClientError,
    UnsupportedGrantTypeError,
)
from frameio_desktop.core.errors.transport import (
    ApiRetiredError,
    EndpointGoneError,
    HostNotFoundError,
    NetworkError,
    RefreshFailedElsewhereError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    TLSError,
    TokenRejectedError,
    TransportError,
    UnexpectedResponseError,
)

__all__ = [
    "EXIT_CODE_MEANINGS",
    "INTERACTION_ERRORS",
    "OAUTH_ERRORS",
    "SERVER_TEXT_LIMIT",
    "SETTING_WORDS",
    "SOURCE_WORDS",
    "UNEXPECTED_TITLE",
    "ApiRetiredError",
    "AuthorizationDeniedError",
    "AuthorizationResponseError",
    "AuthorizationServerError",
    "ConfigError",
    "ConsentRequiredError",
    "DemoUnavailableError",
    "DiscoveryError",
    "DuplicateParameterError",
    "EndpointGoneError",
    "ExitCode",
    "FlowAlreadyUsedError",
    "FrameioDesktopError",
    "HostNotFoundError",
    "InteractionRequiredError",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "InvalidTokenResponseError",
    "IssuerMismatchError",
    "KeyringLockedError",
    "KeyringReadBackError",
    "LockTimeoutError",
    "LoginRequiredError",
    "MissingCodeError",
    "NetworkError",
    "NoDisplayError",
    "NoSecureKeyringError",
    "NotSignedInError",
    "OAuthError",
    "RedirectMismatchError",
    "RefreshFailedElsewhereError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerError",
    "SessionBindingError",
    "SessionExpiredError",
    "SignInCancelledError",
    "SignInEndedError",
    "SignInEndingError",
    "SignOutIncompleteError",
    "StateMismatchError",
    "StatusUncheckedError",
    "StoreError",
    "StoredDataError",
    "TLSError",
    "TokenLifetimeTooShortError",
    "TokenRejectedError",
    "TransportError",
    "UnauthorizedClientError",
    "UnexpectedResponseError",
    "UnknownAccountError",
    "UnknownRedirectError",
    "UnsupportedGrantTypeError",
    "WindowAction",
    "WindowRemedy",
    "server_text",
    "setting_words",
    "where_to_set",
]
