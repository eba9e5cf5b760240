"""The one rule of when a sign-in is refreshed, renewed or retried (core/timing.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frameio_desktop.core import timing
from frameio_desktop.core.timing import Step, next_step
from tests.helpers.fakes import make_tokens

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_nothing_is_due_without_tokens() -> None:
    assert next_step(None, T0) is Step.WAIT


@pytest.mark.parametrize(
    ("seconds", "step"),
    [(0, Step.WAIT), (3600 - 301, Step.WAIT), (3600 - 299, Step.REFRESH), (4000, Step.REFRESH)],
)
def test_a_refresh_token_is_used_five_minutes_before_expiry(seconds: float, step: Step) -> None:
    assert next_step(make_tokens(T0), at(seconds)) is step


def test_a_short_lived_token_is_refreshed_at_half_its_lifetime() -> None:
    tokens = make_tokens(T0, lifetime=60)
    assert next_step(tokens, at(29)) is Step.WAIT
    assert next_step(tokens, at(31)) is Step.REFRESH


def test_the_refresh_lead_can_be_chosen() -> None:
    tokens = make_tokens(T0)
    lead = timedelta(minutes=20)
    assert next_step(tokens, at(3600 - 1201), refresh_lead=lead) is Step.WAIT
    assert next_step(tokens, at(3600 - 1199), refresh_lead=lead) is Step.REFRESH


def test_a_failed_refresh_waits_before_the_next_try() -> None:
    tokens = make_tokens(T0)
    failed = at(3600 - 200)
    retry_at = timing.retry_time(failed)
    assert retry_at - failed == timing.RETRY_AFTER
    assert next_step(tokens, failed + timedelta(seconds=1), retry_at=retry_at) is Step.WAIT
    assert next_step(tokens, retry_at, retry_at=retry_at) is Step.REFRESH


def test_without_a_refresh_token_a_renewal_is_due_fifteen_minutes_before_the_end() -> None:
    tokens = make_tokens(T0, refresh=None, lifetime=86399)
    assert next_step(tokens, at(86399 - 901)) is Step.WAIT
    assert next_step(tokens, at(86399 - 899)) is Step.RENEW


def test_a_renewal_is_tried_once_per_token() -> None:
    tokens = make_tokens(T0, refresh=None)
    assert next_step(tokens, at(3600 - 60), renewal_tried=True) is Step.WAIT


def test_a_short_sign_in_without_refresh_token_renews_at_half_its_lifetime() -> None:
    tokens = make_tokens(T0, refresh=None, lifetime=600)
    assert next_step(tokens, at(299)) is Step.WAIT
    assert next_step(tokens, at(301)) is Step.RENEW


def test_an_ended_sign_in_without_refresh_token_is_refreshed_which_ends_it() -> None:
    tokens = make_tokens(T0, refresh=None)
    assert next_step(tokens, at(3600), renewal_tried=True) is Step.REFRESH
    assert next_step(tokens, at(3600)) is Step.REFRESH


def test_a_failed_refresh_does_not_hold_up_a_renewal() -> None:
    tokens = make_tokens(T0, refresh=None)
    assert next_step(tokens, at(3600 - 60), retry_at=at(3600)) is Step.RENEW


def test_a_forced_refresh_never_ends_a_valid_sign_in_without_refresh_token() -> None:
    assert timing.forced_refresh_allowed(make_tokens(T0), at(0))
    assert not timing.forced_refresh_allowed(make_tokens(T0, refresh=None), at(0))
    assert timing.forced_refresh_allowed(make_tokens(T0, refresh=None), at(3600))
