"""The real PySide6 wheels for Windows and macOS, and what PyInstaller would collect from them.

The wheels are downloaded once into a cache outside the repository (they are ~800 MB) with
pip's own `download --platform`, pinned to the versions installed here, so the spec is
checked against exactly the Qt the build uses. Everything below reads the wheels' real
file lists (zip name lists) and the real binaries' headers; nothing is written out by hand.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import struct
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

#: Computed at import, before the tests' isolated XDG_CACHE_HOME: the cache outlives runs.
CACHE = (
    Path(
        os.environ.get("FRAMEIO_WHEEL_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "frameio-desktop-wheels"
    )
).resolve()

#: The wheels each system's Qt comes from (pyproject.toml's gui extra): WebEngine needs
#: Addons (QtWebChannel, QtPositioning) and Essentials (QtCore ... QtQuick); shiboken6 is
#: PySide's runtime. macOS is pinned to a 6.11 release, where QtWebEngine is still part of
#: Addons (PySide6-WebEngine exists only from 6.12 on).
QT_DISTRIBUTIONS = {
    "win32": ("PySide6-Essentials", "PySide6-Addons", "PySide6-WebEngine", "shiboken6"),
    "darwin": ("PySide6-Essentials", "PySide6-Addons", "shiboken6"),
}

#: pip platform tags to ask for, by sys.platform. PySide6 publishes universal2 wheels for
#: macOS; asking for each architecture shows that both get one (the same file). The macOS
#: tags are the oldest macOS the app supports: the pinned wheels must install there.
PIP_PLATFORMS = {
    "win32": ["win_amd64"],
    "darwin": ["macosx_15_0_arm64", "macosx_15_0_x86_64"],
}

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def marker_environment(system: str) -> dict[str, str]:
    return {
        "sys_platform": system,
        "platform_system": {"win32": "Windows", "darwin": "Darwin"}.get(system, "Linux"),
        "os_name": "nt" if system == "win32" else "posix",
    }


def gui_requirements(system: str) -> list[Requirement]:
    """pyproject.toml's gui extra as pip resolves it on `system` (markers evaluated)."""
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    env = marker_environment(system)
    requirements = [Requirement(line) for line in extras["gui"]]
    return [r for r in requirements if r.marker is None or r.marker.evaluate(env)]


def qt_version(system: str) -> str | None:
    """The PySide6 release pyproject.toml pins `system` to (==), or None: the newest."""
    for req in gui_requirements(system):
        if canonicalize_name(req.name) == "pyside6-essentials":
            exact = [s.version for s in req.specifier if s.operator == "=="]
            return exact[0] if exact else None
    raise AssertionError(f"the gui extra installs no PySide6-Essentials on {system}")


def pinned(system: str) -> list[str]:
    """name==version of each Qt wheel the build for `system` installs: the release
    pyproject.toml pins it to (PySide publishes its wheels in lockstep), else the one
    installed here (Linux and Windows both take the newest)."""
    version = qt_version(system)
    return [
        f"{name}=={version or importlib.metadata.version(name)}"
        for name in QT_DISTRIBUTIONS[system]
    ]


def download(system: str, pip_platform: str) -> list[Path]:
    """The Qt wheels of `system` for one pip platform tag, from the cache or from PyPI.
    Raises RuntimeError with pip's message when they cannot be had."""
    folder = CACHE / pip_platform
    wanted = pinned(system)
    stamp = folder / ".complete"
    names = {canonicalize_name(n.split("==")[0]): n.split("==")[1] for n in wanted}

    def ours(wheel: Path) -> bool:
        name, version = wheel.name.split("-")[:2]
        return names.get(canonicalize_name(name)) == version

    if stamp.is_file() and stamp.read_text() == "\n".join(wanted):
        return sorted(w for w in folder.glob("*.whl") if ours(w))
    folder.mkdir(parents=True, exist_ok=True)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check"]
    command += ["--quiet", "--only-binary=:all:", "--no-deps", "--platform", pip_platform]
    command += ["--python-version", python, "--dest", str(folder), *wanted]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pip download for {pip_platform} failed: {result.stderr[-1500:]}")
    stamp.write_text("\n".join(wanted))
    return sorted(w for w in folder.glob("*.whl") if ours(w))


# -- what PyInstaller collects -------------------------------------------------------------

