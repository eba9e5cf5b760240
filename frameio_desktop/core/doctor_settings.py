"""The doctor's checks of the settings, the redirect, the stored session, and the display
and browser a sign-in would use. Qt-free; see `core/doctor.py`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from urllib.parse import urlsplit

from frameio_desktop.core import errors
from frameio_desktop.core.doctor_check import Check, DoctorContext
from frameio_desktop.core.providers import DEFAULT_PROVIDER, PRESETS, ims_redirect_rule
from frameio_desktop.core.settings import (
    DEFAULT,
    ENV_NAMES,
    SECRET_SETTINGS,
    load_settings,
    redirect_uri_problem,
)
from frameio_desktop.core.sources import printable
from frameio_desktop.core.timefmt import format_expiry

#: Shown even when nobody set them (with "default"): what a sign-in is about.
_ALWAYS_SHOWN = ("provider", "client_id", "redirect_uri", "profile")


def _shown(name: str, value: str | None) -> str:
    if value is None:
        return "not set"
    if name in SECRET_SETTINGS:
        return "set"  # never the secret itself
    return printable(value)


def settings_summary(values: Mapping[str, str], origins: Mapping[str, str]) -> str:
    """Each value and where it came from:
    `client_id=abc (CLIENT_ID from ./.env); profile=default (default)`."""
    parts = []
    for name in ENV_NAMES:
        value = values.get(name)
        if value is None and name not in _ALWAYS_SHOWN:
            continue
        origin = origins.get(name, DEFAULT)
        if value is None and name == "provider":
            value = DEFAULT_PROVIDER
        elif value is None and name == "profile":
            value = "default"
        parts.append(f"{name}={_shown(name, value)}" + (f" ({origin})" if value else ""))
    return "; ".join(parts)


def window_settings_summary(values: Mapping[str, str], sources: Mapping[str, str]) -> str:
    """`settings_summary` in the window's words: "client ID: abc (set in the environment
    the app was started from)"; no variable or flag."""
    parts = []
    for name in ENV_NAMES:
        value = values.get(name)
        if value is None and name not in _ALWAYS_SHOWN:
            continue
        if value is None and name == "provider":
            value = DEFAULT_PROVIDER
        elif value is None and name == "profile":
            value = "default"
        where = errors.SOURCE_WORDS.get(sources.get(name, ""), "").removeprefix(", ")
        words = errors.setting_words(ENV_NAMES[name])
        shown = _shown(name, value)
        if name == "provider" and value in PRESETS:
            shown = PRESETS[value].title  # "Frame.io V4 (Adobe IMS)", not its id
        parts.append(f"{words}: {shown}" + (f" ({where})" if value and where else ""))
    return "; ".join(parts)


def check_settings(context: DoctorContext) -> Check:
    """Each value and its source (flag, environment, .env, settings file); the first
    problem the loader finds; the `.env` keys and settings-file keys it ignored."""
    from frameio_desktop.core.sources import resolve

    try:
        found = resolve(context.flags, environ=context.environ)
    except errors.ConfigError as exc:
        return Check("settings", False, exc.problem, exc.hint, exc.window_what, _remedy_text(exc))
    context.values, context.sources = found.values, found.sources
    summary = settings_summary(found.values, found.origins)
    in_words = window_settings_summary(found.values, found.sources)
    try:
        context.settings = load_settings(context.flags, environ=context.environ)
    except errors.ConfigError as exc:
        if exc.setting == "FRAMEIO_REDIRECT_URI" and context.values.get("redirect_uri"):
            return Check(
                "settings",
                False,
                f"the redirect URI is refused (see the redirect check). Read: {summary}",
                "Fix the redirect URI as the redirect check says.",
                f"the redirect URI is refused (see the redirect check). Read: {in_words}",
            )
        return Check(
            "settings",
            False,
            f"{exc.setting} {exc.problem}. Read: {summary}",
            _one_line(exc.hint),
            f"{exc.window_what} Read: {in_words}",
            _remedy_text(exc),
        )
    if found.ignored_dotenv_keys or found.unknown_file_keys:
        from frameio_desktop.core.sources import shown_path

        fixes = []
        if found.ignored_dotenv_keys:
            fixes.append(
                f"Remove {', '.join(found.ignored_dotenv_keys)} from "
                f"{shown_path(found.dotenv_path)} and set them with a flag, the environment "
                "or the app's Settings."
            )
        if found.unknown_file_keys:
            fixes.append(
                f"Fix or remove {', '.join(found.unknown_file_keys)} in {found.settings_path}."
            )
        return Check(
            "settings",
            False,
            " ".join(found.warnings) + f" Read: {summary}",
            " ".join(fixes),
            " ".join(found.window_warnings) + f" Read: {in_words}",
            "Remove what was ignored from the files named, and enter it in Settings.",
        )
    return Check("settings", True, summary, window_detail=in_words)


