"""A still-fresh stored token, read with as little as possible: the hot path of
`frameio-desktop token` and `get_token()` when no app answers.

Scripts ask for a token often, and most of the time the stored one is still fresh. Then
neither the session, its HTTP client nor keyring are needed: the settings, a plain read of
the Secret Service (`core.secret_service`) and the binding check are. Anything else (a
refresh, a warning or notice to show, keyring's own read) is None here, and the caller
takes its whole path, with every rule. Nothing here writes, so handing over is harmless.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import timedelta

    from frameio_desktop.core.tokens import TokenSet


def fresh_stored_token(flags: Mapping[str, str | None], wanted: timedelta) -> TokenSet | None:
    """The stored tokens for the settings `flags` name, when their access token lasts
    `wanted` and there is nothing else to say: settings that load without a warning or a
    retirement notice, an entry read plainly from the Secret Service and bound to these
    settings. None for anything else."""
    from datetime import date

    from frameio_desktop.core.binding import binding_problem
    from frameio_desktop.core.errors import FrameioDesktopError
    from frameio_desktop.core.providers import sunset_notice
    from frameio_desktop.core.settings import load_settings
    from frameio_desktop.core.store import KeyringTokenStore
    from frameio_desktop.core.tokens import utc_now

    try:
        settings = load_settings(flags)
        if settings.warnings or sunset_notice(settings.provider, date.today()) is not None:
            return None
        store = KeyringTokenStore()
        if not store.reads_plainly():
            return None  # keyring's own read: the whole path pays for it either way
        entry = store.load_entry(settings.store_key)
    except (FrameioDesktopError, ValueError, OSError):
        return None
    if entry is None or binding_problem(entry.binding, settings) is not None:
        return None
    if not entry.tokens.is_fresh(utc_now(), wanted):
        return None
    return entry.tokens
