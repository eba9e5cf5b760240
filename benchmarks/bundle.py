"""Benchmark 7: the installer's size against a naive PyInstaller build of the same app."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, Result


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def packed_bytes(folder: Path, archive: Path) -> int:
    with tarfile.open(archive, "w:gz", compresslevel=9) as tar:
        tar.add(folder, arcname=folder.name)
    return archive.stat().st_size


def bench_bundle() -> Result:
    work = Path(tempfile.mkdtemp(prefix="frameio-bench-bundle-"))
    try:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "build_installer.py"),
                "--no-archive",
                "--dist",
                str(work / "dist"),
                "--work",
                str(work / "build"),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--onedir",
                "--windowed",
                "--log-level",
                "WARN",
                "--name",
                "frameio-desktop",
                "--distpath",
                str(work / "naive"),
                "--workpath",
                str(work / "naive-build"),
                "--specpath",
                str(work),
                str(ROOT / "frameio_desktop" / "__main__.py"),
            ],
            check=True,
            capture_output=True,
        )
        ours = work / "dist" / "frameio-desktop"
        naive = work / "naive" / "frameio-desktop"
        ours_packed = packed_bytes(ours, work / "ours.tar.gz")
        naive_packed = packed_bytes(naive, work / "naive.tar.gz")
        ours_size, naive_size = folder_bytes(ours), folder_bytes(naive)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    packed_ratio = ours_packed / naive_packed
    return Result(
        7,
        "installer size (tar.gz -9), packed / unpacked",
        f"{ours_packed / 1e6:.0f} MB / {ours_size / 1e6:.0f} MB",
        f"{naive_packed / 1e6:.0f} MB / {naive_size / 1e6:.0f} MB naive PyInstaller build",
        f"{packed_ratio:.2f}× / {ours_size / naive_size:.2f}×",
        "≤ 0.5× packed",
        packed_ratio <= 0.5,
    )
