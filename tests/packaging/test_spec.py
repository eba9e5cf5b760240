"""build_installer.spec on Windows and macOS, proven here against the real PySide6 wheels.

Each test evaluates the spec under the target's `sys.platform` with PyInstaller's build
classes replaced by recorders (tests/packaging/spec.py), over what PyInstaller would
collect from that system's real wheels (tests/packaging/wheels.py).
"""

from __future__ import annotations

import plistlib
import posixpath
import re
import struct
import zipfile
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.packaging import wheels
from tests.packaging.spec import ROOT, Build, evaluate, platform

pytestmark = pytest.mark.wheels

Target = tuple[str, list[Path]]


def build_for(target: Target, monkeypatch: pytest.MonkeyPatch, **env: str) -> Build:
    system, found = target
    return evaluate(
        system, lambda excludes: wheels.collected(found, system, excludes), monkeypatch, env
    )


def collected_files(target: Target) -> list[str]:
    system, found = target
    return [e.dest for e in wheels.collected(found, system, [])]


#: What QtWebEngine loads at run time, by where each system's wheel keeps it.
NEEDED = {
    "win32": [
        "PySide6/QtWebEngineProcess.exe",
        "PySide6/Qt6WebEngineCore.dll",
        "PySide6/resources/icudtl.dat",
        "PySide6/resources/qtwebengine_resources.pak",
        "PySide6/resources/qtwebengine_resources_100p.pak",
        "PySide6/resources/qtwebengine_resources_200p.pak",
        "PySide6/resources/v8_context_snapshot.bin",
        "PySide6/translations/qtwebengine_locales/en-US.pak",
        "PySide6/plugins/platforms/qwindows.dll",
    ],
    "darwin": [
        "PySide6/Qt/lib/QtWebEngineCore.framework/Versions/A/QtWebEngineCore",
        f"{(_H := 'PySide6/Qt/lib/QtWebEngineCore.framework/Versions/A/Helpers')}"
        "/QtWebEngineProcess.app/Contents/MacOS/QtWebEngineProcess",
        f"{_H}/QtWebEngineProcess.app/Contents/Info.plist",
        f"{(_R := 'PySide6/Qt/lib/QtWebEngineCore.framework/Versions/A/Resources')}/icudtl.dat",
        f"{_R}/qtwebengine_resources.pak",
        f"{_R}/qtwebengine_resources_100p.pak",
        f"{_R}/qtwebengine_resources_200p.pak",
        f"{_R}/v8_context_snapshot.arm64.bin",
        f"{_R}/v8_context_snapshot.x86_64.bin",
        f"{_R}/qtwebengine_locales/en-US.pak",
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
    ],
}


