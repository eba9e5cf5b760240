"""FFmpeg's libraries leave the Windows and macOS bundles: nothing the app keeps loads them.

Qt puts FFmpeg beside its own libraries for Qt Multimedia's FFmpeg plugin, which the spec
drops. QtWebEngine does not use them: Chromium's own FFmpeg is built into QtWebEngineCore.
Both are read here from the real wheels, the link tables with the tools the build uses
(macholib for Mach-O load commands, pefile for PE imports) and the kept binaries' bytes
for a library name they could load at run time.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging import wheels
from tests.packaging.spec import Build, _source, evaluate

pytestmark = pytest.mark.wheels

Target = tuple[str, list[Path]]

#: FFmpeg's libraries by file name: libavcodec.61.dylib, avcodec-63.dll.
FFMPEG = re.compile(
    r"^(lib)?(avcodec|avformat|avutil|avdevice|avfilter|swscale|swresample|postproc)[.-]\d",
    re.IGNORECASE,
)


def build_for(target: Target, monkeypatch: pytest.MonkeyPatch) -> Build:
    system, found = target
    return evaluate(system, lambda excludes: wheels.collected(found, system, excludes), monkeypatch)


def macho_dylibs(path: str) -> set[str]:
    """The libraries a Mach-O file's load commands name (every architecture), read with
    macholib as the spec and PyInstaller read them."""
    from macholib import mach_o
    from macholib.MachO import MachO

    loads = {
        mach_o.LC_LOAD_DYLIB,
        mach_o.LC_LOAD_WEAK_DYLIB,
        mach_o.LC_REEXPORT_DYLIB,
        mach_o.LC_LOAD_UPWARD_DYLIB,
        mach_o.LC_LAZY_LOAD_DYLIB,
    }
    return {
        data.rstrip(b"\0").decode()
        for header in MachO(path).headers
        for load, _command, data in header.commands
        if load.cmd in loads
    }


def linked_names(entry: wheels.Entry, system: str) -> set[str]:
    """The file names of the libraries one binary links, lower case."""
    if system == "win32":
        return wheels.pe_imports(wheels.read_member(entry))
    return {posixpath.basename(name).lower() for name in macho_dylibs(_source(entry, system))}


def binaries(target: Target, build: Build) -> tuple[dict[str, wheels.Entry], set[str]]:
    """Every binary the wheels offer the build (by bundle path), and those the spec keeps."""
    system, found = target
    assert build.analysis is not None
    excludes = build.analysis.kwargs["excludes"]
    offered = {
        e.dest: e for e in wheels.collected(found, system, excludes) if wheels.is_binary(e.dest)
    }
    return offered, set(build.files) & offered.keys()


def chunks(entry: wheels.Entry, size: int = 1 << 24, overlap: int = 64) -> Iterator[bytes]:
    """A wheel member's bytes in overlapping pieces (QtWebEngineCore is ~450 MB)."""
    with zipfile.ZipFile(entry.wheel) as archive, archive.open(entry.member) as member:
        tail = b""
        while piece := member.read(size):
            yield tail + piece
            tail = piece[-overlap:]


def library_names(data: bytes, needles: list[bytes]) -> list[bytes]:
    """Where `data` names a versioned library file of one of `needles` (avcodec-63,
    libavcodec.61, or the same in UTF-16): the name then `.` or `-` then a digit. (A plain
    find per needle: a regular expression over ~450 MB takes minutes.)"""
    found = []
    for needle in needles:
        step = 2 if needle[1:2] == b"\0" else 1
        at = data.find(needle)
        while at != -1:
            after = data[at + len(needle) : at + len(needle) + 2 * step : step]
            if after[:1] in (b".", b"-") and after[1:2].isdigit():
                found.append(data[max(0, at - 3 * step) : at + len(needle) + 2 * step])
            at = data.find(needle, at + 1)
    return found


def test_no_kept_binary_links_an_ffmpeg_library(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    system, _ = target
    offered, kept = binaries(target, build_for(target, monkeypatch))
    ffmpeg = {d for d in offered if FFMPEG.search(posixpath.basename(d))}
    assert {posixpath.basename(d).split(".")[0].split("-")[0] for d in ffmpeg} >= {
        "libavcodec" if system == "darwin" else "avcodec",
    }, f"the {system} wheels have no FFmpeg: drop the spec's ffmpeg entry"
    assert not ffmpeg & kept, f"{system} keeps {sorted(ffmpeg & kept)}"
    # Which binaries link FFmpeg, from every one's link table.
    users = {
        dest
        for dest, entry in offered.items()
        if any(FFMPEG.search(name) for name in linked_names(entry, system))
    }
    plugin = "ffmpegmediaplugin" in " ".join(users - ffmpeg)
    assert plugin, f"no {system} binary links FFmpeg: is the link table read?"
    kept_users = sorted(users & kept)
    assert not kept_users, f"{system} keeps binaries that load the trimmed FFmpeg: {kept_users}"


def test_kept_binaries_name_no_ffmpeg_library_to_load(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library can also be loaded by name at run time (dlopen, LoadLibrary): no kept
    binary holds an FFmpeg library's file name, in bytes or UTF-16. QtWebEngineCore holds
    Chromium's FFmpeg decoders, and with them FFmpeg itself: it needs no library."""
    system, _ = target
    offered, kept = binaries(target, build_for(target, monkeypatch))
    names = ("avcodec", "avformat", "avutil", "avdevice", "avfilter", "swscale", "swresample")
    # As bytes, and in UTF-16LE as LoadLibraryW's literals are stored (a\0v\0c\0...).
    needles = [n.encode() for n in names] + [n.encode("utf-16-le") for n in names]
    core = "Qt6WebEngineCore.dll" if system == "win32" else "QtWebEngineCore.framework/"
    carries_ffmpeg = False
    named: dict[str, list[bytes]] = {}
    for dest in sorted(kept):
        entry = offered[dest]
        found: list[bytes] = []
        for chunk in chunks(entry):
            found += library_names(chunk.lower(), needles)
            if core in dest and b"FFmpegAudioDecoder" in chunk:
                carries_ffmpeg = True
        if found:
            named[dest] = sorted(set(found))[:3]
    assert carries_ffmpeg, f"{system}: QtWebEngineCore no longer has Chromium's FFmpeg decoders"
    assert not named, f"{system}: kept binaries name an FFmpeg library: {named}"
