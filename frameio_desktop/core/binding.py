"""Which endpoints a stored sign-in belongs to, and whether today's settings still name them.

Tokens are sent only to the endpoints that issued them: the store keeps a binding with each
entry, and a session refuses an entry whose binding differs from its settings (a setting or
a `.env` that points elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping

from frameio_desktop.core.errors import SessionBindingError
from frameio_desktop.core.providers import PRESETS
from frameio_desktop.core.settings import ENV_NAMES, Settings

#: The settings a stored sign-in is bound to: every endpoint that is sent a token, and the
#: issuer whose discovery document names them. (`accounts_url` is derived from
#: `account_url`, so binding that one binds both.)
BOUND_SETTINGS = ("issuer", "token_url", "account_url", "revoke_url")


def endpoint_binding(settings: Settings) -> dict[str, str | None]:
    """Where tokens issued under these settings may be sent."""
    return {name: getattr(settings, name) for name in BOUND_SETTINGS}


def legacy_binding(settings: Settings) -> dict[str, str | None]:
    """What an entry written before bindings existed is taken to be bound to: the
    provider preset's own endpoints. Such an entry keeps working with the defaults, and
    is never sent to an endpoint a setting (or a `.env`) put in their place. An unknown
    preset binds to nothing, so its old entry is not used at all."""
    preset = PRESETS.get(settings.provider)
    return {name: getattr(preset, name) if preset else None for name in BOUND_SETTINGS}


def binding_conflicts(binding: Mapping[str, str | None], settings: Settings) -> dict[str, str]:
    """Settings whose value differs from the binding: name of the setting -> its source.

    An endpoint still to be discovered is not compared: it will come from the issuer's own
    configuration, and the issuer is compared."""
    changed: dict[str, str] = {}
    for name in BOUND_SETTINGS:
        current = getattr(settings, name)
        if current is None and name != "issuer" and settings.needs_discovery:
            continue
        if binding.get(name) != current:
            changed[ENV_NAMES.get(name, name)] = settings.sources.get(name, "default")
    return changed


def binding_problem(
    binding: Mapping[str, str | None] | None, settings: Settings
) -> SessionBindingError | None:
    """Why an entry with this binding (None: written before bindings existed) may not be
    used under these settings; None when it may."""
    changed = binding_conflicts(
        binding if binding is not None else legacy_binding(settings), settings
    )
    return SessionBindingError(changed) if changed else None
