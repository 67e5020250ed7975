"""What the bot asked (RecordedRequest, RequestLog) and what the double should get wrong on purpose (Faults).

Tests assert on recorded requests instead of on the bot's internals, and faults let them show how
the bot copes with Discord failing: 5xx, 403s, 429s and slow answers.
"""

from __future__ import annotations

import asyncio
import functools
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import RestError


@dataclass
class RecordedRequest:
    """One HTTP request the bot made, and what the double answered."""

    method: str
    path: str  # actual path below /api/v10, e.g. "/channels/123/messages"
    route: str | None  # template, e.g. "/channels/{channel_id}/messages"; None if no route matched
    query: dict[str, str]
    json: Any  # parsed JSON body, or payload_json of a multipart body
    files: list[tuple[str, str, bytes]]  # (form field, filename, bytes)
    headers: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)  # values of the route's {placeholders}
    status: int = 0
    response: Any = None
    response_headers: dict[str, str] = field(default_factory=dict)  # extra headers (429s: X-RateLimit-*)
    time: float = field(default_factory=time.monotonic)


Predicate = Callable[[RecordedRequest], bool]


class RequestLog:
    """Every request in arrival order, with waiters that see past (since a mark) and future ones."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.unknown: list[RecordedRequest] = []
        self._waiters: list[tuple[Predicate, asyncio.Future[RecordedRequest]]] = []

    def mark(self) -> int:
        """Index to pass as ``since=`` so a wait only considers requests from now on."""
        return len(self.requests)

    def add(self, request: RecordedRequest) -> None:
        """Record an answered request and wake the waiters it satisfies."""
        self.requests.append(request)
        if request.route is None:
            self.unknown.append(request)
        for waiter in list(self._waiters):
            predicate, future = waiter
            if future.done():
                self._waiters.remove(waiter)
                continue
            try:
                matched = predicate(request)
            except Exception as exc:  # a broken predicate should fail the test, not hang it
                future.set_exception(exc)
                self._waiters.remove(waiter)
                continue
            if matched:
                future.set_result(request)
                self._waiters.remove(waiter)

    async def wait_for(self, predicate: Predicate, timeout: float, since: int) -> RecordedRequest:
        """The first request at index >= ``since`` that matches, waiting up to ``timeout`` seconds."""
        for request in self.requests[since:]:
            if predicate(request):
                return request
        future: asyncio.Future[RecordedRequest] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            recent = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[since:]][-15:]
            raise AssertionError(
                f"no matching request within {timeout}s; requests since mark {since}: {recent}"
            ) from None
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)


@functools.lru_cache(maxsize=512)
def normalise_template(template: str) -> str:
    """Compare templates by shape, so "{channel_id}" and "{id}" name the same route."""
    return re.sub(r"\{[^}]+\}", "{}", template.split("?")[0].rstrip("/") or "/")


@dataclass
class Fault:
    """A planned misbehaviour for one route: an error answer, or a delay before answering."""

    error: RestError | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    times: int | None = 1  # None = until cleared


class Faults:
    """Per-(method, route) queues of planned failures, consumed one request at a time."""

    def __init__(self) -> None:
        self._errors: dict[tuple[str, str], list[Fault]] = {}
        self._delays: dict[tuple[str, str], Fault] = {}

    def add_error(self, method: str, template: str, fault: Fault) -> None:
        """Queue an error answer (after any already queued for the route)."""
        self._errors.setdefault((method.upper(), normalise_template(template)), []).append(fault)

    def set_delay(self, method: str, template: str, seconds: float, times: int | None) -> None:
        """Delay matching requests; ``seconds <= 0`` clears the delay."""
        key = (method.upper(), normalise_template(template))
        if seconds <= 0:
            self._delays.pop(key, None)
        else:
            self._delays[key] = Fault(delay=seconds, times=times)

    def take(self, method: str, template: str) -> tuple[float, Fault | None]:
        """Consume what applies to this request: (delay seconds, error fault or None)."""
        key = (method, normalise_template(template))
        delay = 0.0
        planned = self._delays.get(key)
        if planned is not None:
            delay = planned.delay
            if planned.times is not None:
                planned.times -= 1
                if planned.times <= 0:
                    del self._delays[key]
        queue = self._errors.get(key)
        if not queue:
            return delay, None
        fault = queue[0]
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
        return delay, fault


def rate_limit_fault(retry_after: float, global_: bool, times: int) -> Fault:
    """A 429 as Discord sends it: JSON body plus ``Via`` and ``X-RateLimit-*`` headers.

    discord.py treats a 429 without ``Via`` (or with a non-JSON body) as a Cloudflare ban and gives up.
    """
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Scope": "global" if global_ else "user",
    }
    if global_:
        headers["X-RateLimit-Global"] = "true"
    else:
        headers["X-RateLimit-Bucket"] = "d0ub1e0000000000000000000000000a"
    message = "You are being rate limited."
    body = {
        "message": message,
        "retry_after": retry_after,
        "global": global_,
        "code": 0,
    }
    return Fault(error=RestError(429, 0, message), headers=headers, body=body, times=times)
