"""The Linux tarball: unpacked anywhere, it is the same bundle, passes the self-test from
there and writes no file into its own folder (so deleting the folder uninstalls it)."""

from __future__ import annotations

import os
import sys
import tarfile
from pathlib import Path

import pytest

from tests.frozen.conftest import Built
from tests.frozen.test_bundle import check_self_test, run_frozen
from tests.helpers.cli import secret_service_missing

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.timeout(1800),  # the first frozen test builds
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the tarball is Linux's"),
]
APP = "frameio-desktop"


def tree(root: Path) -> dict[str, tuple[bool, bool]]:
    """Every path under `root` but empty folders: whether it is a symlink, whether it is
    executable. (Chromium makes an empty `locales` folder beside its resources when it
    can, in the bundle the other frozen tests ran as in this one; a read-only install
    just has none.)"""
    return {
        str(p.relative_to(root)): (p.is_symlink(), os.access(p, os.X_OK))
        for p in root.rglob("*")
        if p.is_symlink() or not p.is_dir() or any(p.iterdir())
    }


def test_tarball_unpacks_anywhere_runs_and_leaves_nothing(built: Built, tmp_path: Path) -> None:
    if secret_service_missing():
        pytest.skip(str(secret_service_missing()))
    tarball = next(p for p in built.installers if p.name.endswith(".tar.gz"))
    place = tmp_path / "some folder"  # anywhere, a space in its path
    place.mkdir()
    with tarfile.open(tarball) as archive:
        assert {m.split("/")[0] for m in archive.getnames()} == {APP}  # one folder
        archive.extractall(place, filter="tar")
    unpacked = place / APP
    before = tree(unpacked)
    assert before == tree(built.bundle)
    check_self_test(run_frozen(unpacked / APP, "--self-test"))
    assert tree(unpacked) == before  # no file written into the app's own folder
