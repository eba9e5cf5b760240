"""The self-test's per-system expectations name real keyring backends and the paths the
spec keeps (checked against the wheels in test_spec.py)."""

from __future__ import annotations

import pytest

from frameio_desktop.core.store import backend_label


@pytest.mark.parametrize(
    ("system", "module", "name"),
    [
        ("linux", "keyring.backends.SecretService", "Keyring"),
        ("linux", "keyring.backends.kwallet", "DBusKeyring"),
        ("darwin", "keyring.backends.macOS", "Keyring"),
        ("win32", "keyring.backends.Windows", "WinVaultKeyring"),
    ],
)
def test_native_keyring_is_the_systems_own_backend(system: str, module: str, name: str) -> None:
    import importlib

    from frameio_desktop.selftest import NATIVE_KEYRING

    cls = getattr(importlib.import_module(module), name)
    label = backend_label(cls.__new__(cls))
    assert label.startswith(NATIVE_KEYRING[system])
    others = [s for s in NATIVE_KEYRING if s != system]
    assert not any(label.startswith(NATIVE_KEYRING[s]) for s in others)


def test_a_file_or_memory_keyring_is_no_systems_own() -> None:
    from frameio_desktop.selftest import NATIVE_KEYRING
    from tests.helpers.fakes import MemoryKeyring

    label = backend_label(MemoryKeyring())
    assert not any(label.startswith(prefixes) for prefixes in NATIVE_KEYRING.values())


@pytest.mark.parametrize(
    ("system", "ending"),
    [
        ("linux", "PySide6/Qt/libexec/QtWebEngineProcess"),
        ("win32", "PySide6/QtWebEngineProcess.exe"),
        (
            "darwin",
            "PySide6/Qt/lib/QtWebEngineCore.framework/Helpers/QtWebEngineProcess.app"
            "/Contents/MacOS/QtWebEngineProcess",
        ),
    ],
)
def test_self_test_looks_for_the_helper_where_each_system_keeps_it(
    system: str, ending: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from frameio_desktop import selftest

    monkeypatch.setattr(sys, "_MEIPASS", "/bundle", raising=False)
    monkeypatch.setattr(sys, "platform", system)
    assert selftest._bundled_web_engine_helper().as_posix() == f"/bundle/{ending}"
