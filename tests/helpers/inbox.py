"""The running app's side of a redirect handoff, for the handoff servers' tests."""

from __future__ import annotations

#: A custom-scheme redirect as the operating system hands it to a second instance.
URL = "adobe+abc123://adobeid/client-123?code=the-code&state=the-state"


class Inbox:
    """Takes redirect URLs while a sign-in waits; refuses them once none does."""

    def __init__(self) -> None:
        self.waiting = True
        self.received: list[str] = []

    def deliver(self, url: str) -> str | None:
        if not self.waiting:
            return "no sign-in is waiting"
        self.received.append(url)
        return None
