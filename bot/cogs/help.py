"""/help (every command this member may run, from the command tree) and /about (version, data, source)."""

from __future__ import annotations

import importlib.metadata

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.config import PrivacySettings
from bot.knowledge.library import Library
from bot.ui import help as ui

PACKAGE = "studio-mentor"


def package_version() -> str:
    """The installed package's version ("unknown" when run from a source tree that was never installed)."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class Help(commands.Cog):
    """What the bot can do for you, and what it is."""

    def __init__(self, bot: MentorBot, *, library: Library, privacy: PrivacySettings) -> None:
        self.bot = bot
        self.library = library
        self.privacy = privacy

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """List the commands you can use here, by area (only you see it)."""
        embed, view = ui.help_message(self.bot, interaction)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction) -> None:
        """What Studio Mentor is, what it stores and for how long, and where its answers come from."""
        embed = ui.about_embed(
            version=package_version(), article=self.library.index.kb.article, privacy=self.privacy
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    """Add the cog with the services it uses, and the persistent area picker."""
    bot.add_dynamic_items(*ui.DYNAMIC_ITEMS)
    await bot.add_cog(Help(bot, library=bot.library, privacy=bot.config.privacy))
