"""The Discord scheduled event that spans a challenge: created with it, kept in step with edits, started at
the announcement, completed with the results, cancelled (or deleted, once active) with the challenge.

Raw HTTP calls rather than discord.py's ScheduledEvent objects: the bot may not have the event cached (no
member cache, restarts), and every call needs only the stored ids. A refusal (no Manage Events) is logged,
never retried: the challenge runs without its event.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import Any

import discord

from bot.app import MentorBot
from bot.challenges import Status
from bot.clock import iso
from bot.storage import Challenge, ChallengeStore
from bot.ui.limits import clip

log = logging.getLogger(__name__)

EVENT_LEAD = timedelta(minutes=1)  # Discord refuses events that start in the past


class EventSync:
    """Mixed into the runner: the scheduled event alongside a challenge."""

    bot: MentorBot
    store: ChallengeStore

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
