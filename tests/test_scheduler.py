"""The scheduler and the delivery log without Discord: a real SQLite file, a ManualClock, and a recording
handler in place of Discord (our own Handler protocol, not discord.py's internals).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import discord
import pytest

from bot.clock import ManualClock
from bot.delivery import BACKOFF, MAX_ATTEMPTS, NONCE_WINDOW, Deliverer, Sent, nonce_for
from bot.learning import KIND_CHANNEL, KIND_DM, LearningPlanner
from bot.scheduler import Scheduler
from bot.storage import Delivery, Status, Storage
from bot.storage.schedules import dm_schedule_key

ALL = frozenset(range(1, 8))
PROMPTS = [f"p{i}" for i in range(5)]


class Recorder:
    """A Handler that records sends, and fails on demand the way discord.py raises."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, str | None]] = []  # (recipient, nonce, payload)
        self.fail_with: list[Exception] = []
        self.refusals: list[int] = []
        self.unwanted: set[str] = set()

    def wanted(self, delivery: Delivery) -> str | None:
        return "paused" if delivery.schedule in self.unwanted else None

    async def send(self, delivery: Delivery, nonce: str, pace: Callable[[], Awaitable[None]]) -> Sent:
        await pace()
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append((delivery.recipient, nonce, delivery.payload))
        return Sent(message_id=1000 + len(self.sent))

    async def refused(self, delivery: Delivery, error: Exception) -> str:
        self.refusals.append(delivery.recipient)
        return "DMs closed"


