"""The installer definitions for Windows and macOS, and the build script's naming, checked
here: the entitlements against the ones Qt ships in the real wheel, the signing script run
over a model .app with a recording `codesign`, the Inno Setup script's sections, and the
.desktop file the .deb installs."""

from __future__ import annotations

import configparser
import importlib.util
import os
import plistlib
import re
import shutil
import stat
import struct
import subprocess
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging import wheels

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_installer", ROOT / "scripts" / "build_installer.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- macOS --------------------------------------------------------------------------------


@pytest.mark.wheels
def test_helper_entitlements_are_the_ones_qt_ships() -> None:
    try:
        found = wheels.download("darwin", wheels.PIP_PLATFORMS["darwin"][0])
    except RuntimeError as exc:
        pytest.skip(f"cannot download the macOS wheels: {exc}")
    shipped = [
        plistlib.loads(zipfile.ZipFile(w).read(n))
        for w, n in wheels.members(found, r"QtWebEngineProcess\.app/.*\.entitlements$")
    ]
    assert shipped, "the WebEngine wheel no longer ships the helper's entitlements"
    ours = plistlib.loads((PACKAGING / "macos" / "QtWebEngineProcess.entitlements").read_bytes())
    assert all(ours == qt for qt in shipped)


def test_app_entitlements_ask_for_nothing() -> None:
    """The app's own executable runs with the plain hardened runtime: none of the
    helper's JIT or library-validation exceptions."""
    app = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert app == {}


def macho(path: Path) -> None:
    """A file `file` recognises as a 64-bit arm64 Mach-O library (header only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<8I", 0xFEEDFACF, 0x0100000C, 0, 6, 0, 0, 0, 0))


@pytest.fixture
def model_app(tmp_path: Path) -> Path:
    """The shape PyInstaller gives `Frame.io Desktop.app` on macOS."""
    app = tmp_path / "Frame.io Desktop.app"
    contents = app / "Contents"
    macho(contents / "MacOS" / "frameio-desktop")
    (contents / "Info.plist").write_bytes(plistlib.dumps({"CFBundleExecutable": "frameio-desktop"}))
    frameworks = contents / "Frameworks"
    macho(frameworks / "Python")
    macho(frameworks / "PySide6" / "QtCore.abi3.so")
    macho(frameworks / "lib-dynload" / "_ssl.cpython-311-darwin.so")
    lib = frameworks / "PySide6" / "Qt" / "lib"
    for name in ("QtCore", "QtWebEngineCore"):
        macho(lib / f"{name}.framework" / "Versions" / "A" / name)
        (lib / f"{name}.framework" / "Versions" / "Current").symlink_to("A")
    helper = lib / "QtWebEngineCore.framework/Versions/A/Helpers/QtWebEngineProcess.app"
    macho(helper / "Contents" / "MacOS" / "QtWebEngineProcess")
    (helper / "Contents" / "Info.plist").write_text("<plist/>")
    (contents / "Resources").mkdir()
    (contents / "Resources" / "icon.icns").write_bytes(b"icns")
    return app


def test_macos_signing_is_inside_out(model_app: Path, tmp_path: Path) -> None:
    """The signing script over a model .app, with a `codesign` that records its calls:
    every file is signed before the bundle holding it, the app last; hardened runtime
    and timestamps everywhere; Qt's entitlements for the helper only; never --deep."""
    if shutil.which("file") is None:
        pytest.skip("needs file(1)")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "codesign.log"
    fake = bin_dir / "codesign"
    record = f'for a in "$@"; do printf "%s\\t" "$a"; done >> {log}; echo >> {log}'
    fake.write_text(f"#!/bin/sh\n{record}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    identity = "Developer ID Application: Example (TEAMID1234)"
    subprocess.run(
        [str(PACKAGING / "macos" / "sign-and-notarize.sh"), "sign-app", str(model_app), identity],
        check=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        timeout=60,
    )
    calls = [line.rstrip("\t").split("\t") for line in log.read_text().splitlines()]
    signs = [c for c in calls if "--sign" in c]
    order = [Path(c[-1]) for c in signs]
    assert all("--deep" not in c for c in calls)
    for call in signs:
        assert call[:6] == ["--force", "--options", "runtime", "--timestamp", "--sign", identity]
    # Every Mach-O file outside a bundle's MacOS folder, and every bundle, exactly once.
    expected = {
        p
        for p in model_app.rglob("*")
        if (p.is_file() and p.read_bytes()[:4] == b"\xcf\xfa\xed\xfe" and "MacOS" not in p.parts)
        or (p.is_dir() and not p.is_symlink() and p.suffix in (".framework", ".app"))
    } | {model_app}
    assert sorted(order) == sorted(expected)
    for i, path in enumerate(order):  # inside-out: nothing inside is signed after it
        assert not any(path in later.parents for later in order[i + 1 :]), path
    assert order[-1] == model_app
    by_path = {Path(c[-1]): c for c in signs}
    helper = next(p for p in order if p.name == "QtWebEngineProcess.app")
    assert by_path[helper][-3:-1] == [
        "--entitlements",
        str(PACKAGING / "macos" / "QtWebEngineProcess.entitlements"),
    ]
    assert by_path[model_app][-3:-1] == [
        "--entitlements",
        str(PACKAGING / "macos" / "entitlements.plist"),
    ]
    others = [c for p, c in by_path.items() if p not in (helper, model_app)]
    assert all("--entitlements" not in c for c in others)
    assert calls[-1][:2] == ["--verify", "--strict"]
    assert calls[-1][-1] == str(model_app)


# -- Windows ------------------------------------------------------------------------------


def inno_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in (PACKAGING / "windows" / "frameio-desktop.iss").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):  # comments, preprocessor
            continue
        found = re.fullmatch(r"\[(\w+)\]", line)
        if found:
            current = found[1]
            continue
        sections.setdefault(current, []).append(line)
    return sections


