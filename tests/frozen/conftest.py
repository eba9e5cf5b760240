"""One build for all frozen tests: scripts/build_installer.py makes the bundle once and
packs this system's installers from it (on Linux the .deb and the tarball)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.frozen import layout

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Built:
    dist: Path
    bundle: Path  # the onedir folder (on macOS: inside the .app)
    executable: Path
    installers: list[Path]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    pytest.importorskip("PyInstaller", reason="needs the build extra: pip install '.[build]'")
    import subprocess

    out = tmp_path_factory.mktemp("installer")
    dist = out / "dist"
    script = str(ROOT / "scripts" / "build_installer.py")
    subprocess.run(
        # --quick: lighter compression, same content (xz -6 of ~390 MB takes minutes).
        [sys.executable, script, "--quick", "--dist", str(dist), "--work", str(out / "work")],
        check=True,
        cwd=ROOT,
        timeout=1500,
    )
    installers = sorted(p for p in dist.iterdir() if p.is_file())
    return Built(dist, layout.bundle(dist), layout.executable(dist), installers)
