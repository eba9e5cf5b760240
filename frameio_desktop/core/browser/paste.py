"""`login --no-browser`: sign in on any browser, anywhere, by pasting the final address.

The app prints the authorize URL; the person opens it in a browser (on another computer,
if need be), signs in, and the browser is redirected to the app's redirect URI, which
fails to load there. What its address bar then shows is pasted back here, and checked
exactly as a caught redirect is (`PendingLogin.take_code`: address, state, once), and the
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
    pending = session.begin_login()
    if reason:
        out.write(f"Not opening a browser: {reason}.\n")
    out.write(
        "Open this address in a web browser and sign in:\n\n"
        f"  {pending.authorize_url}\n\n"
        "The browser then goes to an address that does not load. Copy that whole address "
        "from its address bar and paste it here.\n"
    )
    last: AuthorizationResponseError | None = None
    for _attempt in range(ATTEMPTS):
        out.write("Address: ")
        out.flush()
        try:
            pasted = read_line().strip()
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
            out.write(f"{exc.user_message} Paste the address of this sign-in's page.\n")
            continue
        return session.finish_login(pending, code)
    assert last is not None
    raise last
