"""A server's first moments with the bot: one welcome when it joins, a log line when it leaves.

The welcome goes to the system channel, else the first text channel the bot may write in, else nowhere
(a log line says so). `known_guilds.welcomed_at` makes it once per server: `on_guild_join` fires only for a
real join (never for a RESUME or a fresh IDENTIFY), and a restart or a re-invite finds the mark. The
removed-server retention rule (bot.cogs.housekeeping) deletes the mark with the server's other rows.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.app import MentorBot
from bot.knowledge.library import Library
from bot.storage import GuildRegistry
from bot.ui import onboarding as ui

log = logging.getLogger(__name__)


class Onboarding(commands.Cog):
    """Welcomes a server once, and notes when the bot leaves one."""

    def __init__(self, bot: MentorBot, *, guilds: GuildRegistry, library: Library) -> None:
        self.bot = bot
        self.guilds = guilds
        self.library = library

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Post the welcome in the first place the bot may write, unless this server already had it."""
        if not self.guilds.claim_welcome(guild.id):
            log.info("joined server %s (%s) again; it was welcomed before", guild.name, guild.id)
            return
        channel = ui.welcome_channel(guild)
        if channel is None:
            log.warning(
                "joined server %s (%s): no channel where I may send an embed, so no welcome was posted",
                guild.name,
                guild.id,
            )
            return
        commands_ = {c.qualified_name for c in self.bot.tree.walk_commands()}
        embed = ui.welcome_embed(self.library.index.kb.article, commands_)
        try:
            await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as error:  # permissions changed meanwhile: not worth a retry loop
            log.warning("could not post the welcome in server %s (%s): %s", guild.name, guild.id, error)
            return
        log.info("joined server %s (%s); welcome posted in #%s", guild.name, guild.id, channel.name)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Note the leave (housekeeping records it and applies the removed-server retention rule)."""
        log.info("left server %s (%s) with %s members", guild.name, guild.id, guild.member_count)


async def setup(bot: MentorBot) -> None:
    """Add the cog with the services it uses."""
    await bot.add_cog(Onboarding(bot, guilds=bot.storage.guilds, library=bot.library))
