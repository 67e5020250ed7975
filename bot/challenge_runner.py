"""Runs challenges on Discord: announce, remind, close, results, cancel, and the scheduled event alongside.

`bot.challenges` decides which steps are due; this module performs them. Each step (and each reminder DM) is
first recorded as pending in challenge_steps, then sent with a nonce derived from its key, then marked sent,
failed or skipped. A crash between the send and the mark leaves it pending: the next wake sends it again with
the same nonce, and Discord (enforce_nonce) answers with the first message instead of posting a second one.
A 403 (DMs closed, channel hidden) is recorded and never retried; a step that failed otherwise stays pending
for the next wake.

Until the scheduler lands (branch `learning`), a small wake loop sleeps until the next step is due (at most
five minutes, at least a second) and is poked whenever a moderator changes a challenge.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import timedelta
from typing import Any

import discord

from bot.app import MentorBot
from bot.challenges import Status, Step, Timeline, due_steps, next_wake, rank, stale_steps, status_after
from bot.clock import iso
from bot.storage import Challenge, ChallengeStore
from bot.ui.challenges import announcement_view, challenge_embed, results_embed, vote_embed, vote_view, when
from bot.ui.limits import MESSAGE_MAX, clip

log = logging.getLogger(__name__)

WAKE_MIN, WAKE_MAX = 1.0, 300.0  # seconds between wake-ups: never a busy loop, never asleep for long
DMS_CLOSED = 50007  # Discord: "Cannot send messages to this user"
EVENT_LEAD = timedelta(minutes=1)  # Discord refuses events that start in the past
QUIET = discord.AllowedMentions.none()


def nonce(challenge_id: int, step: Step, key: int | str = 0) -> str:
    """A nonce unique to one post of one step of one challenge, within Discord's 25 characters."""
    digest = hashlib.blake2b(f"{challenge_id}:{step}:{key}".encode(), digest_size=12).hexdigest()
    return f"c{digest}"


def runner_of(bot: MentorBot) -> ChallengeRunner:
    """Return the running ChallengeRunner (owned by the challenges cog)."""
    runner = getattr(bot.get_cog("Challenges"), "runner", None)
    if not isinstance(runner, ChallengeRunner):
        raise RuntimeError("the challenges extension is not loaded")
    return runner


