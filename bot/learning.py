"""Learning prompts' planner: turns channel schedules and DM subscriptions into delivery rows (no Discord).

Timers live in memory (`_next`: schedule key -> next due instant), rebuilt from the tables at start-up;
the tables stay the truth, so a restart loses nothing. Each slot of a schedule becomes one delivery row
keyed (schedule, local date, recipient): a local time that daylight saving skips or repeats still has one
local date, so it gives exactly one prompt that day. The prompt is picked when the row is planned and stored
as its payload, so a resend after a crash sends the same prompt with the same nonce.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.slots import ALL_DAYS, Recurrence, Slot, weekly_streak
from bot.storage.deliveries import DeliveryLog, Status
from bot.storage.schedules import (
    ChannelSchedule,
    LearningStore,
    Subscription,
    channel_audience,
    member_audience,
)

log = logging.getLogger(__name__)

KIND_CHANNEL = "learning.channel"
KIND_DM = "learning.dm"
LOOKBACK = timedelta(days=8)  # at start-up, missed slots older than this are not even recorded as skipped
# Schedules planned per transaction before yielding to the event loop: planning one (stage, rotation, row)
# costs about a millisecond, so 2,000 members due in one minute never hold up a slash command for long.
CHUNK = 50
# Slots are planned (prompt picked, row written) this long before they fall due, so at the due instant the
# bot only sends: 2,000 members due in one minute start going out at that minute, not after planning them.
# A planned row waits as pending until its due time; pausing meanwhile skips it at send time.
PLAN_AHEAD = timedelta(seconds=60)

Schedule = ChannelSchedule | Subscription
# (audience key, member's stage or None for a channel, prompt ids already used, oldest first) -> prompt id
PickPrompt = Callable[[str, str | None, Sequence[str]], str | None]
StageOf = Callable[[int, int], str | None]  # (guild id, user id) -> the member's stage in that server


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A send the planner expects (for `studio-mentor learning upcoming` and /learning status)."""

    due: datetime
    kind: str
    guild_id: int
    recipient: int


def recurrence_of(schedule: Schedule) -> Recurrence:
    """The schedule's recurrence (weekdays, wall-clock time, zone)."""
    return Recurrence(days=schedule.days, at=schedule.at, tz=schedule.tz)


_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def days_label(days: frozenset[int]) -> str:
    """Weekdays as people write them: "daily", "weekdays", or "Mon, Wed, Fri"."""
    if days == ALL_DAYS:
        return "daily"
    if days == frozenset(range(1, 6)):
        return "weekdays"
    return ", ".join(_DAY_ABBR[d - 1] for d in sorted(days))


def member_streak(store: LearningStore, guild_id: int, user_id: int, now: datetime) -> int:
    """Consecutive weeks, ending this week, with a "Done" in this server (weeks in the member's zone).

    For /learning status and /stage show.
    """
    sub = store.subscription(guild_id, user_id)
    zone = ZoneInfo(sub.tz) if sub else ZoneInfo("UTC")
    since = now - timedelta(weeks=520)
    return weekly_streak(store.completions(guild_id, user_id, since), zone, now.astimezone(UTC))


def _key(schedule: Schedule) -> str:
    return schedule.schedule_key


