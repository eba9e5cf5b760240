"""The sign-in view's persistent web profile: where its cookies live between sign-ins.

With `Settings.persistent_web_profile` (on by default for Frame.io V4) the sign-in page
keeps the provider's cookies in a folder of the app's own, so that an authorize request
with `prompt=none` can renew a session that has no refresh token without showing a page.
The folder is private (0700), one per sign-in (provider, client ID, profile), and deleted
at sign-out. Without the setting every sign-in stays off the record, as before.

Qt-free: the web view (gui) asks this module for the path; the session deletes it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

import platformdirs

from frameio_desktop.core.settings import APP_NAME, Settings

log = logging.getLogger(__name__)


def default_web_profiles_root() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "web-profiles"


def web_profile_path(settings: Settings, root: Path | None = None) -> Path:
    """The folder for this sign-in's web profile (not created). A hash of the store key
    names it, so a client ID or profile name never becomes a path component."""
    digest = hashlib.sha256(settings.store_key.encode()).hexdigest()[:24]
    return (root or default_web_profiles_root()) / digest


def web_profile_dir(settings: Settings, root: Path | None = None) -> Path | None:
    """The folder, created with mode 0700 (its parents too, where this creates them), or
    None when the settings keep sign-ins off the record."""
    if not settings.persistent_web_profile:
        return None
    path = web_profile_path(settings, root)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in (path.parent, path):
        if os.name == "posix" and folder.stat().st_mode & 0o077:
            folder.chmod(0o700)  # made by hand or an older version: close it
    return path


def delete_web_profile(settings: Settings, root: Path | None = None) -> bool:
    """Delete this sign-in's web profile with its cookies and cache, whatever the setting
    says now (it may have been on at the sign-in). True if there was one."""
    path = web_profile_path(settings, root)
    if not path.exists():
        return False
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():
        log.warning("the sign-in web profile could not be deleted completely: %s", path)
    return True
