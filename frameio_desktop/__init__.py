"""Frame.io desktop sign-in.

For scripts: `get_token()` returns a fresh access token and `token_provider()` a callable
for Frame.io's SDK (`Frameio(token=frameio_desktop.token_provider())`); see
`frameio_desktop.api`. Both are imported on first use, so importing this package costs
nothing more than the version.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing would cost every `token` call.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from frameio_desktop.api import TokenProvider

#: The one place the version is written; pyproject.toml reads it from here. A literal,
#: because importlib.metadata costs `frameio-desktop token` ~40 ms at every start.
__version__ = "0.1.0"

__all__ = ["__version__", "get_token", "token_provider"]


def get_token(min_ttl: float = 60, profile: str | None = None, **kwargs: Any) -> str:
    """An access token valid for at least `min_ttl` seconds, refreshed if needed, from the
    sign-in stored for `profile`. The same lock, refresh and keyring rules as
    `frameio-desktop token`. Keyword arguments: see `frameio_desktop.api.get_token`."""
    from frameio_desktop.api import get_token as get

    return get(min_ttl, profile, **kwargs)


def token_provider(min_ttl: float = 60, profile: str | None = None, **kwargs: Any) -> TokenProvider:
    """A callable returning a fresh token at each call, for `Frameio(token=...)`."""
    from frameio_desktop.api import token_provider as provider

    return provider(min_ttl, profile, **kwargs)
