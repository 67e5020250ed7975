"""Learning prompts' planner: turns channel schedules and DM subscriptions into delivery rows (no Discord).

Timers live in memory (`_next`: schedule key -> next due instant), rebuilt from the tables at start-up;
the tables stay the truth, so a restart loses nothing. Each slot of a schedule becomes one delivery row
keyed (schedule, local date, recipient): a local time that daylight saving skips or repeats still has one
local date, so it gives exactly one prompt that day. The prompt is picked when the row is planned and stored
as its payload, so a resend after a crash sends the same prompt with the same nonce.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.slots import Recurrence, Slot
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

    def rebuild(self, now: datetime) -> None:
        """Load every running schedule; plan slots missed while down (caught up or recorded as skipped)."""
        self._schedules.clear()
        self._next.clear()
        self._planned_until.clear()
        running: list[Schedule] = [c for c in self.store.channels() if not c.paused]
        running += self.store.subscriptions(running_only=True)
        with self.store.core.write():
            for schedule in running:
                self._schedules[_key(schedule)] = schedule
                self._plan_schedule(schedule, now)
        log.info("learning: %d schedule(s) running", len(self._schedules))

    def plan(self, now: datetime) -> datetime | None:
        """Plan the slots due by now; return the next due instant of any schedule."""
        due = [key for key, at in self._next.items() if at <= now]
        if due:
            with self.store.core.write():
                for key in due:
                    self._plan_schedule(self._schedules[key], now)
        return min(self._next.values()) if self._next else None

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
        out: list[Upcoming] = []
        for schedule in self._schedules.values():
            kind, recipient = _target(schedule)
            for slot in recurrence_of(schedule).slots_between(now, until):
                out.append(Upcoming(slot.due, kind, schedule.guild_id, recipient))
        return sorted(out, key=lambda u: (u.due, u.guild_id, u.recipient))

    # --- one schedule --------------------------------------------------------------------------------

    def _plan_schedule(self, schedule: Schedule, now: datetime) -> None:
        """Plan this schedule's slots in (last planned, now]; arm its next slot."""
        key = _key(schedule)
        start = max(schedule.active_since, self._planned_until.get(key, now - LOOKBACK))
        recurrence = recurrence_of(schedule)
        for slot in recurrence.slots_between(start, now):
            self._plan_slot(schedule, slot, now)
        self._planned_until[key] = now
        self._next[key] = recurrence.next_after(now).due

    def _plan_slot(self, schedule: Schedule, slot: Slot, now: datetime) -> None:
        kind, recipient = _target(schedule)
        key = _key(schedule)
        if self.deliveries.exists(key, slot.key, recipient):
            return
        user_id = schedule.user_id if isinstance(schedule, Subscription) else None
        common = {
            "kind": kind,
            "schedule": key,
            "slot": slot.key,
            "recipient": recipient,
            "due_at": slot.due,
            "guild_id": schedule.guild_id,
            "user_id": user_id,
        }
        late = now - slot.due
        if late > self.grace:
            hours = self.grace.total_seconds() / 3600
            reason = f"missed while the bot was down, more than {hours:g} h ago (catch_up_hours)"
            self.deliveries.plan(**common, status=Status.SKIPPED, reason=reason)  # type: ignore[arg-type]
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
            self.deliveries.plan(**common, status=Status.SKIPPED, reason="no prompts available")  # type: ignore[arg-type]
            return
        self.deliveries.plan(**common, payload=prompt_id)  # type: ignore[arg-type]
        self.store.record_prompt(audience, prompt_id, schedule.guild_id, user_id)


def _target(schedule: Schedule) -> tuple[str, int]:
    """(kind, recipient id) of a schedule's deliveries."""
    if isinstance(schedule, Subscription):
        return KIND_DM, schedule.user_id
    return KIND_CHANNEL, schedule.channel_id
