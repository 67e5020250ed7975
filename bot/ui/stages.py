"""Career stages on Discord: the guides' source, the embeds every /stage command shows, the persistent
checklist buttons, and the one flow that changes a member's stage (from /stage set or the quiz's button).

Everything a member reads here is ephemeral: a stage is personal, and only its owner (or, if they chose,
other members through /stage show) sees it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import discord
from discord import app_commands

from bot.app import MentorBot
from bot.knowledge.library import Library
from bot.knowledge.loader import KnowledgeError
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.stage_guides import StageContent, StageGuide, load_stage_content
from bot.stages import LADDER, Stage, next_stage
from bot.storage import StageChange
from bot.storage.stages import NOTE_MAX
from bot.ui import ids
from bot.ui.answers import ShowEntryButton
from bot.ui.base import MentorItem
from bot.ui.limits import (
    BRAND_COLOUR,
    BUTTON_LABEL_MAX,
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_TITLE_MAX,
    clip,
)
from bot.ui.replies import UserError
from bot.ui.stage_roles import RoleOutcome, apply_stage_roles, plan_stage_roles

log = logging.getLogger(__name__)

BAR_WIDTH = 10
READ_MAX = 4  # entry buttons under /stage next: one row, the most useful first
NO_STAGE = "You haven't set a stage yet: pick one with `/stage set`, or take `/stage quiz` if you're unsure."
GUIDES_MISSING = "The stage guides could not be loaded. The moderators can find why in the logs."
COG_NAME = "Stages"
# The choices are part of the synced command, so they are fixed here rather than read from stages.toml;
# each names the step as the article does.
STAGE_CHOICES = [
    app_commands.Choice(name="Exploring: considering the career", value=Stage.EXPLORING.value),
    app_commands.Choice(name="Learning: education and training", value=Stage.LEARNING.value),
    app_commands.Choice(name="Intern", value=Stage.INTERN.value),
    app_commands.Choice(name="Assistant producer", value=Stage.ASSISTANT_PRODUCER.value),
    app_commands.Choice(name="Producer", value=Stage.PRODUCER.value),
]


def clean_note(text: str | None) -> str | None:
    """Trim a member's note, collapse its whitespace (newlines included) and clip it to NOTE_MAX."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return clip(cleaned, NOTE_MAX) or None


