"""What the window is handed to open the settings form and apply what it saves.

The composition root (`frameio_desktop.main`) builds these from plain functions: reading
the current values, checking, saving and rebuilding the session, starting the demo. The
window only calls them, so it never imports the root or the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from frameio_desktop.core import doctor_check
from frameio_desktop.core.configure import Check, SetupState, SetupValues
from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.providers import ProviderPreset
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import Settings


@dataclass(frozen=True)
class Configuration:
    """One configuration the window runs with: the session (None when a setting is
    missing or bad, with the `problem`), the settings as loaded, and the header's title."""

    session: AuthSession | None
    settings: Settings | None
    problem: ConfigError | None
    provider_title: str

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the window should show about how the settings were read: `.env` keys it
        ignored, unknown settings-file keys (the command line prints the same on stderr)."""
        if self.settings is not None:
            return self.settings.warnings
        return self.problem.warnings if self.problem is not None else ()

    @property
    def window_warnings(self) -> tuple[str, ...]:
        """`warnings` in the window's words (no flag or variable name)."""
        if self.settings is not None:
            return self.settings.window_warnings
        return self.problem.window_warnings if self.problem is not None else ()


@dataclass(frozen=True)
class SettingsAccess:
    #: The form's starting values and where each comes from (read afresh each time).
    current: Callable[[], SetupState]
    #: The core's checks for the values typed so far.
    check: Callable[[SetupValues, SetupState], Mapping[str, Check]]
    #: The providers the form offers, the default first.
    presets: Sequence[ProviderPreset]
    #: Save, re-read the settings and build the session they describe. Raises a
    #: `FrameioDesktopError` (a keyring that refuses the secret, an unwritable file).
    save: Callable[[SetupValues, SetupState], Configuration]
    #: Which of provider, client ID, endpoints and issuer the values would change against
    #: the given settings (the configuration in use); empty when none.
    identity_changes: Callable[[SetupValues, SetupState, Settings], tuple[str, ...]]
    #: Start the built-in demo server and return its configuration; None hides the button.
    try_demo: Callable[[], Configuration] | None = None
    #: `frameio-desktop doctor`'s checks of the saved settings (run on a pool thread by
    #: the form's **Check set-up**); None hides the button.
    setup_checks: Callable[[], Sequence[doctor_check.Check]] | None = None
