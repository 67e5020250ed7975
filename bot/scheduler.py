"""When to wake up: APScheduler 3 (in memory, UTC) only wakes the bot; what is due is decided here, from
the tables and the bot's clock.

Why APScheduler does so little (see DESIGN.md, Scheduling): its defaults drop runs missed while the bot was
down (misfire_grace_time 1 s), advance a job before it finishes (a crash mid-send loses the run), and its
persistent store deletes jobs it cannot unpickle. So the schedules live in our tables and every send is a
delivery row; APScheduler holds exactly one in-memory job, "wake", re-armed after every tick for the next
due instant (at most `max_sleep` ahead, so a missed poke costs a minute at worst).

A tick, always under one lock:
1. the first time: every planner rebuilds from the tables (catch up missed slots within the grace window,
   record older ones as skipped) and rows a crash left mid-send are resumed;
2. every planner plans the slots now due (INSERT OR IGNORE on the delivery key: planning twice is harmless);
3. the ready deliveries are sent, paced (`bot.delivery`);
4. the next wake is the earliest of the planners' next slots and the next retry.

Tests never wait for APScheduler: they advance a ManualClock and `await scheduler.tick()`, the same code the
timer runs.

Reusing it for another feature (as challenges do, in bot/challenge_deliveries.py), in `setup(bot)`:
1. `bot.scheduler.add_planner(planner)`: an object with `async rebuild(now)` and `async plan(now) -> next due`
   that calls `bot.storage.deliveries.plan(kind=..., schedule=<owner key>, slot=<occurrence>, recipient=<id>,
   due_at=..., guild_id=..., user_id=<member or None>, payload=<content reference>)` for each due step;
2. `bot.deliverer.add_handler(kind, handler)`: `wanted(delivery)`, `async send(delivery, nonce, pace)`
   (pass `nonce=` to `Messageable.send`, await `pace()` before each request) and `async refused(delivery,
   error)` (pause whatever must stop, return the reason);
3. after a command changes a schedule, `bot.scheduler.poke()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.delivery import Deliverer
from bot.storage.deliveries import Status

log = logging.getLogger(__name__)

MIN_SLEEP = 0.2  # seconds: never spin, even when something is due right now
MAX_SLEEP = 60.0  # seconds: wake at least this often whatever the tables say
WAKE_JOB = "wake"


class Planner(Protocol):
    """A feature's schedules (learning prompts, challenge steps): turns due slots into delivery rows."""

    async def rebuild(self, now: datetime) -> None:
        """At start-up: plan what was missed while down (within the grace window), skip older slots."""
        ...

    async def plan(self, now: datetime) -> datetime | None:
        """Plan every slot due by `now`; return the next instant something of this planner falls due."""
        ...


class Scheduler:
    """Wakes the bot for its schedules and sends what is due."""

    def __init__(
        self,
        clock: Clock,
        deliverer: Deliverer,
        *,
        ready: Callable[[], Awaitable[object]] | None = None,
        max_sleep: float = MAX_SLEEP,
    ) -> None:
        self.clock = clock
        self.deliverer = deliverer
        self.planners: list[Planner] = []
        self.max_sleep = max_sleep
        self._ready = ready
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._rebuilt = False
        self._aps: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None
        self.last_outcomes: dict[Status, int] = {}

    def add_planner(self, planner: Planner) -> None:
        """Register a feature's planner (a cog does this in its setup)."""
        self.planners.append(planner)

    def start(self) -> None:
        """Start APScheduler (UTC, in memory) and the loop it wakes; call from setup_hook."""
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every run at INFO
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._aps.start()
        self._task = asyncio.create_task(self._run(), name="scheduler")
        self._wake.set()  # the first tick rebuilds timers from the tables

    async def stop(self) -> None:
        """Stop waking; a tick in progress is cancelled (its rows stay claimed and resume at next start)."""
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def poke(self) -> None:
        """Tick soon: a command changed a schedule, so the next due instant may have moved."""
        self._wake.set()

    async def _on_timer(self) -> None:
        """APScheduler's job: only wake the loop (a coroutine, so it runs on the event loop, not a thread)."""
        self._wake.set()

    async def _run(self) -> None:
        if self._ready is not None:
            await self._ready()  # channels and permissions are known only once the gateway is ready
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                next_due = await self.tick()
            except Exception:
                log.exception("scheduler tick failed; trying again at the next wake")
                next_due = None
            self._arm(next_due)

    def _arm(self, next_due: datetime | None) -> None:
        """Re-arm the one APScheduler job for the next due instant (as a delay on the bot's clock)."""
        if self._aps is None:
            return
        delay = self.max_sleep
        if next_due is not None:
            delay = min(self.max_sleep, max(MIN_SLEEP, (next_due - self.clock.now()).total_seconds()))
        self._aps.add_job(
            self._on_timer,
            IntervalTrigger(seconds=delay, timezone=UTC),
            id=WAKE_JOB,
            replace_existing=True,
        )

    async def tick(self) -> datetime | None:
        """Plan what is due by the clock's now and send it; return the next instant anything falls due."""
        async with self._lock:
            now = self.clock.now()
            if not self._rebuilt:
                for planner in self.planners:
                    await planner.rebuild(now)
                self._rebuilt = True
                await self.deliverer.resume_interrupted()
            upcoming = [await p.plan(now) for p in self.planners]
            ready = self.deliverer.log.ready(now)
            self.last_outcomes = await self.deliverer.send_all(ready) if ready else {}
            upcoming.append(self.deliverer.next_retry())
            known = [t for t in upcoming if t is not None]
            return min(known) if known else None
