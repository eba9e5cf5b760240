"""`login --no-browser`: sign in on any browser, anywhere, by pasting the final address.

The app prints the authorize URL; the person opens it in a browser (on another computer,
if need be), signs in, and the browser is redirected to the app's redirect URI, which
fails to load there. What its address bar then shows is pasted back here, and checked
exactly as a caught redirect is (`PendingSignIn.take_code`: address, state, once), and the
code is exchanged with the PKCE verifier. A paste that is not this sign-in's answer (a
typo, another tab's address) can be tried again; an empty line or end of input cancels.
This sign-in's answer on another page (the server did not know the redirect URI, and
sent it to the credential's default page) ends the sign-in with what to compare.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from frameio_desktop.core.errors import (
    AuthorizationResponseError,
    SignInCancelledError,
    UnknownRedirectError,
)
from frameio_desktop.core.flow import FOREIGN_ANSWER_ERRORS

if TYPE_CHECKING:
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.core.tokens import TokenSet

#: How many pastes that are not this sign-in's answer before giving up.
ATTEMPTS = 3


def sign_in_by_paste(
    session: AuthSession,
    *,
    read_line: Callable[[], str],
    out: TextIO,
    reason: str | None = None,
) -> TokenSet:
    """Run the whole sign-in; return the stored tokens.

    `read_line` returns one line of input and raises `EOFError` at the end of input.
    Raises `SignInCancelledError` on an empty line or end of input, or the last check's
    error after `ATTEMPTS` refused pastes."""
    pending = session.begin_sign_in()
    if reason:
        out.write(f"Not opening a browser: {reason}.\n")
    out.write(instructions(pending.authorize_url, pending.redirect_uri))
    last: AuthorizationResponseError | None = None
    for _attempt in range(ATTEMPTS):
        out.write("Address (an empty line cancels): ")
        out.flush()
        try:
            pasted = unquoted(read_line())
        except EOFError:
            raise SignInCancelledError() from None
        if not pasted:
            raise SignInCancelledError()
        try:
            code = pending.take_code(pasted)
        except UnknownRedirectError as exc:
            # This sign-in's answer, on a page the server chose because it does not know
            # the redirect URI: explain it; another paste cannot help.
            raise UnknownRedirectError(exc.host, stopped=False) from None
        except FOREIGN_ANSWER_ERRORS as exc:
            last = exc
            # Only the finding: its "start again" would contradict the prompt that follows.
            finding = exc.user_message.split(". ")[0].rstrip(".")
            out.write(f"{finding}. Paste the address this sign-in ended on.\n")
            continue
        out.write("Signing in (exchanging the code with the server)...\n")
        out.flush()
        return session.finish_sign_in(pending, code)
    assert last is not None
    raise last


def unquoted(line: str) -> str:
    """A pasted address without the quotes or angle brackets a terminal or a chat may have
    put around it."""
    text = line.strip()
    while len(text) >= 2 and (text[0], text[-1]) in (('"', '"'), ("'", "'"), ("<", ">")):
        text = text[1:-1].strip()
    return text


def instructions(authorize_url: str, redirect_uri: str) -> str:
    """What to do in the browser. A custom-scheme redirect (`adobe+...://`) never shows in
    a browser's address bar (Chromium asks to open an app and stays on the sign-in page),
    so for it the address is taken from the developer tools' network list, which must be
    open before the sign-in ends."""
    from urllib.parse import urlsplit

    scheme = urlsplit(redirect_uri).scheme.lower()
    if scheme in ("http", "https"):
        return f"Open this address in a web browser and sign in:\n\n  {authorize_url}\n\n" + (
            "The browser then goes to an address that does not load. Copy that whole address "
            "from its address bar and paste it here.\n"
        )
    return (
        f"This app's redirect ({scheme}://...) is not a web address: when the sign-in ends, "
        "the browser offers to open an app, and the address never shows in its address "
        "bar. (A credential with a web-address redirect avoids this: an Adobe Single-Page "
        "App or Web App credential with a redirect such as https://localhost/callback, "
        "whose failed page shows the address.)\n\n"
        "BEFORE you sign in, open the browser's developer tools (F12, or Ctrl+Shift+I; "
        "Cmd+Option+I on a Mac) on their Network tab, then open this address in that tab "
        f"and sign in:\n\n  {authorize_url}\n\n"
        "When it is done: in Chrome or Edge, the last request in the Network list starts "
        f"with {scheme}:// (shown as canceled): right-click it, Copy > Copy URL. In Firefox, "
        "click the last request (status 302) and copy the Location of its response "
        "headers. Paste it here.\n"
    )
