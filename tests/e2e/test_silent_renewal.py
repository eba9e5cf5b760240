"""Silent renewal end to end: the real window, the real sign-in window process and its
persistent web profile, against panva's oidc-provider with a client that gets no refresh
token (no refresh_token grant, no offline_access), and against the IMS-shaped demo with a
credential that gets none (its custom-scheme redirect, its own session cookie)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from frameio_desktop.core.web_profile import delete_web_profile, web_profile_path
from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.sign_in_child.host import ChildProcessHost
from frameio_desktop.gui.sign_in_host import HostPlace, SignInHost
from tests.e2e.conftest import App
from tests.helpers import oidc
from tests.helpers.peers import DemoPeer, OidcPeer, Peer


class NoRefreshDemoPeer(DemoPeer):
    """The IMS-shaped demo as `scripts/demo` starts it: its default credential is a Native
    App one that gets no refresh token."""

    def __init__(self) -> None:
        self.server = DemoServer(token_ttl=600).start()
        assert not self.server.refresh_tokens


@pytest.fixture(params=["oidc-provider", "demo"])
def peer(request: pytest.FixtureRequest) -> Iterator[Peer]:
    server: Peer
    if request.param == "demo":
        server = NoRefreshDemoPeer()
    elif oidc.available() is not None:
        pytest.skip(str(oidc.available()))
    else:
        server = OidcPeer()
    yield server
    server.stop()


def flags_for(peer: Peer, profile: str) -> dict[str, str]:
    flags = {**peer.settings_flags(), "profile": profile}
    if isinstance(peer, OidcPeer):
        # The test client without a refresh_token grant; no offline_access.
        flags.update(client_id=f"{oidc.CLIENT_ID}-silent", scopes="openid profile email")
    return flags


def test_prompt_none_renews_from_the_profile_and_asks_once_it_is_deleted(
    launch: Callable[[dict[str, str]], App],
    peer: Peer,
    profile: str,
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRAMEIO_PERSISTENT_WEB_PROFILE", "1")  # off by default for oidc
    app = launch(flags_for(peer, profile))
    app.sign_in_through_page(peer)
    controller, window = app.controller, app.window
    first = controller.tokens
    assert first is not None
    assert first.refresh_token is None
    assert window.signed_in_page.until_label.text().startswith("Signed in until ")
    folder = web_profile_path(app.settings)
    assert folder.is_dir()
    assert folder.stat().st_mode & 0o777 == 0o700

    hosts: list[SignInHost] = []  # each renewal's host, as it is made
    keeper = window.hosts
    make_silent = keeper.host_factory.make_silent
    assert make_silent is not None

    def recorded(place: HostPlace) -> SignInHost:
        hosts.append(make_silent(place))
        return hosts[-1]

    keeper.host_factory = replace(keeper.host_factory, make_silent=recorded)

    # With the persistent profile: prompt=none answers with a code, no page, no person.
    with qtbot.waitSignal(controller.signed_in_changed, timeout=60_000):
        controller.renewal.renew_silently()
    renewed = controller.tokens
    assert renewed is not None
    assert renewed.access_token != first.access_token
    assert peer.token_works(renewed.access_token)
    assert app.web_views_opened == 1  # only the first sign-in showed a page
    assert len(hosts) == 1
    assert isinstance(hosts[0], ChildProcessHost)
    assert hosts[0].hidden
    assert controller.renewal.sign_in_needed is None
    qtbot.waitUntil(lambda: not window.hosts.closing_hosts, timeout=30_000)

    # The profile deleted: the provider has no session to answer from.
    assert delete_web_profile(app.settings)
    with qtbot.waitSignal(
        controller.renewal.sign_in_needed_changed, check_params_cb=bool, timeout=60_000
    ):
        controller.renewal.renew_silently()
    assert controller.tokens is renewed  # kept until it ends
    assert window.signed_in_page.renewal.isVisibleTo(window)
    assert "Sign in again" in window.signed_in_page.renewal.text_label.text()
    assert app.web_views_opened == 1
    qtbot.waitUntil(lambda: not window.hosts.closing_hosts, timeout=30_000)
