"""A fake of the few `winreg` calls the app makes (scheme registration, start at login),
over a dict of key paths: Windows' registry, tested on any system."""

from __future__ import annotations


class FakeWinreg:
    """The few `winreg` calls the registration makes, over a dict of key paths."""

    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1
    KEY_SET_VALUE = 2

    class Key:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> FakeWinreg.Key:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, tuple[int, str]]] = {}

    def _full(self, root: str, sub: str) -> str:
        return f"{root}\\{sub}".lower()

    def CreateKeyEx(self, root: str, sub: str) -> Key:  # noqa: N802 - winreg's names
        path = self._full(root, sub)
        parts = path.split("\\")
        for i in range(2, len(parts) + 1):
            self.keys.setdefault("\\".join(parts[:i]), {})
        return self.Key(path)

    def OpenKey(self, root: str, sub: str, reserved: int = 0, access: int = 0) -> Key:  # noqa: N802
        path = self._full(root, sub)
        if path not in self.keys:
            raise FileNotFoundError(path)
        return self.Key(path)

    def SetValueEx(self, key: Key, name: str, reserved: int, kind: int, value: str) -> None:  # noqa: N802
        self.keys[key.path][name] = (kind, value)

    def QueryValueEx(self, key: Key, name: str) -> tuple[str, int]:  # noqa: N802
        if name not in self.keys[key.path]:
            raise FileNotFoundError(name)  # as winreg does for a missing value
        kind, value = self.keys[key.path][name]
        return value, kind

    def DeleteKey(self, root: str, sub: str) -> None:  # noqa: N802
        path = self._full(root, sub)
        if path not in self.keys:
            raise FileNotFoundError(path)
        if any(k.startswith(path + "\\") for k in self.keys):
            raise PermissionError("has subkeys")
        del self.keys[path]

    def DeleteValue(self, key: Key, name: str) -> None:  # noqa: N802
        if name not in self.keys[key.path]:
            raise FileNotFoundError(name)
        del self.keys[key.path][name]
