"""Notarizing the Mac app, here without a Mac: sign-and-notarize.sh run with a recording
`xcrun` (and `ditto`, `spctl`, `hdiutil`) that answers as notarytool does, and the build
script's order of signing, notarizing, stapling and packing."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.test_installers import PACKAGING, build_script

SCRIPT = PACKAGING / "macos" / "sign-and-notarize.sh"
SUBMISSION = "2efe2717-52ef-43a5-96dc-0797e4ca1041"


def fake_tools(folder: Path, log: Path, status: str) -> dict[str, str]:
    """Recording stand-ins; `xcrun notarytool submit` prints notarytool's JSON with
    `status`, and exits 0 whatever it is, as notarytool may."""
    folder.mkdir()
    record = f'printf "%s " "$(basename "$0")" "$@" >> {log}; echo >> {log}'
    answer = json.dumps({"id": SUBMISSION, "status": status, "message": "Processing complete"})
    tools = {
        "xcrun": (
            f"{record}\n"
            'if [ "$1 $2" = "notarytool submit" ]; then echo \'' + answer + "'; fi\n"
            'if [ "$1 $2" = "notarytool log" ]; then echo "APPLE LOG: the binary is not '
            'signed"; fi'
        ),
        "ditto": record,
        "spctl": record,
        "hdiutil": record,
    }
    for name, body in tools.items():
        path = folder / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def run(action: str, target: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), action, str(target), "frameio-notary"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def calls(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.parametrize("action", ["notarize-app", "notarize-dmg"])
def test_accepted_is_stapled(action: str, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    env = fake_tools(tmp_path / "bin", log, "Accepted")
    target = tmp_path / ("App.app" if action == "notarize-app" else "app.dmg")
    target.mkdir() if action == "notarize-app" else target.write_bytes(b"dmg")
    result = run(action, target, env)
    assert result.returncode == 0, result.stderr
    assert f"Accepted (submission {SUBMISSION})" in result.stdout
    done = calls(log)
    submit = next(i for i, c in enumerate(done) if c[:3] == ["xcrun", "notarytool", "submit"])
    assert "--wait" in done[submit]
    assert done[submit][done[submit].index("--output-format") + 1] == "json"
    staple = done.index(["xcrun", "stapler", "staple", str(target)])
    assert submit < staple < done.index(["xcrun", "stapler", "validate", str(target)])
    if action == "notarize-app":  # notarytool takes a zip of the app, made by ditto
        assert done[0][:4] == ["ditto", "-c", "-k", "--keepParent"]
        assert done[submit][3].endswith("app.zip")
    else:
        assert done[submit][3] == str(target)
        assert any(c[0] == "spctl" for c in done[staple:])


@pytest.mark.parametrize("status", ["Invalid", "Rejected", ""])
def test_anything_but_accepted_stops_with_apples_log(status: str, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    env = fake_tools(tmp_path / "bin", log, status)
    dmg = tmp_path / "app.dmg"
    dmg.write_bytes(b"dmg")
    result = run("notarize-dmg", dmg, env)
    assert result.returncode != 0
    assert "APPLE LOG: the binary is not signed" in result.stderr
    assert f"failed: {status or 'no status'}" in result.stderr
    done = calls(log)
    assert ["xcrun", "notarytool", "log", SUBMISSION, "--keychain-profile", "frameio-notary"] in (
        done
    )
    assert not any(c[:2] == ["xcrun", "stapler"] for c in done)


def test_build_notarizes_the_app_before_packing_it_then_the_dmg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = build_script()
    done: list[list[str]] = []

    def record(command: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        done.append([Path(command[0]).name, *command[1:]])
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(script.subprocess, "run", record)
    app = tmp_path / "Frame.io Desktop.app"
    dmg = tmp_path / "frameio-desktop-1.0-macos-arm64.dmg"
    script.build_dmg(app, dmg, "Developer ID Application: X (TEAM)", "frameio-notary")
    steps = [c[1] if c[0] == "sign-and-notarize.sh" else c[0] for c in done]
    assert steps == ["sign-app", "notarize-app", "ditto", "hdiutil", "sign-dmg", "notarize-dmg"]
    assert done[1][2:] == [str(app), "frameio-notary"]
    assert done[5][2:] == [str(dmg), "frameio-notary"]
    with pytest.raises(SystemExit, match="needs --sign"):
        script.build_dmg(app, dmg, None, "frameio-notary")


def test_a_python_built_for_a_newer_macos_stops_the_mac_build() -> None:
    """python.org's Python is built for an old macOS; Homebrew's on a newer runner for
    that runner's, and its libraries would raise the app's minimum."""
    script = build_script()
    for target in ("10.9", "11.0", "15.0"):
        script.check_python_for_macos(target)
    with pytest.raises(SystemExit, match=r"built for macOS 26\.0.*python\.org"):
        script.check_python_for_macos("26.0")
