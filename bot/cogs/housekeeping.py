"""Housekeeping: which servers the bot is in, and the daily retention job ([privacy] in the config).

The job deletes logged questions and votes older than `question_log_days`, and every row of a server the
bot was removed from more than `removed_server_days` ago (unless it came back). "Now" comes from the bot's
clock, so tests move time instead of waiting days.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import discord
from discord.ext import commands, tasks

from bot.app import MentorBot
from bot.clock import Clock, iso
from bot.config import PrivacySettings
from bot.storage import Storage

log = logging.getLogger(__name__)

HOUSEKEEPING_HOURS = 24.0


@dataclass
class Sweep:
    """What one housekeeping run deleted."""

    old_rows: dict[str, int] = field(default_factory=dict)
    forgotten_guilds: list[int] = field(default_factory=list)


class Housekeeping(commands.Cog):
    """Records joins and removals; runs the retention job at start (once ready) and then daily."""

    def __init__(self, bot: MentorBot, *, storage: Storage, privacy: PrivacySettings, clock: Clock) -> None:
        self.bot = bot
        self.storage = storage
        self.privacy = privacy
        self.clock = clock

    async def cog_load(self) -> None:
        """Start the daily job (its first run waits until the bot is ready)."""
        self.daily.start()

    async def cog_unload(self) -> None:
        """Stop the daily job."""
        self.daily.cancel()

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A server added the bot (or took it back): cancel any pending deletion."""
        self.storage.guilds.joined(guild.id)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was removed (kicked, banned, or the server deleted): start the countdown to deletion."""
        self.storage.guilds.removed(guild.id)
        log.info("removed from server %s; its data is deleted in %d day(s)", guild.id, self.removed_days)

    @property
    def removed_days(self) -> int:
        """Days a removed server's data is kept."""
        return self.privacy.removed_server_days

    @tasks.loop(hours=HOUSEKEEPING_HOURS)
    async def daily(self) -> None:
        """Run the sweep; a failure is logged and retried at the next run, never fatal."""
        try:
            self.sweep()
        except Exception:
            log.exception("housekeeping failed; retrying in %s hours", HOUSEKEEPING_HOURS)

    @daily.before_loop
    async def _until_ready(self) -> None:
        # The server list is complete only once ready; reconciling earlier would "remove" every server.
        await self.bot.wait_until_ready()

    def sweep(self) -> Sweep:
        """Reconcile the known servers, delete rows past retention and servers removed long enough ago."""
        now = self.clock.now()
        if self.bot.is_ready():
            self.storage.guilds.reconcile(guild.id for guild in self.bot.guilds)
        result = Sweep()
        cutoff = iso(now - timedelta(days=self.privacy.question_log_days))
        result.old_rows = self.storage.questions.prune(cutoff)
        result.old_rows.update(self.storage.deliveries.prune(cutoff))
        for guild_id in self.storage.guilds.removed_before(iso(now - timedelta(days=self.removed_days))):
            removed = self.storage.forget_guild(guild_id)
            result.forgotten_guilds.append(guild_id)
            log.info(
                "deleted the data of server %s, removed from it %d+ day(s) ago: %s",
                guild_id,
                self.removed_days,
                removed,
            )
        if any(result.old_rows.values()):
            log.info("deleted rows older than %d day(s): %s", self.privacy.question_log_days, result.old_rows)
        return result


async def setup(bot: MentorBot) -> None:
    """Add the cog with the services it uses."""
    await bot.add_cog(Housekeeping(bot, storage=bot.storage, privacy=bot.config.privacy, clock=bot.clock))
