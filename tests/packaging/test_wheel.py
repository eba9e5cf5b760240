"""`pip install .` as people do it, not as an editable checkout hides it.

The sdist and the wheel are built from this checkout with `python -m build` (the wheel from
the sdist, so the sdist must carry everything), the wheel is installed with its extras into
a fresh virtualenv outside the checkout, and the installed entry points run from there:
`--version`, `--help` and the whole `--self-test`. `pipx install .`, which the README
shows, does the same: pip builds the wheel from the folder and installs it into a fresh
virtualenv of its own, then links the same two entry points.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.cli import secret_service_missing
from tests.packaging import wheels

pytestmark = [pytest.mark.wheel, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
#: pip's cache, found before the tests' isolated XDG_CACHE_HOME: the ~400 MB of Qt wheels
#: are downloaded once, then installed from here.
PIP_CACHE = Path(
    os.environ.get("PIP_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
).resolve()


@dataclass(frozen=True)
class Installed:
    sdist: Path
    wheel: Path
    bin: Path  # the fresh virtualenv's scripts folder


def _env() -> dict[str, str]:
    env = {**os.environ, "PIP_CACHE_DIR": str(PIP_CACHE), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)  # nothing may come from this checkout
    return env


def _run(command: list[str | Path], cwd: Path, timeout: float = 900) -> str:
    result = subprocess.run(
        [str(c) for c in command],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(),
        timeout=timeout,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel), the wheel built from the sdist."""
    pytest.importorskip("build", reason="needs the build extra: pip install '.[build]'")
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module", params=["newest", "macos-pin"])
def installed(
    request: pytest.FixtureRequest,
    built: tuple[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Installed:
    """The wheel in a fresh virtualenv, with this system's Qt ("newest", what pip picks
    here) or with the release the macOS build is pinned to, so that the app is shown to
    run on the Qt the Mac build ships too."""
    sdist, wheel = built
    out = tmp_path_factory.mktemp("venv")
    venv = out / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=out)
    scripts = venv / ("Scripts" if sys.platform == "win32" else "bin")
    pip: list[str | Path] = [scripts / "python", "-m", "pip", "install"]
    # The demo extra: the self-test signs in to the built-in demo server.
    if request.param == "newest":
        _run([*pip, f"{wheel}[gui,demo]"], cwd=out)
    else:
        qt = [p for p in wheels.pinned("darwin") if not p.startswith("shiboken6")]
        _run([*pip, f"{wheel}[demo]", *qt], cwd=out)
        found = _run([scripts / "python", "-c", QT_VERSION], cwd=out)
        assert found.strip() == wheels.qt_version("darwin")
    return Installed(sdist, wheel, scripts)


QT_VERSION = "from PySide6 import QtCore; print(QtCore.qVersion())"


def source_packages() -> set[str]:
    """Every package in the tree: folders under frameio_desktop/ with an __init__.py, and
    resources/, installed as frameio_desktop.resources."""
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "frameio_desktop").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    return found | {"frameio_desktop.resources"}


def test_the_wheel_holds_every_package_and_its_data(built: tuple[Path, Path]) -> None:
    sdist, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    in_wheel = {n.rsplit("/", 1)[0].replace("/", ".") for n in names if n.endswith("/__init__.py")}
    assert source_packages() <= in_wheel, sorted(source_packages() - in_wheel)
    for data in (
        "frameio_desktop/resources/icon.svg",
        "frameio_desktop/resources/icon-256.png",
        "frameio_desktop/resources/frameio-desktop.desktop",
        "frameio_desktop/demo/templates/login.html",
    ):
        assert data in names, data
    with tarfile.open(sdist) as archive:
        members = {m.split("/", 1)[1] for m in archive.getnames() if "/" in m}
    assert {"setup.py", "pyproject.toml", "README.md", "resources/icon.svg"} <= members


def test_every_module_the_app_imports_is_installed() -> None:
    """What made the entry points fail: a module imported by name that no package list
    covered. Every `frameio_desktop.x` the source imports must be in a found package."""
    packages = source_packages()
    for path in (ROOT / "frameio_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("frameio_desktop."):
                    parent = name if name in packages else name.rsplit(".", 1)[0]
                    assert parent in packages, f"{path.name} imports {name}"


def test_installed_entry_points_run(installed: Installed) -> None:
    from frameio_desktop import __version__

    cli = installed.bin / "frameio-desktop-cli"
    version = _run([cli, "--version"], cwd=installed.bin)
    assert version.strip() == f"frameio-desktop {__version__}"
    assert "token" in _run([cli, "--help"], cwd=installed.bin)
    # The windowed entry point exists too (a gui-scripts entry; on Linux a plain script).
    assert (installed.bin / "frameio-desktop").is_file()
    # Imported from the virtualenv, not from this checkout.
    where = _run(
        [installed.bin / "python", "-c", "import frameio_desktop; print(frameio_desktop.__file__)"],
        cwd=installed.bin,
    )
    assert Path(where.strip()).is_relative_to(installed.bin.parent)


def test_installed_self_test_passes(installed: Installed) -> None:
    if secret_service_missing():
        pytest.skip(str(secret_service_missing()))
    env = {**_env(), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [str(installed.bin / "frameio-desktop"), "--self-test"],
        capture_output=True,
        text=True,
        cwd=installed.bin,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "self-test passed" in result.stdout
    assert "FAIL" not in result.stdout


def test_pipx_install_as_the_readme_shows(tmp_path: Path) -> None:
    """The README's `pipx install ".[gui]"`, run as written from the checkout, with pipx's
    folders in a temporary place: both entry points land on pipx's PATH folder and run."""
    pytest.importorskip("pipx", reason="needs the build extra: pip install '.[build]'")
    readme = (ROOT / "README.md").read_text()
    command = 'pipx install ".[gui]"'
    assert f"`{command}`" in readme
    env = {
        **_env(),
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pipx", "install", ".[gui]"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    from frameio_desktop import __version__

    cli = tmp_path / "bin" / "frameio-desktop-cli"
    assert _run([cli, "--version"], cwd=tmp_path).strip() == f"frameio-desktop {__version__}"
    assert (tmp_path / "bin" / "frameio-desktop").exists()
