"""When a sign-in's tokens are refreshed, renewed or retried: the one rule that the session
(`fresh_tokens`, `refresh`) and the window's countdown both follow.

- A sign-in with a refresh token is refreshed `REFRESH_LEAD` before its access token ends.
- A sign-in without one is renewed silently (`prompt=none`) `RENEWAL_LEAD` before it ends,
  once per token: that leaves time to ask the person if it does not work. Once it has ended,
  a refresh is what is due (and says "sign in again").
- Either lead is at most half the token's lifetime, so a short-lived token is not refreshed
  on every tick.
- After an automatic refresh failed, the next try waits `RETRY_AFTER`.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from frameio_desktop.core.tokens import TokenSet

#: Refresh this long before the access token expires.
REFRESH_LEAD = timedelta(minutes=5)
#: Without a refresh token, try a silent renewal this long before the sign-in ends.
RENEWAL_LEAD = timedelta(minutes=15)
#: After a failed automatic refresh, wait this long before the next try.
RETRY_AFTER = timedelta(seconds=30)


class Step(enum.Enum):
    """What a signed-in session should do now."""

    WAIT = "wait"
    REFRESH = "refresh"
    RENEW = "renew"


def lead(tokens: TokenSet, most: timedelta) -> timedelta:
    """How long before expiry to act: `most`, but at most half the token's lifetime."""
    return min(most, (tokens.expires_at - tokens.obtained_at) / 2)


def refresh_due(tokens: TokenSet, now: datetime, refresh_lead: timedelta = REFRESH_LEAD) -> bool:
    """A refresh is due. Without a refresh token there is nothing to refresh with, so only
    once the token has expired (then the refresh says to sign in again)."""
    if not tokens.refresh_token:
        return not tokens.is_fresh(now)
    return not tokens.is_fresh(now, lead(tokens, refresh_lead))


def renewal_due(tokens: TokenSet, now: datetime, renewal_lead: timedelta = RENEWAL_LEAD) -> bool:
    """A sign-in without a refresh token ends within the renewal lead and has not ended."""
    if tokens.refresh_token or not tokens.is_fresh(now):
        return False
    return tokens.expires_at - now <= lead(tokens, renewal_lead)


def forced_refresh_allowed(tokens: TokenSet, now: datetime) -> bool:
    """A refresh the person asked for may run: not for a sign-in that has no refresh token
    and is still valid, which a refresh would only end."""
    return bool(tokens.refresh_token) or not tokens.is_fresh(now)


def next_step(
    tokens: TokenSet | None,
    now: datetime,
    *,
    retry_at: datetime | None = None,
    renewal_tried: bool = False,
    refresh_lead: timedelta = REFRESH_LEAD,
    renewal_lead: timedelta = RENEWAL_LEAD,
) -> Step:
    """What is due at `now`. `retry_at`: a failed refresh's next try (see `retry_time`);
    `renewal_tried`: a silent renewal already ran (or runs) for these tokens."""
    if tokens is None:
        return Step.WAIT
    if renewal_due(tokens, now, renewal_lead):
        return Step.WAIT if renewal_tried else Step.RENEW
    if retry_at is not None and now < retry_at:
        return Step.WAIT
    if refresh_due(tokens, now, refresh_lead):
        return Step.REFRESH
    return Step.WAIT


def retry_time(failed_at: datetime) -> datetime:
    """When to try an automatic refresh again after one failed at `failed_at`."""
    return failed_at + RETRY_AFTER
