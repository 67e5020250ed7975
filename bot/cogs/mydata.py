"""/mydata: a member sees everything the bot holds about them in a server, and can have it all deleted."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.clock import Clock
from bot.storage import Storage
from bot.ui import mydata as ui
from bot.ui.replies import UserError


@app_commands.guild_only()
class MyDataGroup(
    app_commands.Group, name="mydata", description="See or delete what Studio Mentor holds about you"
):
    """/mydata: a member's own data."""


def _guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise UserError("Your data here belongs to a server: use this in a server.")
    return interaction.guild_id


class MyData(commands.Cog):
    """A member's data: one export and one exit, across every storage area."""

    mydata = MyDataGroup()

    def __init__(self, *, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock

    @mydata.command(name="show")
    async def show(self, interaction: discord.Interaction) -> None:
        """See everything Studio Mentor holds about you in this server (only you see it)."""
        guild_id = _guild_id(interaction)
        data = self.storage.export_member(guild_id, interaction.user.id)
        name = discord.utils.escape_markdown(interaction.guild.name if interaction.guild else "this server")
        content, embed, file = ui.export_reply(name, guild_id, interaction.user.id, data, self.clock.now())
        if file is not None:
            await interaction.response.send_message(content, embed=embed, file=file, ephemeral=True)
        else:
            await interaction.response.send_message(content, embed=embed, ephemeral=True)

    @mydata.command(name="forget")
    async def forget(self, interaction: discord.Interaction) -> None:
        """Delete everything Studio Mentor holds about you in this server (asks you to confirm first)."""
        data = self.storage.export_member(_guild_id(interaction), interaction.user.id)
        expires = int(self.clock.now().timestamp()) + ui.CONFIRM_SECONDS
        text, view = ui.forget_prompt(interaction.user.id, data, expires)
        if view is None:
            await interaction.response.send_message(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, view=view, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    """Add the cog with the services it uses, and the persistent confirm / cancel buttons."""
    bot.add_dynamic_items(*ui.DYNAMIC_ITEMS)
    await bot.add_cog(MyData(storage=bot.storage, clock=bot.clock))
