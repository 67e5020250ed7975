"""Discord's global rate limit (an opt-in) and the invalid-request counter Discord bans on.

Discord allows a bot about 50 requests per second across all routes; beyond that every route
answers 429 with ``"global": true``. Separately, 10,000 answers of 401, 403 or 429 (shared-scope
429s excepted) within 10 minutes get the bot's IP banned by Cloudflare, so tests assert on
``DiscordDouble.invalid_requests`` to catch a bot that keeps hammering a forbidden channel.
Interaction callbacks and webhooks are exempt from the global limit, as on Discord.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from .errors import RestError
from .recording import Fault

INVALID_STATUSES = (401, 403, 429)


class GlobalRateLimit:
    """A sliding window of ``limit`` requests per ``window`` seconds across every bot-token route."""

    def __init__(self, limit: int = 50, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self.hits = 0  # requests answered 429 by this limiter
        self._times: deque[float] = deque()

    def check(self) -> Fault | None:
        """Count a request; return the 429 to answer when it is over the limit."""
        now = time.monotonic()
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) < self.limit:
            self._times.append(now)
            return None
        self.hits += 1
        retry_after = round(max(0.001, self.window - (now - self._times[0])), 3)
        return global_429(retry_after)


def global_429(retry_after: float) -> Fault:
    """The global 429 exactly as Discord sends it (``Via`` tells discord.py it is not Cloudflare)."""
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, round(retry_after + 0.5))),
        "X-RateLimit-Global": "true",
        "X-RateLimit-Scope": "global",
    }
    body: dict[str, Any] = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": True,
        "code": 0,
    }
    return Fault(error=RestError(429, 0, body["message"]), headers=headers, body=body)


def counts_as_invalid(status: int, headers: dict[str, str]) -> bool:
    """Whether Discord's invalid-request limit counts this answer (shared-scope 429s don't)."""
    return status in INVALID_STATUSES and not (status == 429 and headers.get("X-RateLimit-Scope") == "shared")