def test_spec_keeps_what_qtwebengine_needs(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    system, _ = target
    files = set(build_for(target, monkeypatch).files)
    offered = set(collected_files(target))
    for path in NEEDED[system]:
        assert path in offered, f"the {system} wheels have no {path}: update NEEDED"
        assert path in files, f"the spec drops {path} on {system}"


def test_spec_trims_on_every_system(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    system, _ = target
    files = build_for(target, monkeypatch).files
    offered = collected_files(target)

    def gone(pattern: str) -> None:
        regex = re.compile(pattern)
        assert any(regex.search(f) for f in offered), f"nothing on {system} matches {pattern}"
        kept = [f for f in files if regex.search(f)]
        assert not kept, f"{system} keeps {kept[:5]}"

    if system != "darwin":
        gone(r"qtwebengine_locales/(?!en-US\.pak$)")  # every other Chromium locale
    gone(r"\.qm$")  # Qt's own translations
    gone(r"/qml/")
    gone(r"qtwebengine_devtools_resources")
    gone(r"(^|/)(Qt6|Qt)(3DCore|Quick3D|Multimedia|Charts|Designer|Sql|Test)\b")
    gone(r"plugins/(sqldrivers|qmltooling|printsupport|generic)/")
    if system == "win32":
        gone(r"\.debug\.(pak|bin)$")
    # The locales are all the Chromium locales the wheel has. Linux and Windows keep en-US
    # only (Chromium falls back to it there); macOS keeps them all (its Chromium does not).
    locales = [f for f in offered if "qtwebengine_locales/" in f]
    kept_locales = [f for f in files if "qtwebengine_locales/" in f]
    assert len(locales) > 50
    if system == "darwin":
        assert sorted(kept_locales) == sorted(locales)
    else:
        assert [posixpath.basename(f) for f in kept_locales] == ["en-US.pak"]


def app_qt_modules() -> set[str]:
    """The Qt modules the app's source imports, and QtPrintSupport, which PyInstaller's
    QtWebEngineCore hook adds."""
    source = "\n".join(p.read_text() for p in (ROOT / "frameio_desktop").rglob("*.py"))
    return set(re.findall(r"PySide6\.(Qt\w+)", source)) | {"QtPrintSupport"}


def test_what_the_app_loads_keeps_its_qt_libraries(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start from what the app loads (its Qt extension modules, the web engine's helper
    process, the platform plugins) and follow the real import tables: every Qt library
    reached is kept, so the trimming never removes one that is still loaded."""
    system, found = target
    kept = set(build_for(target, monkeypatch).files)
    entries = {e.dest: e for e in wheels.collected(found, system, [])}
    suffix = ".pyd" if system == "win32" else ".abi3.so"
    # (The source also names "PySide6.QtWebEngine" as a prefix: no such extension.)
    roots = [r for m in app_qt_modules() if (r := f"PySide6/{m}{suffix}") in entries]
    assert f"PySide6/QtWebEngineWidgets{suffix}" in roots
    roots += [d for d in entries if re.search(r"QtWebEngineProcess(\.exe)?$|/platforms/", d)]
    by_name = {posixpath.basename(d).lower(): d for d in entries}

    def links(dest: str) -> set[str]:
        if system == "win32":
            names = wheels.pe_imports(wheels.read_member(entries[dest]))
            return {by_name[n] for n in names if n in by_name}
        found = set()
        for lib in wheels.read_macho(wheels.macho_headers(entries[dest])).libraries:
            framework = re.match(r"@rpath/(\w+)\.framework/", lib)
            if framework:
                name = framework[1]
                found.add(f"PySide6/Qt/lib/{name}.framework/Versions/A/{name}")
        return found & entries.keys()

    seen: set[str] = set()
    todo = list(roots)
    while todo:
        dest = todo.pop()
        if dest not in seen:
            seen.add(dest)
            todo += links(dest)
    assert len(seen) > 15
    assert "WebEngineCore" in " ".join(seen)
    dropped = sorted(seen - kept)
    assert not dropped, f"{system}: loaded but trimmed: {dropped}"


def test_build_does_not_stop_on_linux_only_metadata(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyring installs SecretStorage and jeepney only on Linux: asking for their metadata
    on Windows or macOS raised PackageNotFoundError and stopped the build."""
    system, _ = target
    build = build_for(target, monkeypatch)
    assert build.collect is not None, "the spec did not get to COLLECT"
    names = {n.lower() for n in build.metadata}
    assert {"frameio-desktop", "keyring", "requests"} <= names
    assert not names & {"secretstorage", "jeepney"}
    if system == "win32":
        assert "pywin32-ctypes" in names  # keyring's Windows backend library


def test_macos_minimum_version_is_what_the_frameworks_declare(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    system, found = target
    if system != "darwin":
        pytest.skip("macOS bundle only")
    build = build_for(target, monkeypatch)
    assert build.bundle is not None
    plist = build.bundle.kwargs["info_plist"]
    entries = {e.dest: e for e in wheels.collected(found, system, [])}
    frameworks = {
        dest: wheels.read_macho(wheels.macho_headers(entries[dest]))
        for dest in build.files
        if dest in entries and re.search(r"\.framework/Versions/A/\w+$", dest)
    }
    extensions = {
        dest: wheels.read_macho(wheels.macho_headers(entries[dest]))
        for dest in build.files
        if dest.endswith(".abi3.so")
    }
    assert len(frameworks) > 10
    assert len(extensions) >= 4
    newest = max(m.minimum for m in [*frameworks.values(), *extensions.values()])
    helper = next(
        plistlib.loads(zipfile.ZipFile(w).read(n))
        for w, n in wheels.members(found, r"Helpers/QtWebEngineProcess\.app/Contents/Info\.plist$")
    )
    declared = tuple(int(x) for x in plist["LSMinimumSystemVersion"].split("."))
    assert declared + (0,) * (3 - len(declared)) == newest
    # The pinned PySide6 is what keeps the Mac build on macOS 15 (the README's promise):
    # 6.12.0's own extensions say 26.0.
    assert plist["LSMinimumSystemVersion"] == "15.0"
    # Qt's frameworks agree with the helper's own Info.plist ...
    frameworks_need = max(m.minimum for m in frameworks.values())
    helper_needs = tuple(int(x) for x in helper["LSMinimumSystemVersion"].split("."))
    assert frameworks_need == helper_needs + (0,) * (3 - len(helper_needs))
    # ... and the bundle asks for no less than that, or more where PySide's own
    # extensions were built for a newer macOS.
    assert newest >= frameworks_need
    # Every framework and the extensions are universal: either architecture can be built.
    for name, macho in [*frameworks.items(), *extensions.items()]:
        assert sorted(macho.archs) == ["arm64", "x86_64"], name


def test_macos_bundle_metadata(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    system, _ = target
    if system != "darwin":
        pytest.skip("macOS bundle only")
    from frameio_desktop import __version__

    plain = build_for(target, monkeypatch)
    assert plain.bundle is not None
    plist = plain.bundle.kwargs["info_plist"]
    assert plist["CFBundleVersion"] == __version__
    assert plist["CFBundleShortVersionString"] == __version__
    assert plain.bundle.kwargs["bundle_identifier"] == "io.github.frameio-desktop"
    assert "CFBundleURLTypes" not in plist
    # One architecture per build, the Python's own: no target_arch, no universal2.
    assert all("target_arch" not in exe.kwargs for exe in plain.exes)
    # A page that asks for the camera, the microphone or the location gets a question
    # to the person, not an app that macOS ends.
    for key in (
        "NSCameraUsageDescription",
        "NSMicrophoneUsageDescription",
        "NSLocationUsageDescription",
        "NSLocationWhenInUseUsageDescription",
    ):
        assert plist[key].startswith("A sign-in page may ask"), key

    scheme = build_for(target, monkeypatch, FRAMEIO_URL_SCHEME="adobe+0123abcd")
    assert scheme.bundle is not None
    assert scheme.bundle.kwargs["info_plist"]["CFBundleURLTypes"] == [
        {"CFBundleURLName": "io.github.frameio-desktop", "CFBundleURLSchemes": ["adobe+0123abcd"]}
    ]
    with pytest.raises(SystemExit, match="not a URL scheme"):
        build_for(target, monkeypatch, FRAMEIO_URL_SCHEME="adobe://x")


def test_windows_version_resources(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    system, _ = target
    if system != "win32":
        pytest.skip("Windows executables only")
    build = build_for(target, monkeypatch)
    version = build.namespace["windows_version"]
    assert version("1.0") == (1, 0, 0, 0)
    assert version("0.1.0") == (0, 1, 0, 0)
    assert version("2.3.4.5.6") == (2, 3, 4, 5)
    assert version("1.2rc1") == (1, 2, 1, 0)
    names = [exe.kwargs["name"] for exe in build.exes]
    assert names == ["frameio-desktop", "frameio-desktop-cli"]
    assert [exe.kwargs["console"] for exe in build.exes] == [False, True]
    assert all("target_arch" not in exe.kwargs for exe in build.exes)
    for exe in build.exes:
        text = str(exe.kwargs["version"])  # PyInstaller writes the resource from this
        assert f"StringStruct('OriginalFilename', '{exe.kwargs['name']}.exe')" in text
        assert f"StringStruct('InternalName', '{exe.kwargs['name']}')" in text
    # A two-part version (1.0) still makes a resource PyInstaller can write.
    monkeypatch.setitem(build.namespace, "VERSION", "1.0")
    with platform("win32", monkeypatch):
        resource = build.namespace["windows_version_info"]("frameio-desktop", "x")
    assert "filevers=(1, 0, 0, 0)" in str(resource)


def macho_file(path: Path, minimum: tuple[int, int, int] | None) -> Path:
    """A 64-bit arm64 Mach-O library whose one load command is LC_BUILD_VERSION for macOS
    `minimum` (none: no load command at all)."""
    commands = b""
    if minimum is not None:
        packed = minimum[0] << 16 | minimum[1] << 8 | minimum[2]
        commands = struct.pack("<6I", 0x32, 24, 1, packed, packed, 0)
    count = 1 if commands else 0
    header = struct.pack("<8I", 0xFEEDFACF, 0x0100000C, 0, 6, count, len(commands), 0, 0)
    path.write_bytes(header + commands)
    return path


def test_macos_minimum_is_read_strictly(
    target: Target, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An unreadable Mach-O, or one that declares no minimum, stops the build rather than
    leaving the minimum lower than it is; so does one built for a newer macOS than the
    app promises (Homebrew's libraries on a newer runner)."""
    system, _ = target
    if system != "darwin":
        pytest.skip("macOS bundle only")
    minimum = build_for(target, monkeypatch).namespace["macos_minimum_version"]

    def toc(*paths: Path) -> list[tuple[str, str, str]]:
        return [(p.name, str(p), "BINARY") for p in paths]

    ok = macho_file(tmp_path / "ok.dylib", (13, 0, 0))
    newest = macho_file(tmp_path / "newest.so", (15, 0, 0))
    data = tmp_path / "data.bin"
    data.write_bytes(b"PK\x03\x04 not a Mach-O file")
    assert minimum(toc(ok, newest, data)) == "15.0"
    assert minimum(toc(ok)) == "13.0"

    broken = tmp_path / "broken.dylib"
    broken.write_bytes(ok.read_bytes()[:40])  # the load command cut off
    with pytest.raises(SystemExit, match=r"cannot read the Mach-O headers of .*broken"):
        minimum(toc(ok, broken))
    silent = macho_file(tmp_path / "silent.dylib", None)
    with pytest.raises(SystemExit, match=r"silent\.dylib declares no minimum"):
        minimum(toc(ok, silent))
    brew = macho_file(tmp_path / "libbrew.dylib", (26, 0, 0))
    with pytest.raises(SystemExit, match=r"need macOS 26\.0, newer than the 15\.0.*libbrew"):
        minimum(toc(ok, brew))


def test_pyproject_pins_the_mac_build_only() -> None:
    """macOS gets one PySide6 release (Essentials and Addons, which carries QtWebEngine up
    to 6.11); Linux and Windows take the newest, with QtWebEngine's own wheel."""
    mac = {canonicalize_name(r.name): r for r in wheels.gui_requirements("darwin")}
    assert set(mac) == {"pyside6-essentials", "pyside6-addons"}
    assert {str(r.specifier) for r in mac.values()} == {f"=={wheels.qt_version('darwin')}"}
    for system in ("linux", "win32"):
        reqs = {canonicalize_name(r.name): r for r in wheels.gui_requirements(system)}
        assert set(reqs) == {"pyside6-essentials", "pyside6-webengine"}
        assert all(s.operator == ">=" for r in reqs.values() for s in r.specifier)
        assert wheels.qt_version(system) is None


def test_readme_links_the_mac_command_where_the_spec_puts_it(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's way to get `frameio-desktop` on a Mac's PATH names the app bundle and
    the executable the spec builds, so its token examples work as written there."""
    system, _ = target
    if system != "darwin":
        pytest.skip("macOS bundle only")
    build = build_for(target, monkeypatch)
    assert build.bundle is not None
    app = build.bundle.kwargs["name"]
    (exe,) = [e.kwargs["name"] for e in build.exes]
    readme = (ROOT / "README.md").read_text()
    link = f'sudo ln -sf "/Applications/{app}/Contents/MacOS/{exe}" /usr/local/bin/{exe}'
    assert link in readme
    assert f"{exe} token" in readme
