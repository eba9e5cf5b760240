"""The Windows named-pipe checks of the sign-in handoff (issue 19), with a fake Win32
API: they cannot run here."""

from __future__ import annotations

import pytest

from frameio_desktop.core.browser import winpipe

ME = "S-1-5-21-1111111111-2222222222-3333333333-1001"
OTHER = "S-1-5-21-1111111111-2222222222-3333333333-1002"


class FakePipeApi:
    def __init__(self, servers: dict[int, int], users: dict[int | None, str | None]) -> None:
        self.servers = servers  # pipe handle -> server process id
        self.users = users  # process id (None: this one) -> its user's SID

    def server_process_id(self, handle: int) -> int | None:
        return self.servers.get(handle)

    def process_user_sid(self, pid: int | None) -> str | None:
        return self.users.get(pid)


def test_only_a_pipe_this_user_serves_is_trusted() -> None:
    api = FakePipeApi({7: 100, 8: 200, 9: 300}, {None: ME, 100: ME, 200: OTHER, 300: None})
    assert winpipe.served_by_this_user(7, api)
    assert not winpipe.served_by_this_user(8, api)  # another user's server
    assert not winpipe.served_by_this_user(9, api)  # its user cannot be read
    assert not winpipe.served_by_this_user(10, api)  # no server process known


def test_the_pipe_name_carries_the_users_sid() -> None:
    pytest.importorskip("PySide6")  # the core-only run has no Qt
    from frameio_desktop.gui.local_handoff import default_owner_check, server_name

    api = FakePipeApi({}, {None: ME})
    assert server_name(platform="win32", api=api) == f"frameio-desktop-sign-in-{ME}"
    assert default_owner_check("win32") is winpipe.served_by_this_user
    assert default_owner_check("linux") is None