#: Parts of the wheels that are Qt's SDK, not its runtime: PyInstaller's Qt hooks never
#: collect headers, type stubs, binding generator input, CMake files, tools or docs.
_SDK = re.compile(
    r"\.dist-info/|\.pyi$|\.py$|\.pyc$|\.lib$|\.json$|\.cpp$|/py\.typed$|"
    r"^PySide6/(include|typesystems|glue|doc|metatypes|scripts|support|lib/cmake)/|"
    r"^PySide6/Qt/(metatypes|lib/cmake|lib/metatypes|include|mkspecs|modules|sbom)/|"
    r"^shiboken6/(include|docs?)/|/Headers/"
)


@dataclass(frozen=True)
class Entry:
    """One collected file: its path in the bundle, the wheel and member it comes from."""

    dest: str
    wheel: Path
    member: str
    size: int


def _dest(member: str, system: str) -> str | None:
    """Where PyInstaller puts a wheel member in the bundle (None: not collected)."""
    if _SDK.search(member):
        return None
    top = member.split("/")[0]
    if top == "shiboken6":
        return member
    if top != "PySide6":
        return None
    if system == "win32":
        rel = member.removeprefix("PySide6/")
        if "/" not in rel:
            # DLLs, extension modules and the one helper executable; the other .exe files
            # are Qt's tools (designer, lupdate, ...).
            if rel.endswith((".dll", ".pyd")) or rel == "QtWebEngineProcess.exe":
                return member
            return None
        if rel.split("/")[0] in ("plugins", "qml", "translations", "resources"):
            return member
        return None
    rel = member.removeprefix("PySide6/")
    if "/" not in rel:
        return member if re.search(r"\.so$|\.so\.|\.dylib$", rel) else None
    if not rel.startswith("Qt/"):
        return None  # Designer.app and the other tools at the top (macOS)
    qt = rel.removeprefix("Qt/")
    if qt.startswith("libexec/"):
        return member if qt == "libexec/QtWebEngineProcess" else None
    if system == "darwin":
        # Framework bundles from wheels have no symlinks: top-level Resources/ and
        # Helpers/ are copies. PyInstaller collects them into Versions/A and links them.
        found = re.match(r"(lib/[^/]+\.framework)/(?!Versions/)(.*)", qt)
        if found:
            return f"PySide6/Qt/{found[1]}/Versions/A/{found[2]}"
    if qt.split("/")[0] in ("lib", "plugins", "qml", "translations", "resources"):
        return member
    return None


def _excluded_extension(dest: str, excludes: Iterable[str]) -> bool:
    """An extension module of an excluded Python module (Analysis never collects it)."""
    found = re.fullmatch(r"PySide6/(Qt\w+)\.(pyd|abi3\.so)", dest)
    return found is not None and f"PySide6.{found[1]}" in set(excludes)


def collected(wheels: Iterable[Path], system: str, excludes: Iterable[str]) -> list[Entry]:
    """The Qt part of a PyInstaller build's TOC for `system`, from the real wheels. A
    superset of what the hooks collect (they take plugins and libraries per imported
    module), so a file the spec keeps here it keeps in a real build."""
    excludes = list(excludes)
    entries: dict[str, Entry] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                dest = _dest(info.filename, system)
                if dest is None or _excluded_extension(dest, excludes):
                    continue
                entries.setdefault(dest, Entry(dest, wheel, info.filename, info.file_size))
    return sorted(entries.values(), key=lambda e: e.dest)


def is_binary(dest: str) -> bool:
    """A library or executable: what PyInstaller lists in `binaries`."""
    if re.search(r"\.(dll|pyd|exe|so|dylib)$|\.so\.|/libexec/QtWebEngineProcess$", dest):
        return True
    if dest.endswith(".app/Contents/MacOS/QtWebEngineProcess"):
        return True
    # QtCore.framework/Versions/A/QtCore, not its Resources
    framework = re.search(r"/(\w+)\.framework/Versions/A/(\w+)$", dest)
    return framework is not None and framework[1] == framework[2]


# -- which distributions a system installs ----------------------------------------------


def installed_distributions(system: str, root: str = "frameio-desktop") -> set[str]:
    """What pip installs on `system` for the app with its gui extra: the requirement graph
    of this machine's metadata with each marker evaluated for that system."""
    env = marker_environment(system)
    seen: set[str] = set()
    todo = [(root, "gui")]
    while todo:
        name, extra = todo.pop()
        key = canonicalize_name(name)
        if key in seen and not extra:
            continue
        seen.add(key)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue  # not installed here (e.g. pywin32-ctypes): a leaf
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({**env, "extra": extra or ""}):
                todo.append((req.name, ""))
    return seen


# -- Mach-O and PE headers ----------------------------------------------------------------