class FakeResponse:
    """Just enough of an aiohttp response for discord.HTTPException's constructor."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "test"


def http_error(cls: type[discord.HTTPException], status: int, code: int = 0) -> discord.HTTPException:
    return cls(FakeResponse(status), {"code": code, "message": "test"})  # type: ignore[arg-type]


def rotate(audience: str, stage: str | None, used: Sequence[str]) -> str | None:
    """Least-used first, in list order: enough rotation for these tests."""
    return min(PROMPTS, key=lambda p: (used.count(p), PROMPTS.index(p)))


class World:
    def __init__(self, tmp_path: Path, start: datetime, grace_hours: float = 6) -> None:
        self.clock = ManualClock(start)
        self.storage = Storage(tmp_path / "s.db", clock=self.clock)
        self.storage.migrate()
        self.handler = Recorder()
        self.deliverer = Deliverer(self.storage.deliveries, self.clock, max_per_second=1000)
        self.deliverer.add_handler(KIND_DM, self.handler)
        self.deliverer.add_handler(KIND_CHANNEL, self.handler)
        self.planner = LearningPlanner(
            self.storage.learning,
            self.storage.deliveries,
            grace=timedelta(hours=grace_hours),
            pick=rotate,
            stage_of=lambda g, u: None,
        )
        self.scheduler = Scheduler(self.clock, self.deliverer)
        self.scheduler.add_planner(self.planner)

    def subscribe(self, user: int, at: time, tz: str, days: frozenset[int] = ALL) -> None:
        sub = self.storage.learning.subscribe(1, user, "daily" if days == ALL else "weekly", days, at, tz)
        self.planner.changed(sub, sub.schedule_key, self.clock.now())

    def rows(self, status: Status | None = None) -> list[Delivery]:
        rows = self.storage.deliveries.since(datetime(2000, 1, 1, tzinfo=UTC), limit=10_000)
        return [r for r in rows if status is None or r.status == status]


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path, datetime(2026, 1, 5, 12, 0, tzinfo=UTC))


async def test_a_slot_is_sent_once_at_its_time_however_often_the_bot_ticks(world: World) -> None:
    """Nothing before the due time; one send at it; more ticks (or a restart's rebuild) add nothing."""
    await world.scheduler.tick()
    world.subscribe(7, time(18, 0), "Europe/Berlin")
    world.clock.set(datetime(2026, 1, 5, 16, 59, tzinfo=UTC))
    await world.scheduler.tick()
    assert world.handler.sent == []
    world.clock.set(datetime(2026, 1, 5, 17, 0, tzinfo=UTC))  # 18:00 in Berlin (CET)
    next_due = await world.scheduler.tick()
    assert [r for r, _, _ in world.handler.sent] == [7]
    assert next_due == datetime(2026, 1, 6, 17, 0, tzinfo=UTC)
    await world.scheduler.tick()
    await world.planner.rebuild(world.clock.now())
    await world.scheduler.tick()
    assert len(world.handler.sent) == 1
    (row,) = world.rows()
    assert row.status is Status.SENT and row.slot == "2026-01-05" and row.message_id == 1001


@pytest.mark.parametrize(
    ("day", "at", "expected_utc"),
    [
        ("2026-03-29", time(2, 30), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # skipped: 03:00 CEST
        ("2026-10-25", time(2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # repeated: the first
    ],
)
async def test_a_local_time_dst_skips_or_repeats_gives_one_prompt_that_day(
    tmp_path: Path, day: str, at: time, expected_utc: datetime
) -> None:
    """Spring forward and fall back in Berlin: exactly one delivery that local date, at the right instant."""
    start = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(days=1)
    w = World(tmp_path, start)
    await w.scheduler.tick()
    w.subscribe(7, at, "Europe/Berlin")
    for _ in range(4 * 48):  # every 15 minutes through two days
        w.clock.advance(timedelta(minutes=15))
        await w.scheduler.tick()
    that_day = [r for r in w.rows() if r.slot == day]
    assert len(that_day) == 1 and that_day[0].due_at == expected_utc
    assert len(w.handler.sent) == len(w.rows()) == 2  # the day itself and the day after


async def test_weekly_subscription_only_on_its_weekday(world: World) -> None:
    """A weekly Wednesday subscription sends on Wednesday only, in its own zone."""
    await world.scheduler.tick()
    world.subscribe(7, time(9, 0), "America/New_York", frozenset({3}))
    for _ in range(14 * 24):
        world.clock.advance(timedelta(hours=1))
        await world.scheduler.tick()
    slots = [r.slot for r in world.rows()]
    assert slots == ["2026-01-14", "2026-01-07"]  # newest first
    assert all(r.due_at.hour == 14 for r in world.rows())  # 09:00 EST


async def test_restart_catches_up_within_grace_and_skips_older(tmp_path: Path) -> None:
    """Down for two days: the slot 2 h ago is caught up, yesterday's and earlier are recorded as skipped."""
    w = World(tmp_path, datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    w.subscribe(7, time(9, 0), "UTC")
    w.clock.set(datetime(2026, 1, 7, 11, 0, tzinfo=UTC))  # the bot was down since 5 Jan 08:00
    restarted = World.__new__(World)
    restarted.__dict__.update(w.__dict__)
    restarted.planner = LearningPlanner(
        w.storage.learning,
        w.storage.deliveries,
        grace=timedelta(hours=6),
        pick=rotate,
        stage_of=lambda g, u: None,
    )
    restarted.scheduler = Scheduler(w.clock, w.deliverer)
    restarted.scheduler.add_planner(restarted.planner)
    await restarted.scheduler.tick()
    by_slot = {r.slot: r for r in w.rows()}
    assert by_slot["2026-01-07"].status is Status.SENT
    assert by_slot["2026-01-06"].status is Status.SKIPPED and "catch_up_hours" in (
        by_slot["2026-01-06"].reason or ""
    )
    assert by_slot["2026-01-05"].status is Status.SKIPPED
    assert len(w.handler.sent) == 1


async def test_prompts_do_not_repeat_until_the_pool_is_used(world: World) -> None:
    """Five prompts over five days: all different; the sixth day starts a new round."""
    await world.scheduler.tick()
    world.subscribe(7, time(12, 30), "UTC")
    world.clock.advance(timedelta(minutes=30))
    for _ in range(6):
        world.clock.advance(timedelta(days=1))
        await world.scheduler.tick()
    payloads = [p for _, _, p in world.handler.sent]
    assert len(set(payloads[:5])) == 5 and payloads[5] in PROMPTS


async def test_server_errors_retry_with_backoff_then_give_up(world: World) -> None:
    """A 5xx puts the delivery back with growing waits; after MAX_ATTEMPTS it fails for good, never more."""
    await world.scheduler.tick()
    world.subscribe(7, time(12, 5), "UTC")
    world.handler.fail_with = [http_error(discord.DiscordServerError, 503) for _ in range(10)]
    world.clock.advance(timedelta(minutes=5))
    await world.scheduler.tick()
    for wait in BACKOFF:
        (row,) = world.rows()
        assert row.status is Status.PENDING and "503" in (row.reason or "")
        world.clock.advance(wait - timedelta(seconds=1))
        await world.scheduler.tick()
        assert world.rows()[0].attempts == BACKOFF.index(wait) + 1  # not before its time
        world.clock.advance(timedelta(seconds=1))
        await world.scheduler.tick()
    (row,) = world.rows()
    assert row.status is Status.FAILED and row.attempts == MAX_ATTEMPTS
    assert len(world.handler.fail_with) == 10 - MAX_ATTEMPTS


async def test_a_retry_that_succeeds_is_sent_once(world: World) -> None:
    """One timeout, then success a minute later: one send, with the delivery's nonce."""
    await world.scheduler.tick()
    world.subscribe(7, time(12, 5), "UTC")
    world.handler.fail_with = [TimeoutError()]
    world.clock.advance(timedelta(minutes=5))
    await world.scheduler.tick()
    world.clock.advance(BACKOFF[0])
    await world.scheduler.tick()
    (row,) = world.rows()
    assert row.status is Status.SENT and row.attempts == 2
    assert world.handler.sent == [(7, nonce_for(row), row.payload)]


async def test_refusal_fails_without_retry(world: World) -> None:
    """403 (DMs closed) is final: the handler is told once and the row is failed with its reason."""
    await world.scheduler.tick()
    world.subscribe(7, time(12, 5), "UTC")
    world.handler.fail_with = [http_error(discord.Forbidden, 403, 50007)]
    world.clock.advance(timedelta(minutes=5))
    await world.scheduler.tick()
    world.clock.advance(timedelta(hours=1))
    await world.scheduler.tick()
    (row,) = world.rows()
    assert row.status is Status.FAILED and row.reason == "DMs closed" and row.attempts == 1
    assert world.handler.refusals == [7]


async def test_rows_left_mid_send_resume_with_the_same_nonce_only_inside_the_window(world: World) -> None:
    """After a crash: a recent claim is resent with its nonce; one older than the nonce window is failed."""
    log = world.storage.deliveries
    due = world.clock.now()
    recent = log.plan(kind=KIND_DM, schedule=dm_schedule_key(1, 7), slot="a", recipient=7, due_at=due)
    old = log.plan(kind=KIND_DM, schedule=dm_schedule_key(1, 8), slot="a", recipient=8, due_at=due)
    assert recent and old
    log.claim(old.id)
    world.clock.advance(NONCE_WINDOW)
    log.claim(recent.id)
    world.clock.advance(timedelta(seconds=1))  # the crash; now the restart
    await world.scheduler.tick()
    assert world.handler.sent == [(7, nonce_for(recent), None)]
    assert log.get(recent.id).status is Status.SENT  # type: ignore[union-attr]
    failed = log.get(old.id)
    assert (
        failed is not None and failed.status is Status.FAILED and "could post twice" in (failed.reason or "")
    )


def test_nonce_is_stable_short_and_distinct(world: World) -> None:
    """Same key, same nonce (Discord's limit is 25 characters); another slot or recipient, another nonce."""
    log = world.storage.deliveries
    due = world.clock.now()
    a = log.plan(kind=KIND_DM, schedule="s", slot="2026-01-05", recipient=1, due_at=due)
    b = log.plan(kind=KIND_DM, schedule="s", slot="2026-01-06", recipient=1, due_at=due)
    c = log.plan(kind=KIND_DM, schedule="s", slot="2026-01-05", recipient=2, due_at=due)
    assert a and b and c
    assert log.plan(kind=KIND_DM, schedule="s", slot="2026-01-05", recipient=1, due_at=due) is None
    assert nonce_for(a) == nonce_for(log.get(a.id))  # type: ignore[arg-type]
    assert len({nonce_for(a), nonce_for(b), nonce_for(c)}) == 3
    assert all(len(nonce_for(d)) <= 25 for d in (a, b, c))


async def test_paused_schedule_skips_what_it_had_pending(world: World) -> None:
    """A delivery planned but not yet sent is skipped when its schedule is paused (nothing is sent)."""
    await world.scheduler.tick()
    world.subscribe(7, time(12, 5), "UTC")
    world.handler.fail_with = [TimeoutError()]
    world.clock.advance(timedelta(minutes=5))
    await world.scheduler.tick()
    world.storage.learning.pause_subscription(1, 7, "member asked")
    world.planner.changed(world.storage.learning.subscription(1, 7), dm_schedule_key(1, 7), world.clock.now())
    world.clock.advance(timedelta(days=2))
    await world.scheduler.tick()
    (row,) = world.rows()
    assert row.status is Status.SKIPPED and world.handler.sent == []
