"""The settings form's side of the composition root: loading the settings into a session
for the window, saving the form, and "Try the demo". `main` builds the window with it;
nothing else imports it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.settings import Settings, load_settings
from frameio_desktop.demo_mode import DemoOnDemand

if TYPE_CHECKING:
    from frameio_desktop.core.configure import SecretStore
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.gui.settings_access import Configuration, SettingsAccess


def provider_title(settings: Settings | None) -> str:
    title = settings.title if settings else "Frame.io"
    if settings is not None and settings.profile == "demo":
        title += " · demo server"
    return title


def configuration_for(
    flags: Mapping[str, str | None],
    load: Callable[[], Settings] | None = None,
    make_session: Callable[[Settings], AuthSession] | None = None,
) -> Configuration:
    """Load the settings (flags first, then environment, .env, file) and build the
    session they describe; a bad or missing setting gives no session and the problem."""
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.gui.settings_access import Configuration

    try:
        settings = load() if load is not None else load_settings(flags)
    except ConfigError as problem:
        return Configuration(None, None, problem, provider_title(None))
    session = (make_session or AuthSession)(settings)
    return Configuration(session, settings, None, provider_title(settings))


def settings_access_for(
    flags: Mapping[str, str | None],
    *,
    settings_path: Path | None = None,
    secrets: SecretStore | None = None,
    demo: DemoOnDemand | None = None,
    make_session: Callable[[Settings], AuthSession] | None = None,
) -> SettingsAccess:
    """What the window needs to open the settings form, save it, and start the demo.
    `settings_path`, `secrets` and `make_session` are the user's settings file and keyring
    unless given (tests give their own)."""
    from frameio_desktop.core import configure
    from frameio_desktop.core.doctor import DoctorContext, run_checks
    from frameio_desktop.gui.settings_access import SettingsAccess

    def load() -> Settings:
        lookup = secrets.load if secrets is not None else None
        return load_settings(flags, settings_path=settings_path, secret_lookup=lookup)

    def save(values: configure.SetupValues, state: configure.SetupState) -> Configuration:
        configure.save_setup(values, state, path=settings_path, secrets=secrets)
        return configuration_for(flags, load, make_session)

    def identity_changes(
        values: configure.SetupValues, state: configure.SetupState, old: Settings
    ) -> tuple[str, ...]:
        before = configure.SignInIdentity.of(old)
        try:
            after = configure.settings_after_save(values, state, flags)
        except ConfigError:
            return ("provider", "client_id")  # cannot tell: ask, to be safe
        return before.changes(configure.SignInIdentity.of(after))

    def try_demo() -> Configuration:
        server = (demo or DemoOnDemand()).start()
        demo_flags = server.settings_flags()
        # Only the demo's own settings: none of the person's may point it elsewhere.
        return configuration_for(
            demo_flags,
            lambda: load_settings(
                demo_flags, environ={}, dotenv_path=Path(os.devnull), file_values={}
            ),
            make_session,
        )

    return SettingsAccess(
        current=lambda: configure.current_setup(flags, settings_path=settings_path),
        check=lambda values, state: configure.check_all(values, state),
        presets=configure.PROVIDER_CHOICES,
        save=save,
        identity_changes=identity_changes,
        try_demo=try_demo if demo is not None else None,
        setup_checks=lambda: run_checks(DoctorContext(flags=dict(flags))),
    )