def _remedy_text(exc: errors.FrameioDesktopError) -> str | None:
    return exc.window_remedy.text if exc.window_remedy else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def check_redirect(context: DoctorContext) -> Check:
    """That the redirect URI is one the sign-in server accepts; for Adobe IMS, its
    documented rule (never `http://`; a Native App's `adobe+<hash>://adobeid/<client id>`
    or an `https://` one)."""
    values = context.values
    redirect = values.get("redirect_uri")
    if not redirect:
        return Check(
            "redirect",
            False,
            "no redirect URI is set",
            "Set the redirect URI of your credential (Adobe Developer Console, OAuth "
            "credential) with --redirect-uri, FRAMEIO_REDIRECT_URI or the app's Settings.",
            window_fix="Enter the redirect URI of your credential (Adobe Developer Console, "
            "OAuth credential) in Settings.",
        )
    problem = redirect_uri_problem(redirect)
    if problem is None:
        preset = PRESETS.get(values.get("provider", DEFAULT_PROVIDER))
        authorize = values.get("authorize_url") or (preset.authorize_url if preset else None)
        problem = ims_redirect_rule(redirect, authorize, values.get("client_id"))
    if problem is not None:
        return Check(
            "redirect",
            False,
            f"{redirect} will not be accepted: {problem}",
            "Copy the redirect URI from your credential in Adobe Developer Console into "
            "Settings (or --redirect-uri / FRAMEIO_REDIRECT_URI).",
            window_fix="Copy the redirect URI from your credential in Adobe Developer "
            "Console into Settings.",
        )
    kind = {
        "https": "an https:// redirect (caught by the app's own sign-in window)",
        "http": "a loopback redirect (allowed only with endpoint overrides)",
    }.get(urlsplit(redirect).scheme.lower(), "a custom-scheme (Native App) redirect")
    note = _form_warning(context)
    return Check("redirect", True, f"{redirect}: {kind}" + (f". Note: {note}" if note else ""))


def _form_warning(context: DoctorContext) -> str | None:
    """The settings form's warning about this redirect (an Adobe Native App redirect that
    names another client ID, say), or None."""
    from frameio_desktop.core.configure import Level, SetupValues, check_field, current_setup

    try:
        state = current_setup(context.flags, environ=context.environ)
    except errors.ConfigError:
        return None
    found = check_field("redirect_uri", SetupValues(dict(context.values)), state)
    return found.message if found.level is Level.WARNING else None


