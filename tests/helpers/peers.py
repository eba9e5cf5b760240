"""The two real authorization servers the end-to-end tests sign in to, behind one shape."""

from __future__ import annotations

import json
from typing import Protocol

import requests

from frameio_desktop.demo.server import DemoServer
from frameio_desktop.selftest import autofill_script
from tests.helpers import oidc


class Peer(Protocol):
    name: str

    def settings_flags(self) -> dict[str, str]: ...
    def fill_js(self, *, allow: bool) -> str: ...
    def token_works(self, access_token: str) -> bool: ...
    def refresh_token_works(self, refresh_token: str) -> bool: ...
    def revocations(self) -> int: ...
    def stop(self) -> None: ...


class DemoPeer:
    """The demo server in its default shape: Adobe IMS and Frame.io V4, with the native-app
    custom-scheme redirect (`adobe+<hash>://adobeid/<client id>`)."""

    name = "demo"

    def __init__(self, token_ttl: int = 600, *, refresh_tokens: bool = True) -> None:
        # The end-to-end tests hold both peers to the same checks, refresh included: they
        # ask for the credential kind that gets refresh tokens (the demo's default has none).
        self.server = DemoServer(token_ttl=token_ttl, refresh_tokens=refresh_tokens).start()

    def settings_flags(self) -> dict[str, str]:
        return self.server.settings_flags()

    def fill_js(self, *, allow: bool) -> str:
        return autofill_script("Ada Lovelace", allow=allow)

    def token_works(self, access_token: str) -> bool:
        me = requests.get(
            self.server.me_url,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=10,
        )
        return me.status_code == 200

    def refresh_token_works(self, refresh_token: str) -> bool:
        return self.server.state.refresh_token_active(refresh_token)

    def revocations(self) -> int:
        return self.server.state.revocations

    def stop(self) -> None:
        self.server.stop()


# oidc-provider's development login page (login + password) and consent page (Continue,
# or the Cancel link that aborts with access_denied).
_OIDC_FILL = """
(function () {
  var login = document.querySelector('input[name=login]');
  if (login) {
    login.value = 'ada';
    document.querySelector('input[name=password]').value = 'any';
    login.form.submit();
    return 'login';
  }
  if (%(deny)s) {
    var abort = document.querySelector('a[href$="/abort"]');
    if (abort) { abort.click(); return 'abort'; }
  }
  var button = document.querySelector('button[type=submit]');
  if (button) { button.click(); return 'consent'; }
  return 'other';
})()
"""
OIDC_REDIRECT = "http://127.0.0.1:8765/callback"


class OidcPeer:
    name = "oidc-provider"

    def __init__(self, access_token_ttl: int = 600) -> None:
        self.server = oidc.OidcProvider([OIDC_REDIRECT], access_token_ttl=access_token_ttl)
        self.server.start()

    def settings_flags(self) -> dict[str, str]:
        return self.server.settings_flags(OIDC_REDIRECT)

    def fill_js(self, *, allow: bool) -> str:
        return _OIDC_FILL % {"deny": json.dumps(not allow)}

    def token_works(self, access_token: str) -> bool:
        me = requests.get(
            f"{self.server.issuer}/me",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=10,
        )
        return me.status_code == 200

    def refresh_token_works(self, refresh_token: str) -> bool:
        # Spends the token if it still works; the tests ask only about spent ones.
        answer = requests.post(
            f"{self.server.issuer}/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": oidc.CLIENT_ID,
            },
            timeout=10,
        )
        return answer.status_code == 200

    def revocations(self) -> int:
        return self.server.counts()["revoke"]

    def stop(self) -> None:
        self.server.stop()
