"""Build the onedir bundle with build_installer.spec and pack the Linux installer archive.

    .venv/bin/python scripts/build_installer.py [--dist DIR]

Prints the unpacked and packed sizes. The archive is dist/frameio-desktop-<version>-
linux-<machine>.tar.gz: unpack it anywhere and run frameio-desktop/frameio-desktop.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = "frameio-desktop"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def build(dist: Path, work: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(ROOT / "build_installer.spec"),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
        ],
        check=True,
        cwd=ROOT,
    )
    return dist / APP


def pack(bundle: Path, dist: Path) -> Path:
    version = importlib.metadata.version(APP)
    archive = dist / f"{APP}-{version}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=9) as tar:
        tar.add(bundle, arcname=APP)
    return archive


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument("--no-archive", action="store_true")
    args = parser.parse_args()
    bundle = build(args.dist, args.work)
    print(f"bundle:   {bundle}  {folder_size(bundle) / 1e6:.1f} MB unpacked")
    if not args.no_archive:
        archive = pack(bundle, args.dist)
        print(f"archive:  {archive}  {archive.stat().st_size / 1e6:.1f} MB packed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
