"""The sign-in page's web profile (core/web_profile.py): a fresh one for each sign-in, kept
only with a session, and a lifecycle that no order of sign-in, sign-out and renewal breaks.

The orders that raced in the window (a sign-out's deletion on a worker while the next
sign-in's page is given its folder) are forced here, step by step, on one thread: each
step is what one side does, in the order that went wrong."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
import responses

from frameio_desktop.core import web_profile as web_profile_module
from frameio_desktop.core.errors import SessionExpiredError, SignInEndedError
from frameio_desktop.core.web_profile import WebProfile, web_profile_path
from tests.helpers.fakes import AUTH, FakeClock, MemoryKeyring, make_settings, make_tokens
from tests.helpers.sessions import new_session

SETTINGS = make_settings(provider="frameio-v4")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "web-profiles"


@pytest.fixture(autouse=True)
def removal_in_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove moved-aside folders at once, so that a test sees the disk as it ends up."""
    monkeypatch.setattr(web_profile_module, "_remove", web_profile_module._remove_now)


def cookie(folder: Path | None) -> Path:
    assert folder is not None
    path = folder / "Cookies"
    path.write_text("the provider's session")
    return path


def leftovers(root: Path) -> list[str]:
    """The cookie files still on disk under the profiles' root (moved aside or not)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("Cookies"))


def test_each_sign_in_gets_a_new_empty_private_folder(root: Path) -> None:
    profile = WebProfile(SETTINGS, root)
    first = profile.for_sign_in()
    cookie(first)
    profile.keep()
    second = profile.for_sign_in()
    assert second is not None
    assert second != first
    assert list(second.iterdir()) == []  # the login page shows: no cookies
    if os.name == "posix":
        assert stat.S_IMODE(second.stat().st_mode) == 0o700


def test_a_renewal_uses_the_folder_of_the_sign_in_that_got_tokens(root: Path) -> None:
    profile = WebProfile(SETTINGS, root)
    assert profile.for_renewal() is None  # nobody signed in here
    folder = profile.for_sign_in()
    profile.keep()
    assert profile.for_renewal() == folder
    assert WebProfile(SETTINGS, root).for_renewal() == folder  # the next launch too


@pytest.mark.parametrize("how", ["denied", "cancelled", "failed"])
def test_a_sign_in_that_ends_without_tokens_leaves_no_cookies(root: Path, how: str) -> None:
    profile = WebProfile(SETTINGS, root)
    cookie(profile.for_sign_in())
    profile.end_sign_in()
    assert leftovers(root) == []
    assert profile.for_renewal() is None


def test_the_current_session_survives_a_sign_in_again_that_was_cancelled(root: Path) -> None:
    profile = WebProfile(SETTINGS, root)
    current = profile.for_sign_in()
    kept = cookie(current)
    profile.keep()
    cookie(profile.for_sign_in())  # "Sign in again", then Cancel
    profile.end_sign_in()
    assert profile.for_renewal() == current
    assert leftovers(root) == [str(kept.relative_to(root))]


def test_a_deletion_after_the_next_sign_in_began_spares_its_folder(root: Path) -> None:
    """21 §5: sign-out's deletion ran after the next sign-in's page got its folder, and
    the page found no folder. Forced: the sign-in first, then the deletion."""
    signed_out = WebProfile(SETTINGS, root)  # the session that signed out
    cookie(signed_out.for_sign_in())
    signed_out.keep()
    page = WebProfile(SETTINGS, root).for_sign_in()  # the next sign-in's page
    assert signed_out.delete()  # the sign-out's deletion, late
    signed_out.sweep()  # and the window's second pass, once its hosts have closed
    assert page is not None
    assert page.is_dir()
    assert list(page.iterdir()) == []
    assert leftovers(root) == []


def test_a_sign_in_during_a_deletion_gets_a_folder_that_stays(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced: the next sign-in asks for its folder while the deletion is removing files
    (the removal runs the sign-in's request in its middle)."""
    profile = WebProfile(SETTINGS, root)
    cookie(profile.for_sign_in())
    profile.keep()
    pages: list[Path | None] = []
    remove = web_profile_module._remove_now
    asked = threading.Event()

    def removal_with_a_sign_in_in_between(trash: list[Path]) -> None:
        if not asked.is_set():
            asked.set()
            pages.append(WebProfile(SETTINGS, root).for_sign_in())
        remove(trash)

    monkeypatch.setattr(web_profile_module, "_remove", removal_with_a_sign_in_in_between)
    assert profile.delete()
    assert pages
    assert pages[0] is not None
    assert pages[0].is_dir()
    assert leftovers(root) == []


def test_a_deletion_waits_for_a_sign_in_taking_its_folder(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced: a deletion on another thread starts while a sign-in is making its folder
    (between its mkdir and its permission check, where `stat()` raised before). The
    deletion must wait for the lock, and leave the folder alone."""
    profile = WebProfile(SETTINGS, root)
    made, deleted = threading.Event(), threading.Event()
    holder: list[threading.Thread] = []
    private = web_profile_module._private

    def private_with_a_deletion_in_between(folder: Path) -> None:
        private(folder)
        if folder == profile.folder and not holder:

            def delete() -> None:
                profile.delete()
                deleted.set()

            deleter = threading.Thread(target=delete)
            holder.append(deleter)
            deleter.start()
            made.set()

    monkeypatch.setattr(web_profile_module, "_private", private_with_a_deletion_in_between)
    page = profile.for_sign_in()
    assert made.is_set()
    holder[0].join()
    assert deleted.is_set()
    assert page is not None
    assert page.is_dir()


@pytest.fixture
def session_parts(tmp_path: Path, root: Path):
    clock = FakeClock()
    session = new_session(
        SETTINGS, folder=tmp_path, keyring=MemoryKeyring(), clock=clock, web_profiles_root=root
    )
    return session, clock


@responses.activate
@pytest.mark.parametrize("how", ["ended", "refresh token refused"])
def test_a_session_that_ends_takes_its_cookies(session_parts, root: Path, how: str) -> None:
    session, clock = session_parts
    cookie(session.web_profile.for_sign_in())
    session.web_profile.keep()
    if how == "ended":
        session._save(make_tokens(clock(), refresh=None, lifetime=60))
        clock.advance(61)
        with pytest.raises(SignInEndedError):
            session.refresh()
    else:
        responses.post(f"{AUTH}/oauth2/token", json={"error": "invalid_grant"}, status=400)
        session._save(make_tokens(clock(), lifetime=60))
        clock.advance(61)
        with pytest.raises(SessionExpiredError):
            session.refresh()
    assert leftovers(root) == []
    assert session.web_profile.for_renewal() is None


def test_the_folder_name_hides_the_client_id(root: Path) -> None:
    assert SETTINGS.client_id not in str(web_profile_path(SETTINGS, root))


def test_what_a_stopped_deletion_left_is_removed_at_the_next_sign_in(root: Path) -> None:
    profile = WebProfile(SETTINGS, root)
    profile.for_sign_in()
    left = root / ".trash-0123456789abcdef"
    left.mkdir()
    cookie(left)
    profile.end_sign_in()
    assert left.exists()  # only a new sign-in looks for it
    profile.for_sign_in()
    assert not left.exists()
