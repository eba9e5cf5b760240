"""What a frozen build looks like on each system: where the executable, the web engine's
helper process and its resources are, which installer files come out, and which keyring
backend the frozen app must find. Keyed by sys.platform; Linux runs in CI."""

from __future__ import annotations

import sys
from pathlib import Path

from frameio_desktop import __version__

APP = "frameio-desktop"
MAC_APP = "Frame.io Desktop.app"


def bundle(dist: Path) -> Path:
    """The folder holding the executable(s); on macOS the onedir folder inside the .app."""
    if sys.platform == "darwin":
        return dist / MAC_APP / "Contents" / "MacOS"
    return dist / APP


def executable(dist: Path) -> Path:
    return bundle(dist) / (f"{APP}.exe" if sys.platform == "win32" else APP)


def console_executable(dist: Path) -> Path:
    """What a script runs to read `token`: the console twin on Windows."""
    if sys.platform == "win32":
        return bundle(dist) / f"{APP}-cli.exe"
    return executable(dist)


def internal(dist: Path) -> Path:
    """Where PyInstaller puts the libraries and data (sys._MEIPASS)."""
    if sys.platform == "darwin":
        return dist / MAC_APP / "Contents" / "Frameworks"
    return dist / APP / "_internal"


def web_engine_files(dist: Path) -> dict[str, Path]:
    """The helper process and the resources QtWebEngine loads."""
    base = internal(dist) / "PySide6"
    if sys.platform == "win32":
        return {
            "helper": base / "QtWebEngineProcess.exe",
            "icu": base / "resources" / "icudtl.dat",
            "resources": base / "resources" / "qtwebengine_resources.pak",
            "locales": base / "translations" / "qtwebengine_locales",
        }
    if sys.platform == "darwin":
        framework = base / "Qt" / "lib" / "QtWebEngineCore.framework"
        return {
            "helper": framework
            / "Helpers/QtWebEngineProcess.app/Contents/MacOS/QtWebEngineProcess",
            "icu": framework / "Resources" / "icudtl.dat",
            "resources": framework / "Resources" / "qtwebengine_resources.pak",
            "locales": framework / "Resources" / "qtwebengine_locales",
        }
    return {
        "helper": base / "Qt" / "libexec" / "QtWebEngineProcess",
        "icu": base / "Qt" / "resources" / "icudtl.dat",
        "resources": base / "Qt" / "resources" / "qtwebengine_resources.pak",
        "locales": base / "Qt" / "translations" / "qtwebengine_locales",
    }


def keyring_backend() -> str:
    """How the self-test names the system keyring the frozen app must use."""
    return {
        "win32": "keyring.backends.Windows.WinVaultKeyring",
        "darwin": "keyring.backends.macOS.Keyring",
    }.get(sys.platform, "keyring.backends.SecretService.Keyring")


def installer_names(arch: str, deb_arch: str | None = None) -> list[str]:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    base = f"{APP}-{__version__}-{system}-{arch}"
    if sys.platform == "darwin":
        return [f"{base}.dmg"]
    if sys.platform == "win32":
        return [f"{base}-setup.exe"]
    return sorted([f"{base}.tar.gz", f"{APP}_{__version__}_{deb_arch}.deb"])