def check_session(context: DoctorContext) -> Check:
    """Signed in or not, until when, and whether a refresh token exists. No network."""
    settings = context.settings
    if settings is None:
        return Check(
            "session", False, "not checked: the settings are not usable", "Fix the settings first."
        )
    from frameio_desktop.core.session import AuthSession

    session = AuthSession(settings, store=context.store, clock=context.clock)
    tokens = session.load()
    who = f"profile {settings.profile} of {settings.title}"
    if tokens is None:
        reason = session.why_not_signed_in()
        if type(reason) is errors.NotSignedInError and not session.damaged_entry:
            return Check(
                "session",
                True,
                f"nobody is signed in ({who}); `login` signs in",
                window_detail=f"nobody is signed in ({who})",
            )
        return Check(
            "session",
            False,
            reason.user_message,
            _session_fix(reason),
            reason.window_message,
            _remedy_text(reason) or "Sign in again.",
        )
    now = context.clock()
    until = tokens.signed_in_until
    refresh = "a refresh token" if tokens.refresh_token else "no refresh token"
    name = f"{session.known_user.display_name} is" if session.known_user else "You are"
    if not tokens.is_fresh(now) and not tokens.refresh_usable(now):
        return Check(
            "session",
            False,
            f"the sign-in ({who}) ended {format_expiry(tokens.expires_at, now)}",
            "Sign in again: frameio-desktop login.",
            window_fix="Sign in again.",
        )
    lasting = f"until {format_expiry(until, now)}" if until else "with no stated end"
    return Check("session", True, f"{name} signed in ({who}) {lasting}; {refresh}")


def _session_fix(reason: errors.FrameioDesktopError) -> str:
    if isinstance(reason, errors.SessionBindingError):
        return "Use the settings the sign-in was made with, or sign in again with these."
    if isinstance(reason, errors.StoreError):
        return "See the keyring check above."
    return "Sign in again: frameio-desktop login (frameio-desktop logout removes the old one)."


def default_browser(environ: Mapping[str, str], platform: str) -> str | None:
    """What "Sign in with your browser" opens: `BROWSER`, else the desktop's default
    browser as the desktop names it (None when none can be found)."""
    from frameio_desktop.core.browser.launch import browser_commands

    commands = browser_commands(environ)
    if commands:
        return f"{' '.join(commands[0])} (from BROWSER)"
    if platform == "darwin":
        return "the default web browser (System Settings > Desktop & Dock)"
    if platform == "win32":
        return "the default web browser (Settings > Apps > Default apps)"
    for argv in (
        ["xdg-settings", "get", "default-web-browser"],
        ["xdg-mime", "query", "default", "x-scheme-handler/https"],
    ):
        exe = shutil.which(argv[0], path=environ.get("PATH"))
        if exe is None:
            continue
        try:
            done = subprocess.run(  # noqa: S603 - a desktop tool's fixed argv
                [exe, *argv[1:]],
                env=dict(environ),
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        found = done.stdout.strip()
        if done.returncode == 0 and found:
            return f"{found} (the desktop's default)"
    return None


def check_display_and_browser(context: DoctorContext) -> Check:
    """Whether there is a display, and which browser "Sign in with your browser" opens."""
    from frameio_desktop.core.browser.launch import browser_commands, no_display_reason

    reason = no_display_reason(context.environ, context.platform)
    if reason is not None:
        return Check(
            "display and browser",
            False,
            f"{reason}: no window or browser can be shown here",
            "Sign in with `frameio-desktop login --no-browser` (sign in in any browser, "
            "paste the address it ends on), or run where there is a display.",
            window_fix="Run the app where there is a display.",
        )
    browser = default_browser(context.environ, context.platform)
    if browser is None:
        chosen = context.environ.get("FRAMEIO_BROWSER", "").strip().lower() == "system"
        detail = "display found; no default web browser is set"
        fix = "Choose a default web browser in your desktop's settings, or set BROWSER."
        if chosen:
            return Check(
                "display and browser",
                False,
                detail,
                fix,
                window_fix="Choose a default web browser in your desktop's settings.",
            )
        return Check(
            "display and browser",
            True,
            f"{detail} (the app's own sign-in window works without one)",
        )
    if browser_commands(context.environ):
        # The command itself ("true", a script's path) means nothing in the window.
        in_words = "the browser set for this app (in the environment it was started from)"
    elif browser.endswith(" (the desktop's default)"):
        in_words = f"the desktop's default web browser ({browser.split(' (')[0]})"
    else:
        in_words = browser
    return Check(
        "display and browser",
        True,
        f"display found; your browser: {browser}",
        window_detail=f"display found; “Sign in with your browser” opens {in_words}",
    )
