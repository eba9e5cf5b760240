"""Evaluate build_installer.spec as PyInstaller would on another system, with recorders.

PyInstaller runs a spec with `exec`, giving it SPECPATH and its build classes. Here those
classes are recorders: Analysis returns the Qt files PyInstaller would collect from the
target system's real wheels (tests/packaging/wheels.py), and copy_metadata raises
PackageNotFoundError, as the real one does, for a distribution pip does not install on the
target system. `sys.platform` is the target's while the spec runs.
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name

from tests.packaging import wheels

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build_installer.spec"


@dataclass
class Recorded:
    """One call of a PyInstaller build class."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass
class Build:
    """Everything the spec asked PyInstaller to do."""

    analysis: Recorded | None = None
    exes: list[Recorded] = field(default_factory=list)
    collect: Recorded | None = None
    bundle: Recorded | None = None
    metadata: list[str] = field(default_factory=list)
    binaries: list[tuple[str, str, str]] = field(default_factory=list)
    datas: list[tuple[str, str, str]] = field(default_factory=list)
    namespace: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        """Bundle paths of everything collected, after the spec's filters."""
        return sorted(dest.replace("\\", "/") for dest, _src, _kind in self.binaries + self.datas)


def _source(entry: wheels.Entry, system: str) -> str:
    """The source path the TOC names. On macOS the spec reads the Mach-O headers of
    what it collects, so those get a file with the real headers (cached)."""
    if system != "darwin" or not wheels.is_binary(entry.dest):
        return f"{entry.wheel}/{entry.member}"
    path = wheels.CACHE / "headers" / entry.wheel.stem / entry.member
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wheels.macho_headers(entry))
    return str(path)


def evaluate(
    system: str,
    qt_files: Callable[[list[str]], list[wheels.Entry]],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str] | None = None,
) -> Build:
    """Run the spec for `system`; `qt_files(excludes)` is what Analysis collects."""
    import PyInstaller.utils.hooks as hooks

    build = Build()
    present = wheels.installed_distributions(system)

    def copy_metadata(name: str, *_a: Any, **_k: Any) -> list[tuple[str, str]]:
        if canonicalize_name(name) not in present:
            raise importlib.metadata.PackageNotFoundError(name)
        build.metadata.append(name)
        return [(f"/site-packages/{name}.dist-info", f"{name}.dist-info")]

    class Analysis:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            build.analysis = Recorded(args, kwargs)
            entries = qt_files(list(kwargs.get("excludes", [])))
            sep = "\\" if system == "win32" else "/"
            self.binaries: list[tuple[str, str, str]] = []
            self.datas: list[tuple[str, str, str]] = [
                (dest, src, "DATA") for src, dest in kwargs.get("datas", [])
            ]
            for entry in entries:
                toc = (entry.dest.replace("/", sep), _source(entry, system))
                if wheels.is_binary(entry.dest):
                    self.binaries.append((*toc, "BINARY"))
                else:
                    self.datas.append((*toc, "DATA"))
            self.pure: list[tuple[str, str, str]] = []
            self.scripts: list[tuple[str, str, str]] = []

    def recorder(target: list[Recorded] | str) -> type:
        class Recorder:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                call = Recorded(args, kwargs)
                if isinstance(target, list):
                    target.append(call)
                else:
                    setattr(build, target, call)

        return Recorder

    if system == "win32":
        # PyInstaller imports pywin32's win32api on Windows only; its version resource
        # module names it at import but uses it only to write the resource into the .exe.
        import PyInstaller.compat

        monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    monkeypatch.setattr(hooks, "copy_metadata", copy_metadata)
    monkeypatch.setattr(hooks, "collect_data_files", lambda *_a, **_k: [])
    monkeypatch.setattr(hooks, "collect_submodules", lambda name, *_a, **_k: [f"{name}.x"])
    for name in ("FRAMEIO_URL_SCHEME",):
        monkeypatch.delenv(name, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {
        "__file__": str(SPEC),
        "__name__": "__main__",
        "SPECPATH": str(ROOT),
        "Analysis": Analysis,
        "PYZ": recorder([]),
        "EXE": recorder(build.exes),
        "COLLECT": recorder("collect"),
        "BUNDLE": recorder("bundle"),
    }
    with platform(system, monkeypatch):
        exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)  # noqa: S102
    analysis = namespace["a"]
    build.binaries = analysis.binaries
    build.datas = analysis.datas
    build.namespace = namespace
    return build


@contextmanager
def platform(system: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setattr(sys, "platform", system)
        yield
