"""A challenge's lifecycle steps as deliveries on the shared scheduler: each exactly once across restarts.

The planner turns the step now due (`bot.challenges.due_steps`) into one delivery row keyed
(`challenge:<id>`, `<step>`, <channel id>), one at a time per challenge, so a catch-up after downtime still
runs announce before close; each reminder or cancellation DM is a row keyed (`challenge:<id>`, `remind` or
`cancel`, <member id>). The deliverer claims each row, sends it with the row's nonce and records sent, failed
or skipped, so a crash between the send and the record resends with the same nonce and Discord returns the
first post. A reminder due after the deadline is recorded as skipped. The handlers only adapt rows to the
runner's steps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord

from bot.challenges import Status as ChallengeStatus
from bot.challenges import Step, due_steps, next_wake, stale_steps
from bot.delivery import Refused, Sent
from bot.storage import Challenge, ChallengeStore
from bot.storage.deliveries import Delivery, DeliveryLog, Status

if TYPE_CHECKING:
    from bot.challenge_runner import ChallengeRunner

KIND_DM = "challenge-dm"  # a reminder or cancellation DM to one member
STEP_KINDS = {step: f"challenge-{step.value}" for step in Step}
DMS_CLOSED = 50007  # Discord: "Cannot send messages to this user"
LATE_REMINDER = "the deadline passed before it could go out"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_OPEN = (Status.PENDING, Status.SENDING)


def schedule_of(challenge_id: int) -> str:
    """The delivery log's schedule key for one challenge."""
    return f"challenge:{challenge_id}"


def rows_of(log: DeliveryLog, challenge_id: int) -> list[Delivery]:
    """Every delivery of one challenge (its steps and DMs), oldest first."""
    schedule = schedule_of(challenge_id)
    rows = log.since(_EPOCH, limit=100_000, schedule_prefix=schedule)
    return sorted((d for d in rows if d.schedule == schedule), key=lambda d: d.id)


def steps_done(log: DeliveryLog, challenge_id: int) -> set[Step]:
    """The server-wide steps that finished (sent, failed or skipped: never run again)."""
    return {Step(d.slot) for d in rows_of(log, challenge_id) if d.user_id is None and d.status not in _OPEN}


def step_states(log: DeliveryLog, challenge_id: int, step: Step) -> dict[int, tuple[str, str | None]]:
    """Each recipient's (status, reason) for a step: the member for a DM, 0 for the server-wide row."""
    return {
        d.user_id or 0: (d.status.value, d.reason) for d in rows_of(log, challenge_id) if d.slot == step.value
    }


class ChallengePlanner:
    """Plans each open challenge's next due step as a delivery (the scheduler's `Planner`)."""

    def __init__(self, store: ChallengeStore, log: DeliveryLog) -> None:
        self.store = store
        self.log = log
        self.planned = 0  # steps planned since start: lets `run_due` tell when a catch-up is complete

    async def rebuild(self, now: datetime) -> None:
        """At start-up: a step missed while down still runs (in order); a late reminder is skipped."""
        await self.plan(now)

    async def plan(self, now: datetime) -> datetime | None:
        """Plan the first due step of every open challenge; return when the next one falls due."""
        upcoming: list[datetime] = []
        for challenge in self.store.open_everywhere():
            rows = rows_of(self.log, challenge.id)
            steps = [d for d in rows if d.user_id is None]
            in_flight = [d for d in steps if d.status in _OPEN]
            if in_flight:  # one step at a time: the next is planned once this one is recorded
                upcoming.append(min(d.not_before for d in in_flight))
                continue
            done = {Step(d.slot) for d in steps}
            for step in stale_steps(challenge.timeline, done, now):
                self._plan_step(challenge.id, challenge.guild_id, challenge.channel_id, step, now,
                                status=Status.SKIPPED, reason=LATE_REMINDER)  # fmt: skip
                done.add(step)
            due = due_steps(challenge.timeline, challenge.status, done, now)
            if not due:
                if (wake := next_wake(challenge.timeline, challenge.status, done)) is not None:
                    upcoming.append(wake)
                continue
            step = due[0]
            if step is Step.REMIND:
                members = self.store.without_submission(challenge.guild_id, challenge.id)
                for user_id in members:
                    self.log.plan(
                        kind=KIND_DM, schedule=schedule_of(challenge.id), slot=step.value, recipient=user_id,
                        due_at=now, guild_id=challenge.guild_id, user_id=user_id,
                    )  # fmt: skip
                # The reminder posts nothing in the channel: its server-wide row records that it ran.
                note = f"no channel post: {len(members)} DM(s) planned"
                self._plan_step(challenge.id, challenge.guild_id, challenge.channel_id, step, now,
                                status=Status.SKIPPED, reason=note)  # fmt: skip
                upcoming.append(now)
            else:
                self._plan_step(challenge.id, challenge.guild_id, challenge.channel_id, step, now)
                upcoming.append(now)
            self.planned += 1
        return min(upcoming, default=None)

    def replan(self, challenge: Challenge, now: datetime) -> None:
        """After an edit: a step or DM awaiting a retry moves to its new time; a step now gone is skipped."""
        for row in rows_of(self.log, challenge.id):
            if row.status is not Status.PENDING or row.slot == Step.CANCEL.value:
                continue
            at = challenge.timeline.at(Step(row.slot))
            if at is None:
                self.log.mark_skipped(row.id, "the challenge was edited: this step no longer happens")
            elif at > now:
                self.log.retry_at(row.id, at, "re-planned: the challenge was edited")

    def _plan_step(
        self, challenge_id: int, guild_id: int, channel_id: int, step: Step, now: datetime,
        *, status: Status = Status.PENDING, reason: str | None = None,
    ) -> None:  # fmt: skip
        self.log.plan(
            kind=STEP_KINDS[step], schedule=schedule_of(challenge_id), slot=step.value, recipient=channel_id,
            due_at=now, guild_id=guild_id, status=status, reason=reason,
        )  # fmt: skip


