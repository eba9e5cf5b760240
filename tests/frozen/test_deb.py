"""The Linux installer: a .deb built from the same bundle as the frozen self-test.

Its content is always checked in a temporary folder (dpkg-deb -x). Installing it for real
(apt-get install, the installed app's --self-test, the menu entry, apt-get remove --purge,
nothing left) changes the machine, so it runs only in CI (CI=true, which .ci/run sets) or
when FRAMEIO_SYSTEM_TESTS=1 asks for it, and only as root.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.frozen.conftest import Built
from tests.frozen.test_bundle import check_self_test, run_frozen
from tests.helpers.cli import secret_service_missing

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.timeout(1800),  # the first frozen test builds
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .deb is Linux's"),
]
APP = "frameio-desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SYSTEM_TESTS = os.environ.get("CI") == "true" or os.environ.get("FRAMEIO_SYSTEM_TESTS") == "1"


def the_deb(built: Built) -> Path:
    return next(p for p in built.installers if p.suffix == ".deb")


def ar_members(path: Path) -> list[str]:
    """The member names of a .deb (an ar archive: 8-byte magic, 60-byte headers)."""
    data = path.read_bytes()
    assert data[:8] == b"!<arch>\n"
    names, at = [], 8
    while at < len(data):
        name, size = data[at : at + 16].decode().strip(), int(data[at + 48 : at + 58])
        names.append(name.rstrip("/"))
        at += 60 + size + (size % 2)
    return names


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])  # the IHDR chunk
    return width, height


def check_desktop_entry(path: Path) -> None:
    if shutil.which("desktop-file-validate"):
        command = ["desktop-file-validate", str(path)]
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment, method-assign]
    entry.read(path)
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == APP  # found on PATH through /usr/bin
    assert section["Icon"] == APP
    assert "MimeType" not in section  # no redirect scheme was given to this build


def test_deb_content(built: Built, tmp_path: Path) -> None:
    deb = the_deb(built)
    # xz-compressed, in the order dpkg expects.
    assert ar_members(deb) == ["debian-binary", "control.tar.xz", "data.tar.xz"]
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    control = dict(line.split(": ", 1) for line in fields.splitlines() if ": " in line)
    assert control["Package"] == APP
    from frameio_desktop import __version__

    assert control["Version"] == __version__
    depends = [d.strip() for d in control["Depends"].split(",")]
    assert "libc6" in depends, depends  # found from the bundle's own ELF files
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert listing
    assert all(line.split()[1] == "root/root" for line in listing)
    info = subprocess.run(
        ["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^\s+\d+ bytes,\s+\d+ lines\s+\*\s+postrm\s", info, re.M), info

    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "--extract", str(deb), str(root)], check=True)
    executable = root / "opt" / APP / APP
    assert executable.is_file()
    assert os.access(executable, os.X_OK)
    link = root / "usr" / "bin" / APP
    assert link.is_symlink()
    assert os.readlink(link) == f"/opt/{APP}/{APP}"
    check_desktop_entry(root / "usr" / "share" / "applications" / f"{APP}.desktop")
    for size in ICON_SIZES:
        icon = root / "usr/share/icons/hicolor" / f"{size}x{size}" / "apps" / f"{APP}.png"
        assert png_size(icon) == (size, size)
    assert (root / "usr/share/icons/hicolor/scalable/apps" / f"{APP}.svg").is_file()
    # The packaged bundle is the one the self-test ran: it starts from the extracted tree.
    version = run_frozen(executable, "--version")
    assert version.stdout.strip() == f"{APP} {__version__}"


INSTALLED = [
    Path(f"/opt/{APP}"),
    Path(f"/usr/bin/{APP}"),
    Path(f"/usr/share/applications/{APP}.desktop"),
    Path(f"/usr/share/icons/hicolor/256x256/apps/{APP}.png"),
    Path(f"/usr/share/doc/{APP}"),
]


def apt(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        ["apt-get", "-y", "-q", *args], capture_output=True, text=True, env=env, timeout=600
    )


def installed() -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", APP], capture_output=True, text=True
    )
    return "install ok installed" in result.stdout


@pytest.fixture
def system_install(built: Built) -> Iterator[Path]:
    if not SYSTEM_TESTS:
        pytest.skip("installs a .deb system-wide: only with CI=true or FRAMEIO_SYSTEM_TESTS=1")
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root")
    if installed() or any(p.exists() for p in INSTALLED):
        pytest.skip(f"{APP} is already installed here: not touching it")
    deb = the_deb(built)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-q", f"./{deb.name}"],
        capture_output=True,
        text=True,
        cwd=deb.parent,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    try:
        yield deb
    finally:
        if installed():
            apt("remove", "--purge", APP)


def test_deb_installs_runs_and_purges(system_install: Path) -> None:
    assert installed()
    assert all(p.exists() for p in INSTALLED)
    check_desktop_entry(Path(f"/usr/share/applications/{APP}.desktop"))
    if secret_service_missing():
        pytest.fail(str(secret_service_missing()))
    # The installed app, through the link on PATH, with the real window and keyring.
    check_self_test(run_frozen(Path(f"/usr/bin/{APP}"), "--self-test"))

    result = apt("remove", "--purge", APP)
    assert result.returncode == 0, result.stderr
    assert not installed()
    left = [str(p) for p in INSTALLED if p.exists() or p.is_symlink()]
    assert not left, f"left behind: {left}"
    listing = subprocess.run(["dpkg", "-L", APP], capture_output=True, text=True)
    assert listing.returncode != 0  # dpkg knows nothing of it any more
