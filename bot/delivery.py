"""Sending what the delivery log says is due: claim the row, send with a nonce derived from it, record
the outcome. Generic over kinds: each kind (a DM prompt, a channel prompt, later a challenge step) brings a
`Handler` that knows how to send it and what a refusal means.

How failures stay polite (Discord bans a bot that piles up 10,000 401/403/429 answers in 10 minutes):
- 403/404 (DMs closed, no access to the channel) is final: the handler pauses the schedule with the reason
  and the row is marked failed. It is never retried, and the paused schedule plans nothing more.
- 5xx, timeouts and connection errors are retried later with backoff, at most MAX_ATTEMPTS times in all.
  discord.py itself retries a 5xx a few times within one call; the nonce makes each of those retries, and
  ours, return the first message instead of posting a second one (`enforce_nonce`).
- Everything goes through one pacer: at most `max_per_second` requests for scheduled sends, well under
  Discord's global 50/s, so slash commands keep their share.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp
import discord

from bot.clock import Clock
from bot.storage.deliveries import Delivery, DeliveryLog, Status

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4  # first try + 3 retries; each try may itself include discord.py's own 5xx retries
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
SEND_TIMEOUT = 60.0  # seconds for one send (discord.py's 5xx retries included) before we call it a timeout
# Discord returns the first message for a reused nonce "within a few minutes". A row left mid-send by a
# crash is resent only if it was claimed more recently than this; older, a resend could post twice.
NONCE_WINDOW = timedelta(minutes=2)
WORKERS = 16  # sends in flight at once; the pacer, not this, sets the rate
NONCE_CHARS = 25  # Discord's maximum nonce length
# Worth another try later: Discord had a problem, was slow, or we were rate limited past our patience.
_TRANSIENT = (discord.DiscordServerError, discord.RateLimited, TimeoutError, aiohttp.ClientError, OSError)


def nonce_for(delivery: Delivery) -> str:
    """Derive the delivery's nonce from its unique key: the same slot always gets the same nonce."""
    digest = hashlib.sha256(delivery.key.encode()).hexdigest()
    return "sm" + digest[: NONCE_CHARS - 2]


@dataclass(frozen=True, slots=True)
class Sent:
    """What a handler's send produced: the message, and a note if something after it failed."""

    message_id: int
    note: str | None = None


class Refused(Exception):
    """Raised by a handler when it knows, without asking Discord, that it cannot send (no permission)."""


class Handler(Protocol):
    """How one kind of delivery is sent."""

    def wanted(self, delivery: Delivery) -> str | None:
        """Return why the delivery should no longer be sent (schedule paused or gone), or None to send."""
        ...

    async def send(self, delivery: Delivery, nonce: str, pace: Callable[[], Awaitable[None]]) -> Sent:
        """Send with this nonce, awaiting `pace()` before every request; let discord errors propagate."""
        ...

    async def refused(self, delivery: Delivery, error: Exception) -> str:
        """Discord (or a permission check) refused for good: pause what must be paused, return why."""
        ...


class Pacer:
    """Spaces requests evenly at `rate` per second (real time: this is about Discord's limits)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0

    async def __call__(self) -> None:
        """Wait for the next free request slot."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        at = max(now, self._next)
        self._next = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