class ChallengeRunner:
    """Performs due lifecycle steps, exactly once each, and keeps a challenge's posts and event in step."""

    def __init__(self, bot: MentorBot, store: ChallengeStore) -> None:
        self.bot = bot
        self.store = store
        self._lock = asyncio.Lock()
        self._poked = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.ended_early: set[int] = set()  # only changes the summary's wording, so memory is enough

    # --- waking ------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the wake loop, once."""
        if self._task is None:
            self._task = asyncio.create_task(self._wake_forever(), name="challenge-steps")

    async def stop(self) -> None:
        """Stop the wake loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def poke(self) -> None:
        """Wake now: a challenge was created or changed."""
        self._poked.set()

    async def _wake_forever(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("running due challenge steps failed")
            self._poked.clear()
            delay = self._seconds_to_next_wake()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poked.wait(), delay)

    def _seconds_to_next_wake(self) -> float:
        now = self.bot.clock.now()
        wakes = [
            w
            for c in self.store.open_everywhere()
            if (w := next_wake(c.timeline, c.status, self.store.steps_done(c.guild_id, c.id))) is not None
        ]
        if not wakes:
            return WAKE_MAX
        return min(max((min(wakes) - now).total_seconds(), WAKE_MIN), WAKE_MAX)

    async def run_due(self) -> int:
        """Run every step due now in every server; return how many ran."""
        ran = 0
        async with self._lock:
            for challenge in self.store.open_everywhere():
                try:
                    ran += await self._run_challenge(challenge)
                except Exception:  # one broken challenge must not hold up the others; its step stays pending
                    log.exception(
                        "challenge %s: a step failed and will be tried at the next wake", challenge.id
                    )
        return ran

    async def _run_challenge(self, challenge: Challenge) -> int:
        now = self.bot.clock.now()
        g, cid = challenge.guild_id, challenge.id
        done = self.store.steps_done(g, cid)
        for step in stale_steps(challenge.timeline, done, now):
            self.store.finish_step(g, cid, step, "skipped", note="the deadline passed before it could go out")
        ran = 0
        for step in due_steps(challenge.timeline, challenge.status, done, now):
            current = self.store.get(g, cid)
            if current is None or not current.status.is_open:
                break
            if not self.store.begin_step(g, cid, step):
                continue
            if step is Step.ANNOUNCE:
                await self._announce(current)
            elif step is Step.REMIND:
                await self._remind(current)
            elif step is Step.CLOSE:
                await self._close(current)
            else:
                await self._results(current)
            ran += 1
        return ran

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
        self, challenge: Challenge, step: Step, channel_id: int, key: int | str = 0, **kwargs: Any
    ) -> discord.Message | None:
        """Send one step's post with its nonce; a 403 or missing channel is recorded and not retried."""
        channel = await self._channel(channel_id)
        if channel is None:
            self.store.finish_step(challenge.guild_id, challenge.id, step, "failed", note="channel not found")
            return None
        kwargs.setdefault("allowed_mentions", QUIET)
        try:
            return await channel.send(nonce=nonce(challenge.id, step, key), **kwargs)
        except (discord.Forbidden, discord.NotFound) as error:
            note = f"Discord refused the post ({error.status}, code {error.code})"
            self.store.finish_step(challenge.guild_id, challenge.id, step, "failed", note=note)
            log.warning("challenge %s: %s in channel %s", challenge.id, note, channel_id)
            return None

    def _where(self, challenge: Challenge) -> int:
        """Where talk and entries go: the challenge's thread, else its channel."""
        return challenge.thread_id or challenge.channel_id

    async def _announce(self, challenge: Challenge) -> None:
        role = challenge.role_id
        message = await self._post(
            challenge,
            Step.ANNOUNCE,
            challenge.channel_id,
            content=f"<@&{role}> a new challenge is open!" if role else None,
            embed=challenge_embed(replace_status(challenge, Status.RUNNING)),
            view=announcement_view(challenge.id),
            # The client allows no mentions at all; this post may ping exactly the configured role.
            allowed_mentions=discord.AllowedMentions(
                everyone=False,
                users=False,
                roles=[discord.Object(role)] if role else False,
                replied_user=False,
            ),
        )
        thread_id = challenge.thread_id
        if message is not None and thread_id is None:
            try:
                thread = await message.create_thread(
                    name=clip(challenge.title, 100), auto_archive_duration=10080
                )
                thread_id = thread.id
            except discord.HTTPException as error:  # no Create Public Threads: talk stays in the channel
                log.warning("challenge %s: could not open a thread (%s)", challenge.id, error)
        with self.store.core.write():
            self.store.update(
                challenge.guild_id,
                challenge.id,
                status=Status.RUNNING,
                message_id=message.id if message else challenge.message_id,
                thread_id=thread_id,
            )
            if message is not None:
                self.store.finish_step(
                    challenge.guild_id, challenge.id, Step.ANNOUNCE, "sent", message_id=message.id
                )
        await self._event_status(challenge, 2)

    async def _remind(self, challenge: Challenge) -> None:
        g, cid = challenge.guild_id, challenge.id
        sent = skipped = failed = 0
        deadline = challenge.timeline.deadline
        text = (
            f"⏰ **{discord.utils.escape_markdown(challenge.title)}** closes {when(deadline)}. You joined "
            f"but haven't submitted yet: use `/challenge submit challenge:{cid}` in the server, or the "
            "Submit button on the announcement."
        )
        for user_id in self.store.without_submission(g, cid):
            if not self.store.begin_step(g, cid, Step.REMIND, user_id):
                continue
            state, note = await self._dm(challenge, Step.REMIND, user_id, clip(text, MESSAGE_MAX))
            sent, skipped, failed = (
                sent + (state == "sent"),
                skipped + (state == "skipped"),
                failed + (state == "failed"),
            )
        note = f"{sent} reminded, {skipped} skipped (DMs closed), {failed} failed"
        self.store.finish_step(g, cid, Step.REMIND, "sent", note=note)
        log.info("challenge %s reminder: %s", cid, note)

    async def _dm(self, challenge: Challenge, step: Step, user_id: int, text: str) -> tuple[str, str | None]:
        """DM one member once; closed DMs are recorded as skipped and never retried."""
        g, cid = challenge.guild_id, challenge.id
        try:
            channel = await self.bot.create_dm(discord.Object(user_id))
            await channel.send(text, nonce=nonce(cid, step, user_id), allowed_mentions=QUIET)
        except discord.Forbidden as error:
            state = "skipped" if error.code == DMS_CLOSED else "failed"
            note = "DMs closed" if error.code == DMS_CLOSED else f"403 code {error.code}"
            self.store.finish_step(g, cid, step, state, user_id=user_id, note=note)
            return state, note
        except discord.HTTPException as error:
            note = f"{error.status} code {error.code}"
            self.store.finish_step(g, cid, step, "failed", user_id=user_id, note=note)
            return "failed", note
        self.store.finish_step(g, cid, step, "sent", user_id=user_id)
        return "sent", None

    async def _close(self, challenge: Challenge) -> None:
        g, cid = challenge.guild_id, challenge.id
        now = self.bot.clock.now()
        closed = replace_status(challenge, status_after(Step.CLOSE, challenge.voting))
        await self._edit_announcement(closed)
        voting_open = challenge.voting and (challenge.timeline.voting_ends or now) > now
        if voting_open:
            subs = self.store.submissions(g, cid)
            ends = challenge.timeline.voting_ends
            intro = f"Submissions are closed: {len(subs)} entries. Vote for your favourite below"
            intro += f" until {when(ends)}." if ends else "."
            await self._post(challenge, Step.CLOSE, self._where(challenge), "intro", content=intro)
            for sub in subs:
                if sub.vote_message_id is not None:
                    continue  # posted before a restart
                message = await self._post(
                    challenge, Step.CLOSE, self._where(challenge), f"entry{sub.id}",
                    embed=vote_embed(challenge, sub), view=vote_view(cid, sub.id),
                )  # fmt: skip
                if message is not None:
                    self.store.set_vote_message(g, sub.id, message.id)
        with self.store.core.write():
            self.store.update(g, cid, status=closed.status)
            self.store.finish_step(g, cid, Step.CLOSE, "sent")
        if not challenge.voting:
            await self._publish_results(closed, Step.CLOSE)

    async def _results(self, challenge: Challenge) -> None:
        with self.store.core.write():
            closed = self.store.update(challenge.guild_id, challenge.id, status=Status.CLOSED)
        await self._edit_announcement(closed)
        await self._publish_results(closed, Step.RESULTS)

    async def _publish_results(self, challenge: Challenge, step: Step) -> None:
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
        message = await self._post(
            challenge, Step.RESULTS, challenge.channel_id, embed=embed, reference=reference
        )
        self.store.finish_step(g, cid, Step.RESULTS, "sent", message_id=message.id if message else None)
        await self._event_status(challenge, 3)

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
        """After an edit or extension: update the announcement and the event, and wake for the new times."""
        await self._edit_announcement(challenge)
        await self.sync_event(challenge)
        self.poke()

    async def cancel(self, challenge: Challenge) -> tuple[int, int]:
        """Cancel: no further steps; tell the channel and each participant (DMs); return (told, skipped)."""
        g, cid = challenge.guild_id, challenge.id
        async with self._lock:
            cancelled = self.store.update(g, cid, status=Status.CANCELLED)
            await self._edit_announcement(cancelled)
            if self.store.begin_step(g, cid, Step.CANCEL):
                title = discord.utils.escape_markdown(challenge.title)
                text = f"The challenge **{title}** was cancelled by the moderators."
                if challenge.status is not Status.SCHEDULED:
                    await self._post(cancelled, Step.CANCEL, self._where(cancelled), content=text)
                told = skipped = 0
                users = [row["user_id"] for row in self.store.export_rows(g, cid)]
                for user_id in users:
                    if self.store.begin_step(g, cid, Step.CANCEL, user_id):
                        state, _ = await self._dm(cancelled, Step.CANCEL, user_id, text)
                        told, skipped = told + (state == "sent"), skipped + (state != "sent")
                self.store.finish_step(
                    g, cid, Step.CANCEL, "sent", note=f"{told} told, {skipped} not reached"
                )
            await self._event_cancel(cancelled)
        return self._cancel_counts(cancelled)

    async def end(self, challenge: Challenge) -> Challenge:
        """Close a running or voting challenge now: submissions and voting stop, the summary is posted."""
        now = self.bot.clock.now()
        t = challenge.timeline
        ends = min(t.voting_ends, now) if t.voting_ends else None
        timeline = Timeline(t.starts_at, min(t.deadline, now), ends, t.remind_before)
        self.store.update(challenge.guild_id, challenge.id, timeline=timeline)
        self.ended_early.add(challenge.id)
        await self.run_due()
        ended = self.store.get(challenge.guild_id, challenge.id)
        assert ended is not None
        return ended

    def _cancel_counts(self, challenge: Challenge) -> tuple[int, int]:
        states = self.store.step_states(challenge.guild_id, challenge.id, Step.CANCEL)
        told = sum(1 for uid, (state, _) in states.items() if uid and state == "sent")
        return told, sum(1 for uid in states if uid) - told

    # --- scheduled event ------------------------------------------------------------------------------------

    def _event_payload(self, challenge: Challenge) -> dict[str, Any]:
        channel = self.bot.get_channel(challenge.channel_id)
        location = f"#{channel.name}" if isinstance(channel, discord.abc.GuildChannel) else "this server"
        return {
            "name": clip(challenge.title, 100),
            "description": clip(challenge.brief, 1000),
            "scheduled_end_time": iso(challenge.timeline.ends_at),
            "entity_type": 3,  # external: a challenge happens in the members' studios, not a voice channel
            "entity_metadata": {"location": location},
            "privacy_level": 2,
        }

    async def sync_event(self, challenge: Challenge) -> None:
        """Create or update the Discord scheduled event spanning the challenge (when it asked for one)."""
        if not challenge.with_event or not challenge.status.is_open:
            return
        payload = self._event_payload(challenge)
        now = self.bot.clock.now()
        try:
            if challenge.event_id is None:
                start = max(challenge.timeline.starts_at, now + EVENT_LEAD)
                data = await self.bot.http.create_guild_scheduled_event(
                    challenge.guild_id, scheduled_start_time=iso(start), **payload
                )
                self.store.update(challenge.guild_id, challenge.id, event_id=int(data["id"]))
            else:
                if challenge.status is Status.SCHEDULED and challenge.timeline.starts_at > now:
                    payload["scheduled_start_time"] = iso(challenge.timeline.starts_at)
                await self.bot.http.edit_scheduled_event(challenge.guild_id, challenge.event_id, **payload)
        except discord.HTTPException as error:
            log.warning("challenge %s: could not create or update its event (%s)", challenge.id, error)

    async def _event_status(self, challenge: Challenge, status: int) -> None:
        current = self.store.get(challenge.guild_id, challenge.id)
        if current is None or current.event_id is None:
            return
        try:
            await self.bot.http.edit_scheduled_event(current.guild_id, current.event_id, status=status)
        except discord.HTTPException as error:
            log.warning("challenge %s: event status %s refused (%s)", current.id, status, error)

    async def _event_cancel(self, challenge: Challenge) -> None:
        current = self.store.get(challenge.guild_id, challenge.id)
        if current is None or current.event_id is None:
            return
        try:  # a scheduled event can be cancelled; an active one can only be deleted
            await self.bot.http.edit_scheduled_event(current.guild_id, current.event_id, status=4)
        except discord.HTTPException:
            with contextlib.suppress(discord.HTTPException):
                await self.bot.http.delete_scheduled_event(current.guild_id, current.event_id)


def replace_status(challenge: Challenge, status: Status) -> Challenge:
    """The same challenge with another status (for showing it before the row changes)."""
    from dataclasses import replace

    return replace(challenge, status=status)