def quote(text: str) -> str:
    """Show member text as text: no markdown, and mentions that cannot resolve even if allowed."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def stamp(iso_text: str, style: str = "R") -> str:
    """A Discord timestamp (rendered in each reader's own time zone) for a stored ISO UTC instant."""
    return f"<t:{int(datetime.fromisoformat(iso_text).timestamp())}:{style}>"


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text progress bar: `▰▰▰▱▱▱▱▱▱▱ 1/3`."""
    filled = round(width * done / total) if total else 0
    return f"{'▰' * filled}{'▱' * (width - filled)} {done}/{total}"


def parse_stage_id(value: str) -> Stage:
    """Read a stage id from a command option; a stale client or crafted interaction gets a clear error."""
    try:
        return Stage(value)
    except ValueError:
        names = ", ".join(f"`{s.value}`" for s in LADDER)
        raise UserError(f"There's no stage called `{clip(value, 40)}`. Choose one of {names}.") from None


@dataclass
class StageRuntime:
    """What the stage components share with the cog: the guides (reloaded with the knowledge base) and the
    last stage-role problem per server (shown to moderators in /stage stats)."""

    library: Library
    _content: StageContent | None = None
    _kb: KnowledgeBase | None = None
    role_problems: dict[int, tuple[str, str]] = field(default_factory=dict)  # server -> (problem, when)

    def content(self) -> StageContent:
        """Return the stage guides and quiz for the current knowledge base (a broken reload keeps the old)."""
        kb = self.library.index.kb
        if kb is not self._kb:
            try:
                self._content = load_stage_content(self.library.folder, known_entries=set(kb.by_id))
            except KnowledgeError as error:
                log.error("stage guides not loaded:\n%s", "\n".join(str(p) for p in error.problems))
            self._kb = kb
        if self._content is None:
            raise UserError(GUIDES_MISSING)
        return self._content

    def guide(self, stage: Stage) -> StageGuide:
        """Return one stage's guide."""
        return self.content().guide(stage)


def runtime_of(bot: MentorBot) -> StageRuntime:
    """Return the stage runtime the Stages cog holds (components reach it through the bot)."""
    runtime = getattr(bot.get_cog(COG_NAME), "runtime", None)
    if not isinstance(runtime, StageRuntime):
        raise RuntimeError("the stages extension is not loaded")
    return runtime


def _bullets(lines: tuple[str, ...] | list[str]) -> str:
    return clip("\n".join(f"• {line}" for line in lines), EMBED_FIELD_VALUE_MAX)


# --- /stage set and the quiz's "set it" button ---------------------------------------------------------


def set_embed(guide: StageGuide, change: StageChange | None, roles: RoleOutcome) -> discord.Embed:
    """The reply to a stage change: where you are now, what to focus on, and the way to /stage next."""
    if change is None:
        head = f"You're already at **{guide.title}**: nothing changed."
    elif change.note:
        head = f"Saved: you're now at **{guide.title}**. Your note: “{quote(change.note)}”"
    else:
        head = f"Saved: you're now at **{guide.title}**."
    embed = discord.Embed(
        title=clip(f"Your stage: {guide.title}", EMBED_TITLE_MAX),
        description=clip(f"{head}\n{guide.summary}", EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    embed.add_field(name="Focus on now", value=_bullets(guide.focus), inline=False)
    if roles.lines:
        embed.add_field(name="Roles", value=clip("\n".join(roles.lines), EMBED_FIELD_VALUE_MAX), inline=False)
    embed.set_footer(text="What's next (or /stage next): your checklist and what to read.")
    return embed


async def change_stage(
    interaction: discord.Interaction, bot: MentorBot, stage: Stage, note: str | None, *, edit: bool = False
) -> None:
    """Save the member's new stage, answer with its focus, then update their stage roles.

    The stage is saved first whatever happens to the roles. Roles the bot can tell it may not change
    (Manage Roles missing, a role above its own) are named in the reply; the role calls run after the reply
    (the member never waits on them) and a refusal Discord still sends back gets a follow-up line.
    """
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        raise UserError("Stages belong to a server: use this in a server.")
    runtime = runtime_of(bot)
    guide = runtime.guide(stage)
    guild_id = interaction.guild.id
    change = bot.storage.stages.set_stage(guild_id, interaction.user.id, stage.value, clean_note(note))
    plan = plan_stage_roles(
        interaction.user, stage.value, bot.storage.stages.roles(guild_id), interaction.app_permissions
    )
    embed = set_embed(guide, change, plan.outcome)
    view = discord.ui.View(timeout=None)
    view.add_item(NextButton(interaction.user.id))
    view.stop()
    if edit:
        await interaction.response.edit_message(content=None, embed=embed, view=view)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
    failure = await apply_stage_roles(interaction.user, plan, reason=f"Studio Mentor: stage {stage.value}")
    problem = failure or plan.outcome.problem
    if problem:
        log.warning("stage roles in server %s (member %s): %s", guild_id, interaction.user.id, problem)
        runtime.role_problems[guild_id] = (problem, bot.storage.core.now())
    if failure:
        await interaction.followup.send(
            f"Your stage is saved, but I couldn't update your roles: {failure} "
            "The moderators have been told.",
            ephemeral=True,
        )


# --- /stage next and its checklist ------------------------------------------------------------------------


def next_message(
    owner_id: int, guide: StageGuide, done: set[str], kb: KnowledgeBase
) -> tuple[discord.Embed, discord.ui.View]:
    """A stage's guidance: focus, readiness for the next step, the checklist as toggles, what to read."""
    step = next_stage(guide.stage)
    embed = discord.Embed(
        title=clip(f"{guide.title}: what's next", EMBED_TITLE_MAX),
        description=clip(guide.summary, EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    embed.add_field(name="Focus on now", value=_bullets(guide.focus), inline=False)
    if step is not None:
        embed.add_field(name=f"Ready for {step.label} when", value=_bullets(guide.ready_when), inline=False)
    ticked = sum(1 for item in guide.checklist if item.id in done)
    checklist = "\n".join(
        f"{'✅' if item.id in done else '⬜'} {i}. {item.text}" for i, item in enumerate(guide.checklist, 1)
    )
    embed.add_field(
        name=f"Checklist `{bar(ticked, len(guide.checklist))}`",
        value=clip(checklist, EMBED_FIELD_VALUE_MAX),
        inline=False,
    )
    # Ids resolve through aliases (merged entries), so two ids can name one entry: show each entry once,
    # or Discord refuses the message for duplicated custom ids.
    reading = list({kb.by_id[e].id: kb.by_id[e] for e in guide.entries if e in kb.by_id}.values())
    if reading:
        embed.add_field(
            name="Read next", value=_bullets([e.title for e in reading[: READ_MAX * 2]]), inline=False
        )
    embed.set_footer(text="Tick a milestone with its button; your progress is saved.")
    view = discord.ui.View(timeout=None)
    for i, item in enumerate(guide.checklist):
        view.add_item(ChecklistButton(owner_id, item.id, number=i + 1, done=item.id in done, row=i // 5))
    for entry in reading[:READ_MAX]:
        view.add_item(ShowEntryButton(entry.id, label=clip(f"📖 {entry.title}", BUTTON_LABEL_MAX), row=2))
    view.stop()  # dispatched by custom_id (DynamicItems)
    return embed, view


class ChecklistButton(
    MentorItem[discord.ui.Button[Any]],
    template=rf"{ids.STAGE_CHECK}:(?P<owner>\d{{1,20}}):(?P<item>[a-z0-9-]{{1,60}})",
):
    """Tick or untick one checklist milestone; only the member whose checklist it is may."""

    def __init__(
        self, owner_id: int, item_id: str, *, number: int = 0, done: bool = False, row: int = 0
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=str(number) if number else item_id,
                emoji="✅" if done else "⬜",
                style=discord.ButtonStyle.success if done else discord.ButtonStyle.secondary,
                custom_id=f"{ids.STAGE_CHECK}:{owner_id}:{item_id}",
            ),
            row=row,
        )
        self.owner_id = owner_id
        self.item_id = item_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ChecklistButton:
        return cls(int(match["owner"]), match["item"])

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Toggle the milestone for the clicker (if it is theirs) and redraw the checklist."""
        if interaction.user.id != self.owner_id:
            raise UserError("This checklist belongs to someone else. Run `/stage next` to see your own.")
        if interaction.guild_id is None:
            raise UserError("Stages belong to a server: use this in a server.")
        guide = next(
            (g for g in runtime_of(bot).content().guides if any(i.id == self.item_id for i in g.checklist)),
            None,
        )
        if guide is None:
            raise UserError("That milestone no longer exists (the guides changed). Run `/stage next` again.")
        store = bot.storage.stages
        store.toggle_item(interaction.guild_id, self.owner_id, self.item_id, guide.stage.value)
        done = store.checklist_done(interaction.guild_id, self.owner_id)
        embed, view = next_message(self.owner_id, guide, done, bot.library.index.kb)
        await interaction.response.edit_message(embed=embed, view=view)


class NextButton(MentorItem[discord.ui.Button[Any]], template=rf"{ids.STAGE_NEXT}:(?P<owner>\d{{1,20}})"):
    """Under a stage change: open the guidance and checklist for the member's stage (like /stage next)."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="What's next",
                emoji="🧭",
                style=discord.ButtonStyle.primary,
                custom_id=f"{ids.STAGE_NEXT}:{owner_id}",
            )
        )
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NextButton:
        return cls(int(match["owner"]))

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Send the member's /stage next privately."""
        if interaction.user.id != self.owner_id:
            raise UserError("This button belongs to someone else. Run `/stage next` to see your own.")
        await send_next(interaction, bot)


async def send_next(interaction: discord.Interaction, bot: MentorBot) -> None:
    """Answer with the guidance and checklist for the member's current stage (ephemeral)."""
    if interaction.guild_id is None:
        raise UserError("Stages belong to a server: use this in a server.")
    store = bot.storage.stages
    current = store.current(interaction.guild_id, interaction.user.id)
    if current is None:
        raise UserError(NO_STAGE)
    guide = runtime_of(bot).guide(Stage(current))
    done = store.checklist_done(interaction.guild_id, interaction.user.id)
    embed, view = next_message(interaction.user.id, guide, done, bot.library.index.kb)
    await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


def titles_of(content: StageContent) -> dict[str, str]:
    """Stage id -> the guide's title, for lists."""
    return {g.stage.value: g.title for g in content.guides}


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ChecklistButton, NextButton)
