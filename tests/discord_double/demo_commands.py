"""Demo commands covering every interaction shape the double supports.

Used by the double's own tests and handy as a reference: a guild-scoped subcommand group with
default permissions, a global group, autocomplete, a view with a button and a select, a modal,
a modal of ``ui.Label``s (text input and select), a "thinking" defer followed by a follow-up, and
an attachment option answered with files (response and follow-up).
"""

from __future__ import annotations

import io
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands


class PanelView(discord.ui.View):
    """A button that edits its message and a select that answers ephemerally."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Ping", custom_id="panel:ping")
    async def ping(self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]) -> None:
        await interaction.response.edit_message(content="pong", view=self)

    @discord.ui.select(
        custom_id="panel:pick", options=[discord.SelectOption(label=x, value=x) for x in "abc"], max_values=2
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[PanelView]) -> None:
        await interaction.response.send_message(f"picked {','.join(select.values)}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """One text input; the submit answers with what was typed."""

    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback:text"
    )

    def __init__(self) -> None:
        super().__init__(custom_id="feedback:modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}")


class ProfileModal(discord.ui.Modal, title="Profile"):
    """discord.py 2.7's Label layout: a labelled text input and a labelled string select."""

    name: discord.ui.Label[ProfileModal] = discord.ui.Label(
        text="Your name", component=discord.ui.TextInput(custom_id="profile:name", max_length=32)
    )
    stage: discord.ui.Label[ProfileModal] = discord.ui.Label(
        text="Your stage",
        description="Where you are with your track",
        component=discord.ui.Select(
            custom_id="profile:stage",
            options=[discord.SelectOption(label=x, value=x) for x in ("idea", "mixing", "master")],
        ),
    )

    def __init__(self) -> None:
        super().__init__(custom_id="profile:modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.name.component, discord.ui.TextInput)
        assert isinstance(self.stage.component, discord.ui.Select)
        await interaction.response.send_message(
            f"{self.name.component.value} @ {self.stage.component.values[0]}"
        )


async def _upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
    """Answer with a copy of the file, then a follow-up with its bytes reversed."""
    data = await file.read()
    copy = discord.File(io.BytesIO(data), filename=f"copy-{file.filename}")
    await interaction.response.send_message(f"got {file.filename} ({file.size} bytes)", file=copy)
    reverse = discord.File(io.BytesIO(data[::-1]), filename="reversed.bin")
    await interaction.followup.send("reversed", file=reverse)


def add_demo_commands(bot: commands.Bot, guild_id: int) -> None:
    """Commands exercising every interaction shape: groups, autocomplete, views, modals, defers."""
    mentor = app_commands.Group(name="mentor", description="Mentor tools")
    settings = app_commands.Group(name="settings", description="Settings", parent=mentor)

    @settings.command(name="show", description="Show a settings section")
    async def show(interaction: discord.Interaction, section: str) -> None:
        await interaction.response.send_message(f"section={section}", ephemeral=True)

    kb = app_commands.Group(name="kb", description="Knowledge base")

    @kb.command(name="gaps", description="List gaps")
    async def gaps(interaction: discord.Interaction, limit: int) -> None:
        await interaction.response.send_message(f"gaps limit={limit}")

    @app_commands.command(name="ask", description="Ask a question")
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.send_message(f"you asked {question}")

    @ask.autocomplete("question")
    async def ask_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current} {i}", value=f"{current}-{i}") for i in range(3)]

    @app_commands.command(name="panel", description="Show a panel")
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Pick one", view=PanelView())

    @app_commands.command(name="feedback", description="Send feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @app_commands.command(name="slow", description="Think, then answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("done")

    @app_commands.command(name="profile", description="Fill in your profile")
    async def profile(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ProfileModal())

    upload: app_commands.Command[Any, ..., None] = app_commands.Command(
        name="upload", description="Send a file back", callback=_upload
    )
    mentor.default_permissions = discord.Permissions(manage_guild=True)
    bot.tree.add_command(mentor, guild=discord.Object(guild_id))
    everywhere: list[app_commands.Command[Any, ..., None] | app_commands.Group] = [kb, ask, panel]
    everywhere += [feedback, slow, profile, upload]
    for command in everywhere:
        bot.tree.add_command(command)
