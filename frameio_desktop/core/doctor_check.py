"""What every doctor check returns (`Check`) and reads (`DoctorContext`); see
`core/doctor.py`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from frameio_desktop.core.tokens import utc_now

if TYPE_CHECKING:
    from frameio_desktop.core.http import HttpClient
    from frameio_desktop.core.settings import Settings
    from frameio_desktop.core.store import KeyringTokenStore


@dataclass(frozen=True)
class Check:
    """One check's outcome. `fix` is one line a person can act on (None when it passed).
    `detail` and `fix` are the command line's words; where those name a flag, a variable
    or a command, `window_detail` / `window_fix` say it for the settings form's Check
    set-up (`for_window`)."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None
    window_detail: str | None = field(default=None, compare=False)
    window_fix: str | None = field(default=None, compare=False)

    @property
    def for_window(self) -> tuple[str, str | None]:
        """The detail and the fix as the window shows them."""
        return self.window_detail or self.detail, self.window_fix or self.fix

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


@dataclass
class DoctorContext:
    """What the checks read: the command line's settings flags, the environment, and the
    parts tests (or the window) replace. Built once per run; the settings check fills in
    `settings`/`values` for the checks after it."""

    flags: Mapping[str, str | None] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    platform: str = sys.platform
    clock: Callable[[], datetime] = utc_now
    http: HttpClient | None = None
    store: KeyringTokenStore | None = None
    #: Seconds the custom-scheme round trip waits for the URL to come back.
    scheme_timeout: float = 20.0
    #: Seconds for each network request (a total deadline, as every request has).
    network_deadline: float = 10.0
    #: The scheme check's handoff socket; None: the app's own (see `doctor_scheme`).
    handoff_path: os.PathLike[str] | None = None
    # Filled in by the settings check:
    settings: Settings | None = None
    #: The winning raw values and their sources, also when the settings do not validate.
    values: dict[str, str] = field(default_factory=dict, repr=False)  # the secret too
    sources: dict[str, str] = field(default_factory=dict)

    def http_client(self) -> HttpClient:
        if self.http is None:
            from frameio_desktop.core.http import HttpClient

            self.http = HttpClient(deadline=self.network_deadline)
        return self.http
