from __future__ import annotations

import logging

import pytest

from frameio_desktop.core.flow import begin_login
from frameio_desktop.core.redact import RedactingFilter, scrub
from tests.helpers.fakes import FakeClock, make_settings, make_tokens


def test_token_set_repr_masks(clock: FakeClock) -> None:
    tokens = make_tokens(clock.now, access="sekrit-access", refresh="sekrit-refresh")
    text = repr(tokens) + str(tokens) + f"{tokens}"
    assert "sekrit" not in text
    assert "redacted" in text


def test_pending_login_and_settings_repr_mask() -> None:
    settings = make_settings(client_secret="sekrit-secret")
    pending = begin_login(settings)
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
