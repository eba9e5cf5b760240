"""Register the app as the handler of its custom redirect scheme (RFC 8252 section 7.1).

Frame.io V4's native-app credential redirects to `adobe+<hash>://adobeid/<client_id>`.
For the person's browser to hand that URL back, the operating system must know this app
handles the scheme; it then starts the app with the URL as its argument, and that second
instance hands it to the running one (`handoff`).

- Linux and the BSDs: a desktop entry `frameio-desktop-url-<scheme>.desktop` with
  `MimeType=x-scheme-handler/<scheme>` in `$XDG_DATA_HOME/applications`, made the default
  with `xdg-mime default` (which writes `$XDG_CONFIG_HOME/mimeapps.list`). Unregistering
  deletes the entry and the association.
- Windows: `HKCU\\Software\\Classes\\<scheme>` with `URL Protocol` and
  `shell\\open\\command` = `"<exe>" ... "%1"`. Only this user's hive; no admin rights.
  Tested with a fake registry only.
- macOS: the scheme is declared in the app bundle's `Info.plist` (`CFBundleURLTypes`, with
  `CFBundleURLSchemes` = [the scheme]), which the installer's spec writes; LaunchServices
  registers it when the bundle is first opened, and delivers the URL to the running app as
  an Apple event (Qt: a `QFileOpenEvent`), not as an argument. `register` has nothing to
  do there and says so.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from frameio_desktop.core.browser.errors import SchemeRegistrationError

log = logging.getLogger(__name__)

# RFC 3986 section 3.1.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")
_WEB_SCHEMES = frozenset({"http", "https"})
# Desktop Entry Specification, "The Exec key": characters that make an argument quoted.
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
RunCommand = Callable[..., "subprocess.CompletedProcess[str]"]


def redirect_scheme(redirect_uri: str) -> str | None:
    """The private-use scheme of a redirect URI, lower-cased, or None for http(s)."""
    scheme = urlsplit(redirect_uri).scheme
    if not scheme or scheme.lower() in _WEB_SCHEMES:
        return None
    if not _SCHEME.match(scheme):
        raise SchemeRegistrationError(f"{scheme!r} is not a valid URL scheme.")
    return scheme.lower()


#: Put before the URL in the registered command: whatever the URL holds, it is then the
#: value of this switch, never an option of its own (Windows passes `"%1"` as it comes).
HANDOFF_SWITCH = "--handoff-url"
#: Schemes a registration must never take over (RFC 8252 section 7.1 wants a private-use
#: scheme: a reverse domain name, or the provider's own form such as `adobe+<hash>`).
_WELL_KNOWN = frozenset(
    {
        "about", "blob", "chrome", "data", "file", "ftp", "git", "http", "https", "irc",
        "javascript", "ldap", "magnet", "mailto", "ms-settings", "news", "sftp", "sip", "skype",
        "slack", "sms", "smb", "spotify", "ssh", "steam", "tel", "vnc", "vscode", "ws", "wss",
        "zoommtg", "msteams", "x-github-client", "adobe", "adobeid",
    }
)  # fmt: skip
# A provider's own private-use form: Adobe Developer Console's `adobe+<hex>`.
_PROVIDER_FORMS = (re.compile(r"adobe\+[0-9a-f]+\Z"),)
#: The value our Windows keys carry, so that we change and delete only keys we made.
WINDOWS_MARK_NAME = "frameio-desktop"


def private_use_problem(scheme: str) -> str | None:
    """Why `scheme` may not be registered, or None for a private-use scheme."""
    name = scheme.lower()
    if name in _WELL_KNOWN or name.removeprefix("web+") in _WELL_KNOWN:
        return (
            f"{scheme}: is a well-known scheme that other apps handle; frameio-desktop "
            "registers only a private-use scheme (RFC 8252 section 7.1)."
        )
    if any(form.match(name) for form in _PROVIDER_FORMS):
        return None
    labels = name.split(".")
    if len(labels) >= 2 and all(labels) and not any("+" in label for label in labels):
        return None  # a reverse domain name, such as com.example.app
    return (
        f"{scheme}: is not a private-use scheme. Use a reverse domain name you control "
        "(com.example.app) or your provider's own form (adobe+<hash>), as RFC 8252 "
        "section 7.1 asks, and register that redirect with your credential."
    )


def handler_command() -> list[str]:
    """How the operating system should start this app: the URL follows the handoff switch.

    From source, `-P` keeps the launcher's working folder off the import path (`python -m`
    would put it first, and a `./frameio_desktop/` there would run), as for the sign-in
    window."""
    if getattr(sys, "frozen", False):
        return [_windowed_executable(sys.executable), HANDOFF_SWITCH]
    return [sys.executable, "-P", "-m", "frameio_desktop", HANDOFF_SWITCH]


def _windowed_executable(executable: str) -> str:
    """The frozen Windows build's windowed frameio-desktop.exe, also when its console twin
    (frameio-desktop-cli.exe) runs: a console window would flash on every redirect."""
    if sys.platform != "win32":
        return executable
    return str(Path(executable).with_name("frameio-desktop.exe"))


def registered_by_installer(
    executable: str | None = None, *, frozen: bool | None = None, platform: str = sys.platform
) -> bool:
    """Whether an installer put this app in place: it registers the scheme (or was built
    without one), so the app leaves that registration alone. Inno Setup leaves its
    uninstaller (unins000.exe) beside the app; the .deb installs it under /opt; a Mac app
    declares its scheme in its bundle."""
    if not (getattr(sys, "frozen", False) if frozen is None else frozen):
        return False
    folder = Path(executable or sys.executable).resolve().parent
    if platform == "win32":
        return any(folder.glob("unins*.exe"))
    return platform == "darwin" or folder == Path("/opt/frameio-desktop")


@dataclass(frozen=True)
class Outcome:
    """What `register` or `unregister` did, in a sentence for the person."""

    changed: bool
    message: str


# -- Linux and the BSDs (freedesktop.org) --------------------------------------------------------


def desktop_file_id(scheme: str) -> str:
    # A desktop file ID holds letters, digits, '-', '_' and '.'; '+' becomes '-'.
    return "frameio-desktop-url-" + re.sub(r"[^A-Za-z0-9_.-]", "-", scheme) + ".desktop"


def _data_home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _config_home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def desktop_exec(command: Sequence[str]) -> str:
    """The `Exec=` value that runs `command` with the URL (`%u`) appended.

    Quoting per the Desktop Entry Specification: an argument with a reserved character is
    double-quoted with `"`, `` ` ``, `$` and `\\` backslash-escaped inside; `%` is doubled;
    then the whole value gets the string escape, which doubles every backslash again."""
    words = []
    for arg in command:
        if any(ord(c) < 0x20 for c in arg):
            raise SchemeRegistrationError(f"A handler argument has a control character: {arg!r}")
        if not arg or _EXEC_RESERVED & set(arg):
            arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
        words.append(arg.replace("%", "%%"))
    return (" ".join(words) + " %u").replace("\\", "\\\\")


def desktop_entry(scheme: str, command: Sequence[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=frameio-desktop sign-in\n"
        "Comment=Receives the sign-in answer from your browser\n"
        f"Exec={desktop_exec(command)}\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        f"MimeType=x-scheme-handler/{scheme};\n"
    )


def _xdg_mime(run: RunCommand, environ: Mapping[str, str], *args: str) -> str:
    exe = shutil.which("xdg-mime", path=environ.get("PATH"))
    if exe is None:
        raise SchemeRegistrationError(
            "xdg-mime is not installed (package xdg-utils), so the app cannot make itself "
            "the handler of its sign-in address."
        )
    try:
        done = run(
            [exe, *args], env=dict(environ), capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SchemeRegistrationError(f"xdg-mime failed: {exc}") from exc
    if done.returncode != 0:
        raise SchemeRegistrationError(f"xdg-mime failed: {done.stderr.strip()}")
    return str(done.stdout).strip()


def _register_xdg(
    scheme: str, command: Sequence[str], environ: Mapping[str, str], run: RunCommand
) -> Outcome:
    folder = _data_home(environ) / "applications"
    file_id = desktop_file_id(scheme)
    path = folder / file_id
    entry = desktop_entry(scheme, command)
    mime = f"x-scheme-handler/{scheme}"
    if (
        path.is_file()
        and path.read_text(encoding="utf-8") == entry
        and _xdg_mime(run, environ, "query", "default", mime) == file_id
    ):
        return Outcome(False, f"Already registered as the handler of {scheme}: links.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(entry, encoding="utf-8")
    except OSError as exc:
        raise SchemeRegistrationError(f"Cannot write {path}: {exc}") from exc
    _xdg_mime(run, environ, "default", file_id, mime)
    _update_mime_cache(folder, environ, run)
    log.info("registered %s as the handler of %s:", path, scheme)
    return Outcome(True, f"Registered {path} as the handler of {scheme}: links.")


def _update_mime_cache(folder: Path, environ: Mapping[str, str], run: RunCommand) -> None:
    """Rebuild the folder's `mimeinfo.cache` (desktop-file-utils), if that tool is here:
    some desktops and xdg-mime read the cache, and a stale one keeps naming a removed
    handler. The default set with xdg-mime works without it."""
    update = shutil.which("update-desktop-database", path=environ.get("PATH"))
    if update is not None and folder.is_dir():
        run([update, str(folder)], env=dict(environ), capture_output=True, timeout=30, check=False)


def _unregister_xdg(scheme: str, environ: Mapping[str, str], run: RunCommand) -> Outcome:
    file_id = desktop_file_id(scheme)
    path = _data_home(environ) / "applications" / file_id
    changed = False
    if path.exists():
        path.unlink()
        _update_mime_cache(path.parent, environ, run)
        changed = True
    for mimeapps in (
        _config_home(environ) / "mimeapps.list",
        _data_home(environ) / "applications" / "mimeapps.list",
    ):
        changed |= _drop_association(mimeapps, f"x-scheme-handler/{scheme}", file_id)
    if not changed:
        return Outcome(False, f"Nothing was registered for {scheme}: links.")
    return Outcome(True, f"Removed the handler of {scheme}: links ({path}).")


def _drop_association(mimeapps: Path, mime: str, file_id: str) -> bool:
    """Remove `file_id` from `mime`'s lines in a mimeapps.list, keeping everything else."""
    try:
        lines = mimeapps.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        return False
    kept: list[str] = []
    changed = False
    for line in lines:
        key, sep, value = line.rstrip("\n").partition("=")
        if sep and key.strip() == mime:
            ids = [v for v in value.split(";") if v]
            if file_id in ids:
                changed = True
                ids = [v for v in ids if v != file_id]
                if not ids:
                    continue
                line = f"{key}={';'.join(ids)};\n"
        kept.append(line)
    if changed:
        mimeapps.write_text("".join(kept), encoding="utf-8")
    return changed


# -- Windows --------------------------------------------------------------------------------------


def _windows_command(command: Sequence[str]) -> str:
    return subprocess.list2cmdline(list(command)) + ' "%1"'


def _windows_owner(scheme: str, winreg: Any) -> str | None:
    """'ours', 'other' (the key exists without our mark) or None (no key)."""
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, rf"Software\Classes\{scheme}") as key:
            try:
                winreg.QueryValueEx(key, WINDOWS_MARK_NAME)
            except FileNotFoundError:
                return "other"
    except FileNotFoundError:
        return None
    return "ours"


def _register_windows(scheme: str, command: Sequence[str], winreg: Any) -> Outcome:
    base = rf"Software\Classes\{scheme}"
    value = _windows_command(command)
    if _windows_owner(scheme, winreg) == "other":
        raise SchemeRegistrationError(
            f"HKEY_CURRENT_USER\\{base} belongs to another app; frameio-desktop leaves it "
            "alone. Remove that app's handler first if this scheme is yours."
        )
    try:
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, base) as key:
            winreg.SetValueEx(key, "", 0, winreg.REG_SZ, f"URL:{scheme}")
            winreg.SetValueEx(key, "URL Protocol", 0, winreg.REG_SZ, "")
            winreg.SetValueEx(key, WINDOWS_MARK_NAME, 0, winreg.REG_SZ, "sign-in handler")
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, base + r"\shell\open\command") as key:
            winreg.SetValueEx(key, "", 0, winreg.REG_SZ, value)
    except OSError as exc:
        raise SchemeRegistrationError(f"Cannot write HKCU\\{base}: {exc}") from exc
    return Outcome(True, f"Registered HKEY_CURRENT_USER\\{base} as the handler of {scheme}: links.")


def _unregister_windows(scheme: str, winreg: Any) -> Outcome:
    base = rf"Software\Classes\{scheme}"
    owner = _windows_owner(scheme, winreg)
    if owner == "other":
        return Outcome(False, f"HKEY_CURRENT_USER\\{base} belongs to another app; left alone.")
    removed = False
    # DeleteKey removes only keys without subkeys: the deepest first.
    for sub in (r"\shell\open\command", r"\shell\open", r"\shell", ""):
        try:
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, base + sub)
            removed = True
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise SchemeRegistrationError(f"Cannot remove HKCU\\{base}{sub}: {exc}") from exc
    if not removed:
        return Outcome(False, f"Nothing was registered for {scheme}: links.")
    return Outcome(True, f"Removed HKEY_CURRENT_USER\\{base}.")


def _windows_registered(scheme: str, command: Sequence[str], winreg: Any) -> bool:
    if _windows_owner(scheme, winreg) != "ours":
        return False
    try:
        with winreg.OpenKey(
            winreg.HKEY_CURRENT_USER, rf"Software\Classes\{scheme}\shell\open\command"
        ) as key:
            value, _ = winreg.QueryValueEx(key, "")
    except OSError:
        return False
    return bool(value == _windows_command(command))


# -- the entry points ------------------------------------------------------------------------------


def _winreg_module(winreg: Any) -> Any:
    if winreg is not None:
        return winreg
    import winreg as system_winreg  # type: ignore[import-not-found,unused-ignore]

    return system_winreg


def register(
    scheme: str,
    command: Sequence[str] | None = None,
    *,
    platform: str = sys.platform,
    environ: Mapping[str, str] | None = None,
    run: RunCommand = subprocess.run,
    winreg: Any = None,
) -> Outcome:
    """Make this app the handler of `scheme:` links for this user. Only a private-use
    scheme (`private_use_problem`); raises `SchemeRegistrationError` for any other."""
    problem = private_use_problem(scheme)
    if problem is not None:
        raise SchemeRegistrationError(problem)
    command = list(command or handler_command())
    environ = os.environ if environ is None else environ
    if platform == "win32":
        return _register_windows(scheme, command, _winreg_module(winreg))
    if platform == "darwin":
        return Outcome(False, _MACOS_NOTE)
    return _register_xdg(scheme, command, environ, run)


def unregister(
    scheme: str,
    *,
    platform: str = sys.platform,
    environ: Mapping[str, str] | None = None,
    run: RunCommand = subprocess.run,
    winreg: Any = None,
) -> Outcome:
    """Undo `register`: this app no longer handles `scheme:` links."""
    environ = os.environ if environ is None else environ
    if platform == "win32":
        return _unregister_windows(scheme, _winreg_module(winreg))
    if platform == "darwin":
        return Outcome(False, _MACOS_NOTE)
    return _unregister_xdg(scheme, environ, run)


def is_registered(
    scheme: str,
    command: Sequence[str] | None = None,
    *,
    platform: str = sys.platform,
    environ: Mapping[str, str] | None = None,
    run: RunCommand = subprocess.run,
    winreg: Any = None,
) -> bool:
    """This app, started as `command`, is the handler of `scheme:` links now."""
    command = list(command or handler_command())
    environ = os.environ if environ is None else environ
    if platform == "win32":
        return _windows_registered(scheme, command, _winreg_module(winreg))
    if platform == "darwin":
        return True  # the bundle declares it
    path = _data_home(environ) / "applications" / desktop_file_id(scheme)
    try:
        current = path.read_text(encoding="utf-8")
        default = _xdg_mime(run, environ, "query", "default", f"x-scheme-handler/{scheme}")
    except (OSError, SchemeRegistrationError):
        return False
    return current == desktop_entry(scheme, command) and default == desktop_file_id(scheme)


_MACOS_NOTE = (
    "On macOS the app bundle declares its sign-in scheme (CFBundleURLTypes); macOS registers "
    "it when the app is first opened. Nothing to do here."
)
