"""Keep secrets out of logs.

Code here never formats a token into a log message on purpose; this module is the second
line: `mask()` for reprs, and a logging filter that scrubs anything shaped like a secret
parameter (`access_token=...`, `"refresh_token": "..."`, `code=...`) before it is written.
"""

from __future__ import annotations

import logging
import re

SECRET_NAMES = (
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "client_secret",
    "token",
    "password",
    "authorization",
)

# name=value (query strings, form bodies), "name": "value" (JSON) and `Bearer xyz`.
_PATTERNS = [
    re.compile(
        r"(?P<pre>\b(?:" + "|".join(SECRET_NAMES) + r")=)(?P<val>[^&\s'\",]+)", re.IGNORECASE
    ),
    re.compile(
        r"(?P<pre>[\"'](?:" + "|".join(SECRET_NAMES) + r")[\"']\s*:\s*[\"'])(?P<val>[^\"']+)",
        re.IGNORECASE,
    ),
    re.compile(r"(?P<pre>\b(?:Bearer|Basic)\s+)(?P<val>[A-Za-z0-9._~+/=-]+)", re.IGNORECASE),
    # A bare JWT (Adobe IMS access tokens are JWTs): a base64url JSON header, always
    # starting `eyJ` ('{"'), then payload and signature.
    re.compile(r"(?P<pre>\beyJ)(?P<val>[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)"),
]


def mask(secret: str | None) -> str:
    """A stand-in that shows a secret exists and its length class, never its value."""
    if not secret:
        return "<none>"
    return f"<redacted {len(secret)} chars>"


def scrub(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group("pre") + "***", text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack with secrets scrubbed. Attach to
    handlers.

    A traceback is text too (`ValueError: refresh_token=...`): it is formatted here,
    scrubbed, and left in `exc_text`, which formatters use instead of formatting again."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def configure_logging(level: int = logging.WARNING) -> None:
    """Log to stderr through the redacting filter. Used by every entry point."""
    root = logging.getLogger()
    for existing in root.handlers:
        if any(isinstance(f, RedactingFilter) for f in existing.filters):
            root.setLevel(level)
            return
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # urllib3 logs full URLs at DEBUG; they can carry a code.
    logging.getLogger("urllib3").setLevel(max(level, logging.INFO))