class Deliverer:
    """Sends ready deliveries through their kind's handler, paced, recording every outcome."""

    def __init__(self, log_: DeliveryLog, clock: Clock, *, max_per_second: float) -> None:
        self.log = log_
        self.clock = clock
        self.pace = Pacer(max_per_second)
        self.handlers: dict[str, Handler] = {}

    def add_handler(self, kind: str, handler: Handler) -> None:
        """Register how a kind is sent (a cog does this in its setup)."""
        self.handlers[kind] = handler

    async def send_all(self, deliveries: Iterable[Delivery], *, resume: bool = False) -> dict[Status, int]:
        """Send these deliveries with WORKERS in flight at once; return how many ended in each status."""
        queue: asyncio.Queue[Delivery] = asyncio.Queue()
        for delivery in deliveries:
            queue.put_nowait(delivery)
        outcomes: dict[Status, int] = {}

        async def worker() -> None:
            while not queue.empty():
                delivery = queue.get_nowait()
                status = await self.deliver(delivery, resume=resume)
                outcomes[status] = outcomes.get(status, 0) + 1

        workers = [asyncio.create_task(worker()) for _ in range(min(WORKERS, queue.qsize()))]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return outcomes

    async def resume_interrupted(self) -> dict[Status, int]:
        """At start-up: resend rows a crash left mid-send (same nonce), or give up on ones too old for it."""
        resend: list[Delivery] = []
        now = self.clock.now()
        for delivery in self.log.in_flight():
            claimed = delivery.claimed_at or delivery.updated_at
            if now - claimed <= NONCE_WINDOW:
                resend.append(delivery)
            else:
                self.log.mark_failed(
                    delivery.id,
                    "interrupted mid-send; not resent because Discord's duplicate check has expired "
                    "and a resend could post twice",
                )
        return await self.send_all(resend, resume=True) if resend else {}

    async def deliver(self, delivery: Delivery, *, resume: bool = False) -> Status:
        """Claim one delivery, send it, record what happened; return its status afterwards."""
        handler = self.handlers.get(delivery.kind)
        if handler is None:
            self.log.mark_failed(delivery.id, f"no handler for kind {delivery.kind!r}")
            return Status.FAILED
        unwanted = handler.wanted(delivery)
        if unwanted is not None:
            self.log.mark_skipped(delivery.id, unwanted)
            return Status.SKIPPED
        claimed = self.log.claim(delivery.id, resume=resume)
        if claimed is None:  # someone else sent it, or it was skipped meanwhile
            return (self.log.get(delivery.id) or delivery).status
        try:
            sent = await asyncio.wait_for(handler.send(claimed, nonce_for(claimed), self.pace), SEND_TIMEOUT)
        except (Refused, discord.Forbidden, discord.NotFound) as error:
            reason = await handler.refused(claimed, error)
            self.log.mark_failed(claimed.id, reason)
            return Status.FAILED
        except _TRANSIENT as error:
            return self._retry_or_fail(claimed, _describe(error))
        except discord.HTTPException as error:  # 400s: a bug on our side; retrying would fail the same way
            log.error("delivery %s refused by Discord: %s", claimed.id, error)
            self.log.mark_failed(claimed.id, f"Discord refused the message ({error.status} {error.code})")
            return Status.FAILED
        except Exception:
            log.exception("delivery %s failed", claimed.id)
            self.log.mark_failed(claimed.id, "internal error (see the bot's log)")
            return Status.FAILED
        self.log.mark_sent(claimed.id, sent.message_id, sent.note)
        return Status.SENT

    def _retry_or_fail(self, delivery: Delivery, why: str) -> Status:
        """Put a transient failure back for later with backoff, or give up after MAX_ATTEMPTS."""
        if delivery.attempts >= MAX_ATTEMPTS:
            self.log.mark_failed(delivery.id, f"gave up after {delivery.attempts} attempts: {why}")
            return Status.FAILED
        wait = BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
        self.log.retry_at(delivery.id, self.clock.now() + wait, f"attempt {delivery.attempts}: {why}")
        log.info("delivery %s will be retried in %s (%s)", delivery.id, wait, why)
        return Status.PENDING

    def next_retry(self) -> datetime | None:
        """When the earliest pending delivery becomes ready."""
        return self.log.next_ready_at()


def _describe(error: BaseException) -> str:
    """A short operator-facing reason for a transient failure."""
    if isinstance(error, discord.HTTPException):
        return f"Discord answered {error.status}"
    if isinstance(error, TimeoutError):
        return f"no answer within {SEND_TIMEOUT:.0f} s"
    return f"connection error ({type(error).__name__})"
