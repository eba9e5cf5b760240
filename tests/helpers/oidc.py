"""Start panva's oidc-provider (tests/oidc_provider) with node, on a free loopback port."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parents[1] / "oidc_provider"
CLIENT_ID = "frameio-desktop-test"


def available() -> str | None:
    """Why the server cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return "run `npm ci` in tests/oidc_provider (scripts/test does)"
    return None


class OidcProvider:
    def __init__(self, redirect_uris: list[str], *, access_token_ttl: int = 3600) -> None:
        self.redirect_uris = redirect_uris
        self.access_token_ttl = access_token_ttl
        self.issuer = ""
        self._process: subprocess.Popen[str] | None = None
        self.log: list[str] = []

    def start(self) -> OidcProvider:
        env = {
            **os.environ,
            "REDIRECT_URIS": ",".join(self.redirect_uris),
            "CLIENT_ID": CLIENT_ID,
            "ACCESS_TOKEN_TTL": str(self.access_token_ttl),
        }
        self._process = subprocess.Popen(
            ["node", str(HERE / "server.mjs")],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        assert self._process.stderr is not None
        stderr = self._process.stderr
        threading.Thread(target=lambda: self.log.extend(stderr), daemon=True).start()
        line = self._process.stdout.readline()  # the server's first line: its issuer
        if not line:
            self.stop()
            raise RuntimeError("oidc-provider did not start: " + "".join(self.log))
        self.issuer = json.loads(line)["issuer"]
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def counts(self) -> dict[str, int]:
        return requests.get(f"{self.issuer}/__counts", timeout=5).json()

    def settings_flags(self, redirect_uri: str) -> dict[str, str]:
        return {
            "provider": "oidc",
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scopes": "openid offline_access profile email",
        }
