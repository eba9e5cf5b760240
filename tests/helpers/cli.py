"""Run `frameio-desktop` subcommands in their own processes, as scripts do."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

import keyring


def secret_service_missing() -> str | None:
    name = type(keyring.get_keyring()).__module__
    if "SecretService" not in name:
        return f"needs a running Secret Service (keyring backend is {name}); use scripts/test"
    return None


def flags_for(settings_flags: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for name, value in settings_flags.items():
        args += ["--" + name.replace("_", "-"), value]
    return args


def run_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    cwd: str | os.PathLike[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`frameio-desktop ARGS`; in `cwd` (its `.env` is read), with the package imported
    from this checkout however `cwd` is set."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "frameio_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": path, **(env or {})},
        cwd=cwd,
    )


def start_cli(args: Sequence[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "frameio_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