def _challenge_id(delivery: Delivery) -> int:
    return int(delivery.schedule.split(":", 1)[1])


class StepHandler:
    """Sends one kind of server-wide step (announce, close, results, cancel) through the runner."""

    def __init__(self, runner: ChallengeRunner, step: Step) -> None:
        self.runner = runner
        self.step = step

    def wanted(self, delivery: Delivery) -> str | None:
        """A step of a challenge that was cancelled or deleted meanwhile is not sent.

        Closed is not enough to skip: close and results change the status before their post, so a retry
        after a 5xx finds the challenge closed by the very step it must finish.
        """
        challenge = self.runner.store.get(delivery.guild_id or 0, _challenge_id(delivery))
        if challenge is None:
            return "the challenge was deleted"
        if self.step is not Step.CANCEL and challenge.status is ChallengeStatus.CANCELLED:
            return "the challenge was cancelled"
        return None

    async def send(self, delivery: Delivery, nonce: str, pace: Callable[[], Awaitable[None]]) -> Sent:
        """Run the step; its main post carries the row's nonce."""
        challenge = self.runner.store.get(delivery.guild_id or 0, _challenge_id(delivery))
        if challenge is None:
            raise Refused("the challenge was deleted")
        await pace()
        return await self.runner.perform(self.step, challenge, nonce, pace)

    async def refused(self, delivery: Delivery, error: Exception) -> str:
        """A refused post is final: the challenge goes on without it."""
        if isinstance(error, discord.HTTPException):
            return f"Discord refused the post ({error.status}, code {error.code})"
        return str(error)


class DmHandler:
    """Sends one member's reminder or cancellation DM."""

    def __init__(self, runner: ChallengeRunner) -> None:
        self.runner = runner

    def wanted(self, delivery: Delivery) -> str | None:
        """A reminder is not sent once the member has submitted or the challenge stopped."""
        challenge = self.runner.store.get(delivery.guild_id or 0, _challenge_id(delivery))
        if challenge is None:
            return "the challenge was deleted"
        if delivery.slot == Step.REMIND.value and not challenge.status.is_open:
            return f"the challenge is {challenge.status.value}"
        return None

    async def send(self, delivery: Delivery, nonce: str, pace: Callable[[], Awaitable[None]]) -> Sent:
        """Open the DM channel and send the text for this step."""
        challenge = self.runner.store.get(delivery.guild_id or 0, _challenge_id(delivery))
        if challenge is None:
            raise Refused("the challenge was deleted")
        await pace()  # opening the DM channel (discord.py reuses one it already has)
        channel = await self.runner.bot.create_dm(discord.Object(delivery.recipient))
        await pace()
        message = await channel.send(
            self.runner.dm_text(challenge, Step(delivery.slot)),
            nonce=nonce,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return Sent(message.id)

    async def refused(self, delivery: Delivery, error: Exception) -> str:
        """Closed DMs are final for this member: noted, never retried."""
        if isinstance(error, discord.Forbidden) and error.code == DMS_CLOSED:
            return "DMs closed"
        if isinstance(error, discord.HTTPException):
            return f"{error.status} code {error.code}"
        return str(error)