@dataclass
class MachO:
    """What the load commands of one (possibly universal) Mach-O file say."""

    archs: list[str] = field(default_factory=list)
    minimum: tuple[int, int, int] = (0, 0, 0)
    libraries: set[str] = field(default_factory=set)


_CPU = {0x01000007: "x86_64", 0x0100000C: "arm64"}
_LC_LOAD = {0xC, 0x80000018, 0x8000001F, 0x80000023}  # load, weak, reexport, upward dylib


def read_macho(data: bytes) -> MachO:
    """Parse the headers of a Mach-O file by hand (its layout is in <mach-o/loader.h> and
    <mach-o/fat.h>): an independent check of what the spec reads with macholib."""
    result = MachO()
    magic = struct.unpack_from(">I", data)[0]
    if magic in (0xCAFEBABE, 0xCAFEBABF):  # universal: big-endian fat header
        count = struct.unpack_from(">I", data, 4)[0]
        wide = magic == 0xCAFEBABF
        step = 32 if wide else 20
        slices = []
        for i in range(count):
            if wide:
                _cpu, _sub, offset = struct.unpack_from(">iiQ", data, 8 + i * step)
            else:
                _cpu, _sub, offset = struct.unpack_from(">iiI", data, 8 + i * step)
            slices.append(offset)
    else:
        slices = [0]
    for offset in slices:
        magic, cpu, _sub, _kind, ncmds, _size, _flags = struct.unpack_from("<7I", data, offset)
        if magic != 0xFEEDFACF:
            raise ValueError(f"not a 64-bit Mach-O slice (magic {magic:#x})")
        result.archs.append(_CPU.get(cpu, hex(cpu)))
        at = offset + 32
        for _ in range(ncmds):
            cmd, size = struct.unpack_from("<II", data, at)
            if cmd == 0x32:  # LC_BUILD_VERSION: platform, minos, sdk, ntools
                platform, minos = struct.unpack_from("<II", data, at + 8)
                if platform == 1:  # macOS
                    found = (minos >> 16, (minos >> 8) & 0xFF, minos & 0xFF)
                    result.minimum = max(result.minimum, found)
            elif cmd == 0x24:  # LC_VERSION_MIN_MACOSX
                minos = struct.unpack_from("<I", data, at + 8)[0]
                result.minimum = max(
                    result.minimum, (minos >> 16, (minos >> 8) & 0xFF, minos & 0xFF)
                )
            elif cmd in _LC_LOAD:
                name_at = struct.unpack_from("<I", data, at + 8)[0]
                raw = data[at + name_at : at + size]
                result.libraries.add(raw.split(b"\0")[0].decode())
            at += size
    return result


def macho_headers(entry: Entry, limit: int = 1 << 20) -> bytes:
    """The first megabyte of each architecture slice of a collected Mach-O file, at their
    real offsets (the rest zero), so the load commands parse without unpacking ~1 GB."""
    with zipfile.ZipFile(entry.wheel) as archive, archive.open(entry.member) as member:
        head = member.read(4096)
        magic = struct.unpack_from(">I", head)[0]
        if magic not in (0xCAFEBABE, 0xCAFEBABF):
            return head + member.read(limit - len(head))
        count = struct.unpack_from(">I", head, 4)[0]
        wide = magic == 0xCAFEBABF
        step = 32 if wide else 20
        offsets = sorted(
            struct.unpack_from(">iiQ" if wide else ">iiI", head, 8 + i * step)[2]
            for i in range(count)
        )
        out = bytearray(head)
        for offset in offsets:
            # ZipExtFile reads forward only; skipping is decompressing and dropping.
            member.seek(offset)
            chunk = member.read(limit)
            if len(out) < offset:
                out.extend(bytes(offset - len(out)))
            out[offset : offset + len(chunk)] = chunk
        return bytes(out)


def pe_imports(data: bytes) -> set[str]:
    """The DLL names a Windows executable or DLL imports, through pefile."""
    import pefile

    pe = pefile.PE(data=data, fast_load=True)
    pe.parse_data_directories(
        directories=[
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT"],
        ]
    )
    names = {
        imp.dll.decode().lower()
        for attr in ("DIRECTORY_ENTRY_IMPORT", "DIRECTORY_ENTRY_DELAY_IMPORT")
        for imp in getattr(pe, attr, [])
    }
    pe.close()
    return names


def read_member(entry: Entry) -> bytes:
    with zipfile.ZipFile(entry.wheel) as archive:
        return archive.read(entry.member)


def members(wheels: Iterable[Path], pattern: str) -> Iterator[tuple[Path, str]]:
    regex = re.compile(pattern)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if regex.search(name):
                    yield wheel, name