class LearningPlanner:
    """Plans learning deliveries; implements `bot.scheduler.Planner`."""

    def __init__(
        self,
        store: LearningStore,
        deliveries: DeliveryLog,
        *,
        grace: timedelta,
        pick: PickPrompt,
        stage_of: StageOf,
    ) -> None:
        self.store = store
        self.deliveries = deliveries
        self.grace = grace
        self.pick = pick
        self.stage_of = stage_of
        self._schedules: dict[str, Schedule] = {}
        self._next: dict[str, datetime] = {}
        self._planned_until: dict[str, datetime] = {}

    # --- Planner -----------------------------------------------------------------------------------

    async def rebuild(self, now: datetime) -> None:
        """Load every running schedule; plan slots missed while down (caught up or recorded as skipped)."""
        self._schedules.clear()
        self._next.clear()
        self._planned_until.clear()
        running: list[Schedule] = [c for c in self.store.channels() if not c.paused]
        running += self.store.subscriptions(running_only=True)
        for schedule in running:
            self._schedules[_key(schedule)] = schedule
        await self._plan_keys([_key(s) for s in running], now, fresh=False)
        log.info("learning: %d schedule(s) running", len(self._schedules))

    async def plan(self, now: datetime) -> datetime | None:
        """Plan the slots due by now + PLAN_AHEAD; return when planning is next needed."""
        horizon = now + PLAN_AHEAD
        await self._plan_keys([key for key, at in self._next.items() if at <= horizon], now, fresh=True)
        return min(self._next.values()) - PLAN_AHEAD if self._next else None

    async def _plan_keys(self, keys: list[str], now: datetime, *, fresh: bool) -> None:
        """Plan these schedules, CHUNK per transaction, yielding to the event loop in between.

        `fresh` re-reads each schedule first: the table is the truth, and a row may have been paused or
        deleted by something that never told the planner (/mydata forget, a removed server).
        """
        for start in range(0, len(keys), CHUNK):
            with self.store.core.write():
                for key in keys[start : start + CHUNK]:
                    schedule = self._schedules.get(key)  # a command may have removed it meanwhile
                    if schedule is not None and fresh:
                        schedule = self._reload(key, schedule)
                    if schedule is not None:
                        self._plan_schedule(schedule, now)
            await asyncio.sleep(0)

    def _reload(self, key: str, schedule: Schedule) -> Schedule | None:
        """The schedule as stored now; forget its timer if it is gone or paused."""
        if isinstance(schedule, Subscription):
            current: Schedule | None = self.store.subscription(schedule.guild_id, schedule.user_id)
        else:
            current = self.store.channel(schedule.guild_id)
        if current is None or current.paused:
            self._schedules.pop(key, None)
            self._next.pop(key, None)
            self._planned_until.pop(key, None)
            return None
        self._schedules[key] = current
        return current

    # --- changes made by commands --------------------------------------------------------------------

    def changed(self, schedule: Schedule | None, key: str, now: datetime) -> None:
        """A command set, paused, resumed or removed a schedule: re-arm its timer from now on.

        Slots before `now` are never planned for a schedule just set or resumed (its `active_since`).
        """
        self._schedules.pop(key, None)
        self._next.pop(key, None)
        self._planned_until.pop(key, None)
        if schedule is None or schedule.paused:
            self.deliveries.skip_pending(key, "schedule paused or removed before it was sent")
            return
        self._schedules[key] = schedule
        self._planned_until[key] = now
        self._next[key] = recurrence_of(schedule).next_after(now).due

    def next_due(self, key: str) -> datetime | None:
        """The next time a running schedule falls due."""
        return self._next.get(key)

    def upcoming(self, now: datetime, until: datetime) -> list[Upcoming]:
        """Every send expected in (now, until], soonest first."""
        return upcoming_sends(self._schedules.values(), now, until)

    # --- one schedule --------------------------------------------------------------------------------

    def _plan_schedule(self, schedule: Schedule, now: datetime) -> None:
        """Plan this schedule's slots in (last planned, now + PLAN_AHEAD]; arm its next slot."""
        key = _key(schedule)
        start = max(schedule.active_since, self._planned_until.get(key, now - LOOKBACK))
        horizon = now + PLAN_AHEAD
        recurrence = recurrence_of(schedule)
        for slot in recurrence.slots_between(start, horizon):
            self._plan_slot(schedule, slot, now)
        self._planned_until[key] = horizon
        self._next[key] = recurrence.next_after(horizon).due

    def _plan_slot(self, schedule: Schedule, slot: Slot, now: datetime) -> None:
        kind, recipient = _target(schedule)
        key = _key(schedule)
        if self.deliveries.exists(key, slot.key, recipient):
            return
        user_id = schedule.user_id if isinstance(schedule, Subscription) else None
        plan = functools.partial(
            self.deliveries.plan,
            kind=kind,
            schedule=key,
            slot=slot.key,
            recipient=recipient,
            due_at=slot.due,
            guild_id=schedule.guild_id,
            user_id=user_id,
        )
        late = now - slot.due
        if late > self.grace:
            hours = self.grace.total_seconds() / 3600
            reason = f"missed while the bot was down, more than {hours:g} h ago (catch_up_hours)"
            plan(status=Status.SKIPPED, reason=reason)
            return
        if user_id is None:
            audience, stage = channel_audience(schedule.guild_id), None
        else:
            audience, stage = (
                member_audience(schedule.guild_id, user_id),
                self.stage_of(schedule.guild_id, user_id),
            )
        prompt_id = self.pick(audience, stage, self.store.prompts_used(audience))
        if prompt_id is None:
            plan(status=Status.SKIPPED, reason="no prompts available")
            return
        plan(payload=prompt_id)
        self.store.record_prompt(audience, prompt_id, schedule.guild_id, user_id)


def _target(schedule: Schedule) -> tuple[str, int]:
    """(kind, recipient id) of a schedule's deliveries."""
    if isinstance(schedule, Subscription):
        return KIND_DM, schedule.user_id
    return KIND_CHANNEL, schedule.channel_id


def upcoming_sends(schedules: Iterable[Schedule], now: datetime, until: datetime) -> list[Upcoming]:
    """Every send these schedules make in (now, until], soonest first."""
    out: list[Upcoming] = []
    for schedule in schedules:
        kind, recipient = _target(schedule)
        for slot in recurrence_of(schedule).slots_between(now, until):
            out.append(Upcoming(slot.due, kind, schedule.guild_id, recipient))
    return sorted(out, key=lambda u: (u.due, u.guild_id, u.recipient))


def upcoming_from_tables(store: LearningStore, now: datetime, until: datetime) -> list[Upcoming]:
    """Every send the running schedules make in (now, until], read from the tables (the operators' CLI)."""
    running: list[Schedule] = [c for c in store.channels() if not c.paused]
    running.extend(store.subscriptions(running_only=True))
    return upcoming_sends(running, now, until)
