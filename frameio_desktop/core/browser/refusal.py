"""Pages that refuse to work inside an app's embedded browser.

Google answers a sign-in in an embedded view with `403 disallowed_useragent`, and in
QtWebEngine 6.8 with "Couldn't sign you in: This browser or app may not be secure". Adobe's
page hands off to Google (and to company sign-ins that may do the same), so the embedded
view looks for these markers on each page it loads, and then offers the same sign-in in the
person's own browser (RFC 8252 section 8.12).
"""

from __future__ import annotations

#: Lower-case text found on the refusal pages (the error code, and the sentence shown).
MARKERS = (
    "disallowed_useragent",
    "this browser or app may not be secure",
)


def refuses_embedded_view(url: str, text: str) -> bool:
    """The page at `url`, whose visible text is `text`, refuses embedded sign-ins."""
    haystack = f"{url}\n{text}".lower()
    return any(marker in haystack for marker in MARKERS)
