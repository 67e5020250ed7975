"""Runs challenges on Discord: announce, remind, close, results, cancel, and the scheduled event alongside.

`bot.challenges` decides which steps are due; `bot.challenge_deliveries` plans each as a delivery on the
shared scheduler and hands it back here to be performed (`perform`), with the delivery's nonce on its main
post. Extra posts of a step (the vote posts) carry nonces derived from the challenge, step and entry, so a
resent step returns the posts Discord already has instead of posting them twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import discord

from bot.app import MentorBot
from bot.challenge_deliveries import (
    KIND_DM,
    STEP_KINDS,
    ChallengePlanner,
    DmHandler,
    StepHandler,
    schedule_of,
    step_states,
)
from bot.challenge_events import EventSync
from bot.challenges import Status, Step, Timeline, rank, status_after
from bot.delivery import Refused, Sent
from bot.storage import Challenge, ChallengeStore
from bot.storage.deliveries import Status as DeliveryStatus
from bot.ui.challenges import announcement_view, challenge_embed, results_embed, vote_embed, vote_view, when
from bot.ui.limits import MESSAGE_MAX, clip

log = logging.getLogger(__name__)

THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"
QUIET = discord.AllowedMentions.none()


CATCH_UP_TICKS = 10  # ticks `run_due` runs at most: four steps, each with its DMs, need far fewer


def nonce(challenge_id: int, step: Step, key: int | str = 0) -> str:
    """A nonce unique to one extra post of one step of one challenge, within Discord's 25 characters."""
    digest = hashlib.blake2b(f"{challenge_id}:{step}:{key}".encode(), digest_size=12).hexdigest()
    return f"c{digest}"


def runner_of(bot: MentorBot) -> ChallengeRunner:
    """Return the running ChallengeRunner (owned by the challenges cog)."""
    runner = getattr(bot.get_cog("Challenges"), "runner", None)
    if not isinstance(runner, ChallengeRunner):
        raise RuntimeError("the challenges extension is not loaded")
    return runner


