"""The Windows installer's build, here without Windows: finding Inno Setup's compiler and
signtool, the numbers ISCC gets for a pre-release, no zip in place of an installer, and
the Inno Setup script's upgrade and PATH parts, and which program a typed name runs."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.test_installers import PACKAGING, ROOT, build_script, inno_sections


@pytest.fixture
def script() -> ModuleType:
    return build_script()


def executable(path: Path, body: str = "exit 0") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def no_version(_path: Path) -> None:
    return None


def test_windows_version_is_four_numbers(script: ModuleType) -> None:
    assert script.windows_version("0.3.0rc1") == (0, 3, 0, 1)
    assert script.windows_version("1.0") == (1, 0, 0, 0)
    assert script.windows_version("2.3.4.5.6") == (2, 3, 4, 5)


def test_iscc_is_found_where_inno_setup_installs(script: ModuleType, tmp_path: Path) -> None:
    program_files = tmp_path / "Program Files (x86)"
    local = tmp_path / "Local"
    user6 = executable(local / "Programs" / "Inno Setup 6" / "ISCC.exe")
    env = {"PROGRAMFILES(X86)": str(program_files), "LOCALAPPDATA": str(local), "PATH": ""}
    assert script.find_iscc(env, no_version) == user6  # a per-user install
    all6 = executable(program_files / "Inno Setup 6" / "ISCC.exe")
    assert script.find_iscc(env, no_version) == all6
    all7 = executable(program_files / "Inno Setup 7" / "ISCC.exe")
    assert script.find_iscc(env, no_version) == all7  # the newest major first
    on_path = executable(tmp_path / "bin" / "ISCC.exe")
    assert script.find_iscc({**env, "PATH": str(on_path.parent)}, no_version) == on_path
    named = executable(tmp_path / "tools" / "iscc-6.4.exe")
    assert script.find_iscc({**env, "ISCC": str(named)}, no_version) == named
    # A compiler named on purpose that is not there is an error, not a quiet fall-back.
    missing = str(tmp_path / "tools" / "gone.exe")
    with pytest.raises(SystemExit, match=r"gone\.exe \(not there\)"):
        script.find_iscc({**env, "ISCC": missing}, no_version)


def test_iscc_older_than_6_3_is_passed_over(script: ModuleType, tmp_path: Path) -> None:
    program_files = tmp_path / "Program Files (x86)"
    old = executable(program_files / "Inno Setup 6" / "ISCC.exe")
    local = tmp_path / "Local"
    new = executable(local / "Programs" / "Inno Setup 6" / "ISCC.exe")
    env = {"PROGRAMFILES(X86)": str(program_files), "LOCALAPPDATA": str(local), "PATH": ""}
    versions = {old: (6, 2, 2, 0), new: (6, 4, 3, 0)}
    assert script.find_iscc(env, versions.get) == new
    versions[new] = (5, 6, 1, 0)
    with pytest.raises(SystemExit, match=r"Inno Setup 6\.3 or later") as stopped:
        script.find_iscc(env, versions.get)
    assert "(version 6.2.2.0)" in str(stopped.value)


def test_no_iscc_stops_the_build_instead_of_shipping_a_zip(
    script: ModuleType, tmp_path: Path
) -> None:
    bundle = tmp_path / "frameio-desktop"
    bundle.mkdir()
    (bundle / "frameio-desktop.exe").write_bytes(b"MZ")
    dist = tmp_path / "dist"
    dist.mkdir()
    env = {"PROGRAMFILES": str(tmp_path / "nothing"), "PATH": ""}
    with pytest.raises(SystemExit) as stopped:
        script.build_setup(bundle, dist, "1.0", "x86_64", None, None, env)
    message = str(stopped.value)
    assert "ISCC" in message
    assert "jrsoftware.org" in message
    assert str(tmp_path / "nothing" / "Inno Setup 6" / "ISCC.exe") in message
    assert list(dist.iterdir()) == []  # no zip, nothing


def test_iscc_gets_the_numeric_version_of_a_pre_release(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AppVersion stays as people read it; VersionInfoVersion gets four numbers, which
    ISCC requires (it stops on 0.3.0rc1)."""
    monkeypatch.setattr(script, "_pe_version", no_version)
    log = tmp_path / "iscc.log"
    dist = tmp_path / "dist"
    dist.mkdir()
    base = "frameio-desktop-0.3.0rc1-windows-x86_64-setup"
    iscc = executable(
        tmp_path / "ISCC.exe",
        f'for a in "$@"; do echo "$a"; done > {log}\ntouch {dist / base}.exe',
    )
    bundle = tmp_path / "frameio-desktop"
    bundle.mkdir()
    env = {"ISCC": str(iscc), "PATH": os.environ["PATH"]}
    out = script.build_setup(bundle, dist, "0.3.0rc1", "x86_64", "adobe+0a1b", None, env)
    assert out == dist / f"{base}.exe"
    args = log.read_text().splitlines()
    assert "/DAppVersion=0.3.0rc1" in args
    assert "/DAppVersionNumbers=0.3.0.1" in args
    assert f"/DOutputBaseName={base}" in args
    assert "/DUrlScheme=adobe+0a1b" in args
    assert args[-1] == str(PACKAGING / "windows" / "frameio-desktop.iss")
    # An ISCC that reports success without writing the installer is no success.
    out.unlink()
    executable(iscc, "exit 0")
    with pytest.raises(SystemExit, match="wrote no"):
        script.build_setup(bundle, dist, "0.3.0rc1", "x86_64", None, None, env)


