from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging import wheels


@pytest.fixture(scope="session", params=["win32", "darwin"])
def target(request: pytest.FixtureRequest) -> tuple[str, list[Path]]:
    """(sys.platform, its real Qt wheels). Downloaded once into the cache; a failed
    download skips with pip's reason, anything else fails."""
    pytest.importorskip("PyInstaller", reason="needs the build extra: pip install '.[build]'")
    system = request.param
    found: dict[str, Path] = {}
    for tag in wheels.PIP_PLATFORMS[system]:
        try:
            # Both macOS architectures get the same universal2 files: one copy of each.
            found.update((w.name, w) for w in wheels.download(system, tag))
        except RuntimeError as exc:
            pytest.skip(f"cannot download the {tag} wheels: {exc}")
    return system, [found[name] for name in sorted(found)]
