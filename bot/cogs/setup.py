"""/mentor setup: the guided set-up a moderator runs first (the wizard itself is bot/ui/setup.py).

The `/mentor` group belongs to the moderation cog. discord.py copies a cog's group per cog instance, so a
second cog cannot declare a subcommand on it; this extension instead adds its `setup` command to the group
instance already in the tree (it loads after bot.cogs.moderation) and removes it again on unload.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.app import MentorBot
from bot.checks import moderator_only
from bot.ui import setup as ui
from bot.ui import setup_items
from bot.ui.base import mentor_of
from bot.ui.settings import timezone_autocomplete

GROUP = "mentor"


def setup_command() -> app_commands.Command[Any, ..., None]:
    """A fresh /mentor setup command (one per bot: a command object belongs to one tree)."""

    @app_commands.command(name="setup")
    @app_commands.describe(timezone="Set the server's time zone right away (IANA name; autocompletes)")
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @moderator_only()
    async def mentor_setup(interaction: discord.Interaction, timezone: str | None = None) -> None:
        """Set Studio Mentor up step by step: channels, moderator role, time zone, prompts, stage roles."""
        bot = mentor_of(interaction)
        guild = ui._guild(interaction, bot)
        step, notes = ui.Step.CHANNELS, None
        if timezone is not None:
            zone = ui.save_timezone(bot, guild.id, timezone)
            step, notes = ui.Step.TIMEZONE, [f"Saved: {zone}."]
        embed, view = ui.render(bot, guild, step, notes=notes)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    return mentor_setup


async def setup(bot: MentorBot) -> None:
    """Add /mentor setup to the moderation cog's /mentor group, and register the wizard's components."""
    group = bot.tree.get_command(GROUP)
    if not isinstance(group, app_commands.Group):
        raise RuntimeError("bot.cogs.setup needs bot.cogs.moderation (the /mentor group) loaded first")
    group.add_command(setup_command())
    bot.add_dynamic_items(*setup_items.DYNAMIC_ITEMS)


async def teardown(bot: MentorBot) -> None:
    """Take /mentor setup out of the group again."""
    group = bot.tree.get_command(GROUP)
    if isinstance(group, app_commands.Group):
        group.remove_command("setup")
    bot.remove_dynamic_items(*setup_items.DYNAMIC_ITEMS)
