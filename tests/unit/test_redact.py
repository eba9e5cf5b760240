from __future__ import annotations

import logging

import pytest

from frameio_desktop.core.flow import begin_sign_in
from frameio_desktop.core.redact import RedactingFilter, configure_logging, scrub
from tests.helpers.fakes import FakeClock, make_settings, make_tokens


def test_token_set_repr_masks(clock: FakeClock) -> None:
    tokens = make_tokens(clock.now, access="sekrit-access", refresh="sekrit-refresh")
    text = repr(tokens) + str(tokens) + f"{tokens}"
    assert "sekrit" not in text
    assert "redacted" in text


def test_pending_sign_in_and_settings_repr_mask() -> None:
    settings = make_settings(client_secret="sekrit-secret")
    pending = begin_sign_in(settings)
    assert "sekrit" not in repr(settings)
    assert pending.code_verifier not in repr(pending)
    assert pending.state not in repr(pending)


@pytest.mark.parametrize(
    "message",
    [
        "GET /cb?code=sekrit123&state=x",
        'body {"access_token": "sekrit123", "x": 1}',
        "refresh_token=sekrit123&grant_type=refresh_token",
        "Authorization: Bearer sekrit123",
        "client_secret=sekrit123",
    ],
)
def test_scrub(message: str) -> None:
    assert "sekrit123" not in scrub(message)


def test_logging_filter_scrubs_args(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("frameio_desktop.test")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("redirect %s", "https://app.example.test/cb?code=sekrit123")
    assert "sekrit123" not in caplog.text
    assert "code=***" in caplog.text


JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzZWtyaXQxMjMifQ.c2lnbmF0dXJlLXNla3JpdDEyMw"


def test_scrub_masks_a_bare_jwt() -> None:
    cleaned = scrub(f"the server rejected {JWT} today")
    assert JWT not in cleaned
    assert "eyJzdWIi" not in cleaned
    assert cleaned.startswith("the server rejected eyJ***")


def test_logging_filter_scrubs_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("frameio_desktop.test")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        try:
            raise ValueError(f"refresh_token=sekrit123 and {JWT}")
        except ValueError:
            logger.exception("refresh failed")
        logger.info("where", stack_info=True, extra={"x": "access_token=sekrit123"})
    assert "ValueError: refresh_token=***" in caplog.text
    assert "sekrit123" not in caplog.text
    assert JWT not in caplog.text


def test_configured_handler_writes_no_secret_from_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    handlers = list(root.handlers)
    level = root.level
    try:
        root.handlers = []
        configure_logging(logging.INFO)
        try:
            raise RuntimeError(f"Bearer sekrit123 {JWT}")
        except RuntimeError:
            logging.getLogger("frameio_desktop.test").exception("boom")
    finally:
        root.handlers = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "RuntimeError: Bearer ***" in err
    assert "sekrit123" not in err
