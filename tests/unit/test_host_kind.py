"""FRAMEIO_SIGN_IN_WINDOW: where the app's own sign-in page runs."""

from __future__ import annotations

import pytest

from frameio_desktop.main import HostKind, host_kind_from_environment


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, HostKind.CHILD_PROCESS),
        ("separate", HostKind.CHILD_PROCESS),
        ("in-window", HostKind.IN_WINDOW),
        (" In-Window ", HostKind.IN_WINDOW),
        ("embedded", HostKind.IN_WINDOW),  # the older spelling still works
        ("system", HostKind.SYSTEM_BROWSER),
        ("elsewhere", HostKind.CHILD_PROCESS),
    ],
)
def test_sign_in_window_setting(
    monkeypatch: pytest.MonkeyPatch, value: str | None, kind: HostKind
) -> None:
    if value is None:
        monkeypatch.delenv("FRAMEIO_SIGN_IN_WINDOW", raising=False)
    else:
        monkeypatch.setenv("FRAMEIO_SIGN_IN_WINDOW", value)
    assert host_kind_from_environment() is kind