def test_signtool_comes_from_the_windows_sdk(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(script, "architecture", lambda: "x86_64")
    kits = tmp_path / "Program Files (x86)" / "Windows Kits" / "10" / "bin"
    executable(kits / "10.0.19041.0" / "x64" / "signtool.exe")
    newest = executable(kits / "10.0.22621.0" / "x64" / "signtool.exe")
    executable(kits / "10.0.26100.0" / "arm64" / "signtool.exe")  # another architecture
    env = {"PROGRAMFILES(X86)": str(tmp_path / "Program Files (x86)"), "PATH": ""}
    assert script.find_signtool(env) == newest
    assert script.find_signtool({**env, "SIGNTOOL": "C:/sdk/signtool.exe"}) == Path(
        "C:/sdk/signtool.exe"
    )
    with pytest.raises(SystemExit, match="Windows SDK"):
        script.find_signtool({"PATH": ""})


def test_inno_setup_script_upgrades_and_path() -> None:
    text = (PACKAGING / "windows" / "frameio-desktop.iss").read_text()
    sections = inno_sections()
    setup = dict(line.split("=", 1) for line in sections["Setup"] if "=" in line)
    # ISCC refuses a VersionInfoVersion that is not numbers: the build passes four.
    assert setup["VersionInfoVersion"] == "{#AppVersionNumbers}"
    assert setup["AppVersion"] == "{#AppVersion}"
    assert "#if VER < EncodeVer(6,3,0)" in text
    assert setup["ChangesEnvironment"] == "yes"
    # An upgrade removes the old bundle's libraries before copying the new ones.
    assert sections["InstallDelete"] == [r'Type: filesandordirs; Name: "{app}\_internal"']
    # The command line on the user's PATH: a task, on unless unticked ...
    (task,) = sections["Tasks"]
    assert task.startswith('Name: "addtopath"')
    assert "unchecked" not in task
    code = "\n".join(sections["Code"])
    assert "SetAppOnUserPath(WizardIsTaskSelected('addtopath'))" in code
    assert "RegWriteExpandStringValue(HKEY_CURRENT_USER, 'Environment', 'Path'" in code
    # ... and taken off it when the app is uninstalled.
    uninstall = code[code.index("procedure CurUninstallStepChanged") :]
    assert "usPostUninstall" in uninstall
    assert "SetAppOnUserPath(False)" in uninstall


@pytest.mark.wheels
def test_iscc_version_is_read_from_a_real_windows_executable(
    script: ModuleType, tmp_path: Path
) -> None:
    """The version check reads an .exe's version resource (pefile): here one of Qt's
    Windows tools, whose version is the wheel's."""
    from tests.packaging import wheels

    try:
        found = wheels.download("win32", wheels.PIP_PLATFORMS["win32"][0])
    except RuntimeError as exc:
        pytest.skip(f"cannot download the Windows wheels: {exc}")
    wheel, member = next(wheels.members(found, r"^PySide6/designer\.exe$"))
    iscc = tmp_path / "Inno Setup 6" / "ISCC.exe"
    iscc.parent.mkdir()
    with zipfile.ZipFile(wheel) as archive:
        iscc.write_bytes(archive.read(member))
    qt = tuple(int(x) for x in wheels.pinned("win32")[0].split("==")[1].split("."))
    assert script._pe_version(iscc)[:3] == qt[:3]
    assert script.find_iscc({"ISCC": str(iscc), "PATH": ""}) == iscc  # 6.12 >= 6.3
    assert script._pe_version(tmp_path / "nothing.exe") is None


# -- `frameio-desktop token` in a Windows terminal ------------------------------------------

#: Windows' default PATHEXT (`cmd /?`): the extensions cmd and PowerShell try, in this
#: order, for a typed name without one, in each folder of PATH.
DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"


def inno_entry(line: str) -> dict[str, str]:
    """One Inno Setup entry (`Source: "x"; DestDir: "{app}"; Flags: a b`) as a dict."""
    pairs = (part.split(":", 1) for part in line.split("; "))
    return {key.strip(): value.strip().strip('"') for key, value in pairs}


def installed_programs(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """The programs at the top of the install folder, by file name, each True for a console
    program: the executables build_installer.spec makes for Windows (the name and console
    flag of each EXE), as the Inno Setup script's [Files] install them."""
    pytest.importorskip("PyInstaller", reason="needs the build extra: pip install '.[build]'")
    from tests.packaging.spec import evaluate

    build = evaluate("win32", lambda _excludes: [], monkeypatch)
    built = {f"{exe.kwargs['name']}.exe": exe.kwargs["console"] for exe in build.exes}
    # A copy under another name runs as the original only while PyInstaller's archive is in
    # the executable itself (append_pkg): a side-loaded archive is found by the exe's name.
    assert all(exe.kwargs.get("append_pkg", True) for exe in build.exes)
    installed: dict[str, bool] = {}
    for line in inno_sections()["Files"]:
        entry = inno_entry(line)
        assert entry["DestDir"] == "{app}"
        source = entry["Source"].removeprefix("{#SourceDir}\\")
        if source == "*":  # the whole PyInstaller folder, under its own names
            installed.update(built)
        else:
            installed[entry.get("DestName", source)] = built[source]
    return installed


def test_a_typed_frameio_desktop_runs_the_console_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's `frameio-desktop token` works as written in cmd and PowerShell: in the
    folder the installer puts on PATH, the first of `frameio-desktop` + PATHEXT's
    extensions is a console program (the windowed .exe prints nothing). What Windows
    itself starts names the windowed .exe in full."""
    programs = installed_programs(monkeypatch)

    def typed(name: str) -> str:
        for extension in DEFAULT_PATHEXT.lower().split(";"):
            if name + extension in programs:
                return name + extension
        raise AssertionError(f"{name} is not in the install folder: {sorted(programs)}")

    assert programs[typed("frameio-desktop")], f"{typed('frameio-desktop')} has no console"
    assert programs[typed("frameio-desktop-cli")]
    # CreateProcess (Python's subprocess) and Git Bash add only .exe: the windowed app,
    # which the README says, with frameio-desktop-cli for them.
    assert programs["frameio-desktop.exe"] is False
    # The shortcut, the scheme handler, the app after setup and the uninstall entry's
    # icon: the windowed app, by its full name.
    text = (PACKAGING / "windows" / "frameio-desktop.iss").read_text()
    started = re.findall(r"\{app\}\\([\w.-]+\.\w+)", text.split("[Files]")[1])
    started += re.findall(r"UninstallDisplayIcon=\{app\}\\([\w.-]+)", text)
    assert len(started) >= 4
    assert {programs[name] for name in started} == {False}, started
    # The PATH entry is the install folder itself, where these are.
    assert "ExpandConstant('{app}')" in "\n".join(inno_sections()["Code"])
    readme = (ROOT / "README.md").read_text()
    assert '$(frameio-desktop token)" https://api.frame.io/v4/me' in readme
    assert "`frameio-desktop.com`" in readme
    assert "`frameio-desktop-cli token`" in readme  # for Git Bash and subprocess
