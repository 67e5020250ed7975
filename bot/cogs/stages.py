"""/stage: members record where they are on the career path, see what comes next, and find out with a quiz;
moderators see how their community spreads along the path."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.checks import moderator_only
from bot.clock import Clock, iso
from bot.knowledge.library import Library
from bot.stages import Stage
from bot.storage import StageStore
from bot.storage.stages import NOTE_MAX
from bot.ui import stage_cards as cards
from bot.ui import stage_quiz
from bot.ui import stages as ui
from bot.ui.base import mentor_of
from bot.ui.replies import UserError

STATS_DAYS = 30


@app_commands.guild_only()
class StageGroup(app_commands.Group, name="stage", description="Your career stage on the path to producer"):
    """/stage: career stages."""


def _guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:  # guild_only; a crafted DM interaction still gets an answer
        raise UserError("Stages belong to a server: use this in a server.")
    return interaction.guild_id


class Stages(commands.Cog):
    """Career stages: set, show, history, next steps, the quiz, and moderators' stats."""

    stage = StageGroup()

    def __init__(self, *, store: StageStore, library: Library, clock: Clock) -> None:
        self.store = store
        self.library = library
        self.clock = clock
        self.runtime = ui.StageRuntime(library)  # components reach it through the cog (ui.runtime_of)

    @stage.command(name="set")
    @app_commands.describe(
        stage="Where you are on the path now",
        note=f"Optional: a word about it, for your own history (up to {NOTE_MAX} characters)",
    )
    @app_commands.choices(stage=ui.STAGE_CHOICES)
    async def set_(
        self,
        interaction: discord.Interaction,
        stage: str,
        note: app_commands.Range[str, 1, NOTE_MAX] | None = None,
    ) -> None:
        """Record your career stage in this server; you'll see what to focus on now."""
        _guild_id(interaction)
        await ui.change_stage(interaction, mentor_of(interaction), ui.parse_stage_id(stage), note)

    @stage.command(name="show")
    @app_commands.describe(member="Whose stage to show (only if they made it visible); yourself by default")
    async def show(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        """Show your career stage, since when, and your checklist progress."""
        guild_id = _guild_id(interaction)
        target = member or interaction.user
        own = target.id == interaction.user.id
        name = discord.utils.escape_markdown(target.display_name)
        record = self.store.get(guild_id, target.id)
        if not own and not record.visible:
            raise UserError(f"{name} keeps their stage private.")
        if record.stage is None:
            raise UserError(ui.NO_STAGE if own else f"{name} hasn't set a stage yet.")
        guide = self.runtime.guide(Stage(record.stage))
        done = self.store.checklist_done(guild_id, target.id)
        embed = cards.show_embed(name, record, guide, done)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @stage.command(name="history")
    async def history(self, interaction: discord.Interaction) -> None:
        """See how your career stage changed over time in this server."""
        changes = self.store.history(_guild_id(interaction), interaction.user.id)
        titles = ui.titles_of(self.runtime.content())
        await interaction.response.send_message(embed=cards.history_embed(changes, titles), ephemeral=True)

    @stage.command(name="next")
    async def next_(self, interaction: discord.Interaction) -> None:
        """What to focus on at your stage, your checklist, and what to read next."""
        await ui.send_next(interaction, mentor_of(interaction))

    @stage.command(name="quiz")
    async def quiz(self, interaction: discord.Interaction) -> None:
        """Not sure where you are? Answer a few questions and get a suggested stage."""
        current = self.store.current(_guild_id(interaction), interaction.user.id)
        embed, view = stage_quiz.quiz_message(interaction.user.id, self.runtime.content(), "", current)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @stage.command(name="visibility")
    @app_commands.describe(visible="Let other members of this server see your stage with /stage show")
    async def visibility(self, interaction: discord.Interaction, visible: bool) -> None:
        """Choose whether other members of this server may see your stage (private by default)."""
        self.store.set_visible(_guild_id(interaction), interaction.user.id, visible)
        text = (
            "Others in this server can now see your stage with `/stage show`."
            if visible
            else "Your stage is private again: only you can see it."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @stage.command(name="stats")
    @moderator_only()
    async def stats(self, interaction: discord.Interaction) -> None:
        """Moderators: how this server's members spread along the path, and recent changes."""
        guild_id = _guild_id(interaction)
        since = iso(self.clock.now() - timedelta(days=STATS_DAYS))
        stats = self.store.stats(guild_id, since)
        guild_name = interaction.guild.name if interaction.guild else "this server"
        embed = cards.stats_embed(
            discord.utils.escape_markdown(guild_name),
            stats,
            ui.titles_of(self.runtime.content()),
            STATS_DAYS,
            self.runtime.role_problems.get(guild_id),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    """Add the cog with the services it uses, and the persistent checklist and quiz buttons."""
    bot.add_dynamic_items(*ui.DYNAMIC_ITEMS, *stage_quiz.DYNAMIC_ITEMS)
    cog = Stages(store=bot.storage.stages, library=bot.library, clock=bot.clock)
    with contextlib.suppress(UserError):  # logged by content(); /stage commands explain it to members
        cog.runtime.content()  # load now, so a broken stages.toml shows in the log at start-up
    await bot.add_cog(cog)
