"""The network and the API: unreachable, slow, too big, refused, gone or retired."""

from __future__ import annotations

from datetime import date

from frameio_desktop.core.errors.base import (
    ExitCode,
    FrameioDesktopError,
    WindowAction,
    WindowRemedy,
)


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