class ChallengeRunner(EventSync):
    """Performs the steps the deliverer hands over; keeps a challenge's posts and event in step."""

    def __init__(self, bot: MentorBot, store: ChallengeStore) -> None:
        self.bot = bot
        self.store = store
        self.log = bot.storage.deliveries
        self.planner = ChallengePlanner(store, self.log)
        self.ended_early: set[int] = set()  # only changes the summary's wording, so memory is enough

    def register(self) -> None:
        """Put the planner on the scheduler and a handler per step kind on the deliverer."""
        self.bot.scheduler.add_planner(self.planner)
        for step, kind in STEP_KINDS.items():
            self.bot.deliverer.add_handler(kind, StepHandler(self, step))
        self.bot.deliverer.add_handler(KIND_DM, DmHandler(self))

    def poke(self) -> None:
        """Wake the scheduler now: a challenge was created or changed."""
        self.bot.scheduler.poke()

    async def run_due(self) -> int:
        """Tick the scheduler until every step due now (and each one it unlocks) ran; return how many."""
        before = self.planner.planned
        for _ in range(CATCH_UP_TICKS):
            planned = self.planner.planned
            await self.bot.scheduler.tick()
            if self.planner.planned == planned and not self.bot.scheduler.last_outcomes:
                break
        return self.planner.planned - before

    async def perform(
        self, step: Step, challenge: Challenge, nonce_: str, pace: Callable[[], Awaitable[None]]
    ) -> Sent:
        """Perform one step; raise Refused when its main post was refused (the step still took effect)."""
        if step is Step.ANNOUNCE:
            message = await self._announce(challenge, nonce_)
        elif step is Step.CLOSE:
            message = await self._close(challenge, nonce_, pace)
        elif step is Step.RESULTS:
            message = await self._results(challenge, nonce_)
        elif step is Step.CANCEL:
            message = await self._cancel_post(challenge, nonce_)
        else:
            raise Refused(f"{step} posts nothing in the channel")
        if isinstance(message, str):
            raise Refused(message)
        return Sent(message)

    def dm_text(self, challenge: Challenge, step: Step) -> str:
        """What a reminder or cancellation DM says."""
        title = discord.utils.escape_markdown(challenge.title)
        if step is Step.CANCEL:
            return f"The challenge **{title}** was cancelled by the moderators."
        return clip(
            f"⏰ **{title}** closes {when(challenge.timeline.deadline)}. You joined but haven't "
            f"submitted yet: use `/challenge submit challenge:{challenge.id}` in the server, or the Submit "
            "button on the announcement.",
            MESSAGE_MAX,
        )

    # --- sending -------------------------------------------------------------------------------------------

    async def _channel(self, channel_id: int) -> discord.abc.Messageable | None:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException:
                return None
        return channel if isinstance(channel, discord.abc.Messageable) else None

    async def _post(
        self, challenge: Challenge, channel_id: int, nonce_: str, **kwargs: Any
    ) -> discord.Message | str:
        """Send one post with its nonce; return it, or why Discord refused (a 403 is not retried)."""
        channel = await self._channel(channel_id)
        if channel is None:
            return "channel not found"
        kwargs.setdefault("allowed_mentions", QUIET)
        try:
            return await channel.send(nonce=nonce_, **kwargs)
        except (discord.Forbidden, discord.NotFound) as error:
            note = f"Discord refused the post ({error.status}, code {error.code})"
            log.warning("challenge %s: %s in channel %s", challenge.id, note, channel_id)
            return note

    def _where(self, challenge: Challenge) -> int:
        """Where talk and entries go: the challenge's thread, else its channel."""
        return challenge.thread_id or challenge.channel_id

    async def _announce(self, challenge: Challenge, nonce_: str) -> int | str:
        role = challenge.role_id
        message = await self._post(
            challenge,
            challenge.channel_id,
            nonce_,
            content=f"<@&{role}> a new challenge is open!" if role else None,
            embed=challenge_embed(replace(challenge, status=Status.RUNNING)),
            view=announcement_view(challenge.id),
            # The client allows no mentions at all; this post may ping exactly the configured role.
            allowed_mentions=discord.AllowedMentions(
                everyone=False,
                users=False,
                roles=[discord.Object(role)] if role else False,
                replied_user=False,
            ),
        )
        posted = message if isinstance(message, discord.Message) else None
        thread_id = challenge.thread_id
        if posted is not None and thread_id is None:
            try:
                thread = await posted.create_thread(
                    name=clip(challenge.title, 100), auto_archive_duration=10080
                )
                thread_id = thread.id
            except discord.HTTPException as error:
                if error.code == THREAD_EXISTS:  # opened before a crash: it shares the message's id
                    thread_id = posted.id
                else:  # no Create Public Threads: talk stays in the channel
                    log.warning("challenge %s: could not open a thread (%s)", challenge.id, error)
        self.store.update(
            challenge.guild_id,
            challenge.id,
            status=Status.RUNNING,
            message_id=posted.id if posted else challenge.message_id,
            thread_id=thread_id,
        )
        await self._event_status(challenge, 2)
        return posted.id if posted else str(message)

    async def _close(
        self, challenge: Challenge, nonce_: str, pace: Callable[[], Awaitable[None]]
    ) -> int | str:
        g, cid = challenge.guild_id, challenge.id
        now = self.bot.clock.now()
        closed = replace(challenge, status=status_after(Step.CLOSE, challenge.voting))
        await self._edit_announcement(closed)
        self.store.update(g, cid, status=closed.status)
        if challenge.timeline.voting_ends is None:  # no voting: the close is the results
            return await self._publish_results(closed, nonce_)
        if (challenge.timeline.voting_ends or now) <= now:  # ended early: the results step follows at once
            return challenge.message_id or "voting ended with the deadline: nothing to post"
        subs = self.store.submissions(g, cid)
        ends = challenge.timeline.voting_ends
        intro = (
            f"Submissions are closed: {len(subs)} entries. Vote for your favourite below until {when(ends)}."
        )
        message = await self._post(challenge, self._where(challenge), nonce_, content=intro)
        for sub in subs:
            if sub.vote_message_id is not None:
                continue  # posted before a restart
            await pace()  # one post per entry: paced like every scheduled send
            entry = await self._post(
                challenge, self._where(challenge), nonce(cid, Step.CLOSE, f"entry{sub.id}"),
                embed=vote_embed(challenge, sub), view=vote_view(cid, sub.id),
            )  # fmt: skip
            if isinstance(entry, discord.Message):
                self.store.set_vote_message(g, sub.id, entry.id)
        return message.id if isinstance(message, discord.Message) else message

    async def _results(self, challenge: Challenge, nonce_: str) -> int | str:
        closed = self.store.update(challenge.guild_id, challenge.id, status=Status.CLOSED)
        await self._edit_announcement(closed)
        return await self._publish_results(closed, nonce_)

    async def _publish_results(self, challenge: Challenge, nonce_: str) -> int | str:
        g, cid = challenge.guild_id, challenge.id
        votes = self.store.vote_counts(g, cid)
        winners = []
        for place, sid, n in rank(votes):
            sub = self.store.submission(g, sid)
            if sub is not None:
                winners.append((place, sub, n))
        early = cid in self.ended_early
        embed = results_embed(challenge, self.store.counts(g, cid), winners, early=early)
        reference = None
        if challenge.message_id:
            reference = discord.MessageReference(
                message_id=challenge.message_id, channel_id=challenge.channel_id, fail_if_not_exists=False
            )
        message = await self._post(challenge, challenge.channel_id, nonce_, embed=embed, reference=reference)
        await self._event_status(challenge, 3)
        return message.id if isinstance(message, discord.Message) else message

    async def _cancel_post(self, challenge: Challenge, nonce_: str) -> int | str:
        message = await self._post(
            challenge, self._where(challenge), nonce_, content=self.dm_text(challenge, Step.CANCEL)
        )
        return message.id if isinstance(message, discord.Message) else message

    async def _edit_announcement(self, challenge: Challenge) -> None:
        """Show the new status on the announcement; Join / Submit stay only while submissions are open."""
        if not challenge.message_id:
            return
        channel = await self._channel(challenge.channel_id)
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread) or not hasattr(
            channel, "get_partial_message"
        ):
            return
        open_ = challenge.status in (Status.SCHEDULED, Status.RUNNING)
        try:
            await channel.get_partial_message(challenge.message_id).edit(
                embed=challenge_embed(challenge), view=announcement_view(challenge.id, open_=open_)
            )
        except discord.HTTPException as error:
            log.warning("challenge %s: could not update the announcement (%s)", challenge.id, error)

    # --- moderators' changes ------------------------------------------------------------------------------

    async def refresh(self, challenge: Challenge) -> None:
        """After an edit or extension: re-plan waiting steps, update the announcement and event, wake."""
        self.planner.replan(challenge, self.bot.clock.now())
        await self._edit_announcement(challenge)
        await self.sync_event(challenge)
        self.poke()

    async def cancel(self, challenge: Challenge) -> tuple[int, int]:
        """Cancel: skip pending steps, tell the channel and each participant (DMs); return (told, missed)."""
        g, cid = challenge.guild_id, challenge.id
        cancelled = self.store.update(g, cid, status=Status.CANCELLED)
        self.log.skip_pending(schedule_of(cid), "the challenge was cancelled")
        await self._edit_announcement(cancelled)
        now = self.bot.clock.now()
        if challenge.status is not Status.SCHEDULED:  # nobody saw a challenge that never started
            self.log.plan(
                kind=STEP_KINDS[Step.CANCEL], schedule=schedule_of(cid), slot=Step.CANCEL.value,
                recipient=self._where(cancelled), due_at=now, guild_id=g,
            )  # fmt: skip
        for row in self.store.export_rows(g, cid):
            user_id = int(row["user_id"])
            self.log.plan(
                kind=KIND_DM, schedule=schedule_of(cid), slot=Step.CANCEL.value, recipient=user_id,
                due_at=now, guild_id=g, user_id=user_id,
            )  # fmt: skip
        await self.run_due()
        await self._event_cancel(cancelled)
        states = step_states(self.log, cid, Step.CANCEL)
        dms = [state for uid, (state, _) in states.items() if uid]
        told = sum(1 for state in dms if state == DeliveryStatus.SENT.value)
        return told, len(dms) - told

    async def end(self, challenge: Challenge) -> Challenge:
        """Close a running or voting challenge now: submissions and voting stop, the summary is posted."""
        now: datetime = self.bot.clock.now()
        t = challenge.timeline
        ends = min(t.voting_ends, now) if t.voting_ends else None
        timeline = Timeline(t.starts_at, min(t.deadline, now), ends, t.remind_before)
        self.store.update(challenge.guild_id, challenge.id, timeline=timeline)
        self.ended_early.add(challenge.id)
        await self.run_due()
        ended = self.store.get(challenge.guild_id, challenge.id)
        assert ended is not None
        return ended