def test_inno_setup_script() -> None:
    sections = inno_sections()
    setup = dict(line.split("=", 1) for line in sections["Setup"] if "=" in line)
    assert setup["PrivilegesRequired"] == "lowest"  # per user, no administrator
    assert setup["DefaultDirName"].startswith("{autopf}")  # %LOCALAPPDATA%\Programs then
    assert setup["UninstallDisplayIcon"] == r"{app}\frameio-desktop.exe"
    assert setup["SignedUninstaller"] == "yes"
    files = [line for line in sections["Files"] if "DestName" not in line]
    assert len(files) == 1  # the whole folder (and the .com, test_windows_build.py)
    assert 'DestDir: "{app}"' in files[0]
    flags = re.search(r"Flags: ([\w ]+)", files[0])
    assert flags is not None
    assert {"recursesubdirs", "createallsubdirs"} <= set(flags[1].split())
    assert sections["Icons"] == [
        r'Name: "{autoprograms}\Frame.io Desktop"; Filename: "{app}\frameio-desktop.exe"'
    ]
    # The scheme's keys only when a scheme is given, per user, removed on uninstall.
    text = (PACKAGING / "windows" / "frameio-desktop.iss").read_text()
    start = text.index("#ifdef UrlScheme")
    block = text[start : text.index("#endif", start)]
    assert "[Registry]" in block
    registry = [line for line in block.splitlines() if line.startswith("Root:")]
    assert registry
    assert all(r'Root: HKCU; Subkey: "Software\Classes\{#UrlScheme}' in r for r in registry)
    assert any('ValueName: "URL Protocol"' in r for r in registry)
    assert any("uninsdeletekey" in r for r in registry)
    command = next(r for r in registry if r"shell\open\command" in r)
    # The value the app itself writes and checks (register-scheme), for an install folder
    # with a space in it, as {autopf}\Frame.io Desktop always has.
    from frameio_desktop.core.browser import scheme

    folder = r"C:\Users\a\AppData\Local\Programs\Frame.io Desktop"
    value = re.search(r'ValueData: "(.*)"$', command)
    assert value is not None
    written = value[1].replace('""', '"').replace("{app}", folder)
    exe = folder + r"\frameio-desktop.exe"
    assert written == scheme._windows_command([exe, scheme.HANDOFF_SWITCH])
    # The app's mark: register-scheme and unregister-scheme treat the key as their own.
    assert any(f'ValueName: "{scheme.WINDOWS_MARK_NAME}"' in r for r in registry)
    assert not any("DefaultIcon" in r for r in registry)  # unregister-scheme removes all


def test_windows_signing_covers_both_executables_and_third_party_modules() -> None:
    script = (PACKAGING / "windows" / "sign.ps1").read_text()
    assert "-Include *.exe, *.dll, *.pyd" in script
    assert 'Status -ne "Valid"' in script  # vendors' own signatures stay
    assert "/fd SHA256 /tr $TimestampUrl /td SHA256" in script
    assert "frameio-desktop-cli.exe" in script


# -- names and the .desktop file ----------------------------------------------------------


def test_architecture_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """One architecture per build, the Python's own, in one spelling: never universal2."""
    script = build_script()
    for machine, name in [("AMD64", "x86_64"), ("x86_64", "x86_64"), ("aarch64", "arm64")]:
        monkeypatch.setattr(script.platform, "machine", lambda m=machine: m)
        monkeypatch.delenv("PROCESSOR_ARCHITECTURE", raising=False)
        assert script.architecture() == name
    assert "--target-arch" not in (ROOT / "scripts" / "build_installer.py").read_text()
    assert script.url_scheme(None) is None
    assert script.url_scheme("adobe+1a2b3c") == "adobe+1a2b3c"
    with pytest.raises(SystemExit):
        script.url_scheme("adobe+1a2b3c://adobeid")


def test_desktop_entry_registers_the_scheme_only_when_given(tmp_path: Path) -> None:
    script = build_script()
    for scheme in (None, "adobe+0a1b2c3d"):
        path = tmp_path / "frameio-desktop.desktop"
        path.write_text(script.desktop_entry(scheme))
        if shutil.which("desktop-file-validate"):
            result = subprocess.run(
                ["desktop-file-validate", str(path)], capture_output=True, text=True
            )
            assert result.returncode == 0, result.stdout
        entry = configparser.ConfigParser(interpolation=None)
        entry.optionxform = str  # type: ignore[assignment, method-assign]
        entry.read(path)
        section = entry["Desktop Entry"]
        if scheme is None:
            assert section["Exec"] == "frameio-desktop"
            assert "MimeType" not in section
        else:
            from frameio_desktop.core.browser.scheme import HANDOFF_SWITCH

            assert section["Exec"] == f"frameio-desktop {HANDOFF_SWITCH} %u"
            assert section["MimeType"] == f"x-scheme-handler/{scheme};"
