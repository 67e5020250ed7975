"""/mentor setup's selects and buttons: each saves one choice at once, then re-renders its step.

Persistent (DynamicItem) so an open wizard still works after a restart. A custom_id names only the step
(and a stage or a page); the server is the interaction's own, and every item checks the member is a
moderator there before changing anything.
"""

from __future__ import annotations

import logging
import re
from datetime import time
from typing import Any

import discord

from bot.app import MentorBot
from bot.slots import ALL_DAYS
from bot.stages import LADDER, Stage
from bot.storage.schedules import channel_schedule_key
from bot.ui import ids
from bot.ui.base import MentorItem
from bot.ui.replies import UserError
from bot.ui.setup import (
    DAY_NAMES,
    DEFAULT_PROMPT_TIME,
    HELP_CHANNEL_NEEDS,
    LEARNING_CHANNEL_NEEDS,
    PAGES,
    STAGES_PER_PAGE,
    Step,
    TypeZoneButton,
    ZoneSelect,
    _guild,
    channel_problems,
    role_problems,
    show,
)

log = logging.getLogger(__name__)
P = ids.SETUP
MAX_HELP_CHANNELS = 25  # a channel select's most values


def _ids(values: list[Any]) -> list[int]:
    return [int(v.id) for v in values]


class GoButton(MentorItem[discord.ui.Button[Any]], template=rf"{P}:go:(?P<step>[a-z]+):(?P<page>\d)"):
    """Move to a step (Back, Next, Finish, or a step's button on the summary)."""

    def __init__(self, step: Step, page: int, label: str, *, row: int = 4, primary: bool = False) -> None:
        style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"{P}:go:{step.value}:{page}", row=row)
        )
        self.step, self.page = step, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> GoButton:
        step, page = Step(match["step"]), int(match["page"])
        if (step, page) not in PAGES:
            raise ValueError(f"no setup page {step}:{page}")
        return cls(step, page, "")

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Show the step."""
        await show(interaction, bot, self.step, self.page)


class HelpChannelsSelect(MentorItem[discord.ui.ChannelSelect[Any]], template=rf"{P}:channels"):
    """Help channels: where questions are answered without a mention."""

    def __init__(self, chosen: tuple[int, ...] = ()) -> None:
        super().__init__(
            discord.ui.ChannelSelect(
                custom_id=f"{P}:channels",
                channel_types=[discord.ChannelType.text],
                placeholder="Help channels (none: mention or /ask only)",
                min_values=0,
                max_values=MAX_HELP_CHANNELS,
                default_values=[discord.Object(c) for c in chosen[:MAX_HELP_CHANNELS]],
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> HelpChannelsSelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Save the channels; say which ones the bot can't answer in and why."""
        guild = _guild(interaction, bot)
        chosen = _ids(self.item.values)
        bot.storage.settings.update(guild.id, help_channel_ids=tuple(chosen))
        notes = [f"Saved {len(chosen)} help channel(s)." if chosen else "Saved: no help channels."]
        for channel_id in chosen:
            missing = channel_problems(guild.get_channel(channel_id), HELP_CHANNEL_NEEDS)
            if missing:
                notes.append(f"I can't answer in <#{channel_id}> yet: I'm missing **{', '.join(missing)}**.")
        await show(interaction, bot, Step.CHANNELS, notes=notes)


class ModRoleSelect(MentorItem[discord.ui.RoleSelect[Any]], template=rf"{P}:modrole"):
    """The moderator role."""

    def __init__(self, role_id: int | None = None) -> None:
        super().__init__(
            discord.ui.RoleSelect(
                custom_id=f"{P}:modrole",
                placeholder="Moderator role",
                min_values=1,
                max_values=1,
                default_values=[discord.Object(role_id)] if role_id else [],
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ModRoleSelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Save the role; @everyone and bot-managed roles are refused."""
        guild = _guild(interaction, bot)
        role = guild.get_role(_ids(self.item.values)[0])
        if role is None or role.is_default():
            raise UserError("That would make everyone a moderator: pick another role.")
        if role.managed:
            raise UserError(f"{role.mention} belongs to a bot or an integration: pick another role.")
        bot.storage.settings.update(guild.id, moderator_role_id=role.id)
        await show(
            interaction, bot, Step.MODROLE, notes=[f"Saved: members with {role.mention} are moderators."]
        )


class NoModRoleButton(MentorItem[discord.ui.Button[Any]], template=rf"{P}:modrole:none"):
    """Go back to Manage Server only."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="No moderator role", custom_id=f"{P}:modrole:none", row=4))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NoModRoleButton:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Clear the moderator role."""
        guild = _guild(interaction, bot)
        bot.storage.settings.update(guild.id, moderator_role_id=None)
        await show(interaction, bot, Step.MODROLE, notes=["Saved: Manage Server only."])


def learning_changed(bot: MentorBot, guild_id: int) -> None:
    """Tell the learning planner the server's channel schedule changed, as /learning channel set does."""
    cog = bot.get_cog("Learning")
    planner = getattr(cog, "planner", None)
    if planner is None:  # the learning extension is not loaded: the schedule waits for its next start
        log.warning("learning prompts changed in %s without the learning extension loaded", guild_id)
        return
    planner.changed(bot.storage.learning.channel(guild_id), channel_schedule_key(guild_id), bot.clock.now())
    bot.scheduler.poke()


def _learning_notes(guild: discord.Guild, channel_id: int) -> list[str]:
    missing = channel_problems(guild.get_channel(channel_id), LEARNING_CHANNEL_NEEDS)
    if missing:
        return [
            f"Saved, but I'm missing **{', '.join(missing)}** in <#{channel_id}>: prompts can't post there."
        ]
    return ["Saved."]


class LearningChannelSelect(MentorItem[discord.ui.ChannelSelect[Any]], template=rf"{P}:learn:channel"):
    """The channel learning prompts go to (turns them on)."""

    def __init__(self, channel_id: int | None = None) -> None:
        super().__init__(
            discord.ui.ChannelSelect(
                custom_id=f"{P}:learn:channel",
                channel_types=[discord.ChannelType.text],
                placeholder="Channel for learning prompts",
                default_values=[discord.Object(channel_id)] if channel_id else [],
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LearningChannelSelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Set (or move) the schedule to this channel; a new one runs daily at 18:00 in the server's zone."""
        guild = _guild(interaction, bot)
        channel_id = _ids(self.item.values)[0]
        current = bot.storage.learning.channel(guild.id)
        days = current.days if current else ALL_DAYS
        at = current.at if current else DEFAULT_PROMPT_TIME
        tz = current.tz if current else bot.settings.timezone(guild.id)
        bot.storage.learning.set_channel(guild.id, channel_id, days, at, tz, interaction.user.id)
        learning_changed(bot, guild.id)
        await show(interaction, bot, Step.LEARNING, notes=_learning_notes(guild, channel_id))


def _schedule_or_refuse(bot: MentorBot, guild_id: int) -> Any:
    schedule = bot.storage.learning.channel(guild_id)
    if schedule is None:
        raise UserError("Pick a channel for learning prompts first.")
    return schedule


class LearningTimeSelect(MentorItem[discord.ui.Select[Any]], template=rf"{P}:learn:time"):
    """The hour prompts are posted, in the schedule's zone."""

    def __init__(self, at: time | None = None) -> None:
        options = [
            discord.SelectOption(label=f"{h:02d}:00", value=str(h), default=at == time(h, 0))
            for h in range(24)
        ]
        super().__init__(
            discord.ui.Select(custom_id=f"{P}:learn:time", placeholder="Time of day", options=options, row=1)
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LearningTimeSelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Keep the channel and days, change the time."""
        guild = _guild(interaction, bot)
        s = _schedule_or_refuse(bot, guild.id)
        at = time(int((self.item.values or ["18"])[0]) % 24, 0)
        bot.storage.learning.set_channel(guild.id, s.channel_id, s.days, at, s.tz, interaction.user.id)
        learning_changed(bot, guild.id)
        await show(interaction, bot, Step.LEARNING, notes=_learning_notes(guild, s.channel_id))


class LearningDaysSelect(MentorItem[discord.ui.Select[Any]], template=rf"{P}:learn:days"):
    """The weekdays prompts are posted on."""

    def __init__(self, days: frozenset[int] = frozenset()) -> None:
        options = [
            discord.SelectOption(label=name, value=str(i), default=i in days)
            for i, name in enumerate(DAY_NAMES, 1)
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"{P}:learn:days",
                placeholder="Days",
                options=options,
                min_values=1,
                max_values=7,
                row=2,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LearningDaysSelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Keep the channel and time, change the days."""
        guild = _guild(interaction, bot)
        s = _schedule_or_refuse(bot, guild.id)
        days = frozenset(int(v) for v in self.item.values if v.isdigit() and 1 <= int(v) <= 7) or ALL_DAYS
        bot.storage.learning.set_channel(guild.id, s.channel_id, days, s.at, s.tz, interaction.user.id)
        learning_changed(bot, guild.id)
        await show(interaction, bot, Step.LEARNING, notes=_learning_notes(guild, s.channel_id))


class LearningOffButton(MentorItem[discord.ui.Button[Any]], template=rf"{P}:learn:off"):
    """Stop channel prompts."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Turn off", custom_id=f"{P}:learn:off", row=4))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LearningOffButton:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Remove the server's channel schedule."""
        guild = _guild(interaction, bot)
        removed = bot.storage.learning.remove_channel(guild.id)
        learning_changed(bot, guild.id)
        await show(interaction, bot, Step.LEARNING, notes=["Turned off." if removed else "Already off."])


class StageRoleSelect(MentorItem[discord.ui.RoleSelect[Any]], template=rf"{P}:stage:(?P<stage>[a-z-]+)"):
    """The role for one stage; an empty pick means none."""

    def __init__(self, stage: Stage, role_id: int | None = None) -> None:
        super().__init__(
            discord.ui.RoleSelect(
                custom_id=f"{P}:stage:{stage.value}",
                placeholder=f"{stage.label}: no role",
                min_values=0,
                max_values=1,
                default_values=[discord.Object(role_id)] if role_id else [],
            )
        )
        self.stage = stage

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> StageRoleSelect:
        return cls(Stage(match["stage"]))

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Save the stage's role (or none); say if the bot can't give it."""
        guild = _guild(interaction, bot)
        page = next(p for step, p in PAGES if step is Step.STAGES and _on_page(self.stage, p))
        chosen = _ids(self.item.values)
        if not chosen:
            bot.storage.stages.set_role(guild.id, self.stage.value, None)
            await show(interaction, bot, Step.STAGES, page, [f"Saved: no role for {self.stage.label}."])
            return
        role = guild.get_role(chosen[0])
        if role is None or role.is_default() or role.managed:
            raise UserError("That role can't be given by a bot: pick another one.")
        bot.storage.stages.set_role(guild.id, self.stage.value, role.id)
        notes = _saved_role(self.stage, role)
        await show(interaction, bot, Step.STAGES, page, notes)


def _on_page(stage: Stage, page: int) -> bool:
    return LADDER.index(stage) // STAGES_PER_PAGE == page


def _saved_role(stage: Stage, role: discord.Role) -> list[str]:
    problems = role_problems(role)
    if problems:
        return [f"Saved {role.mention} for {stage.label}, but {'; '.join(problems)}."]
    return [f"Saved: {role.mention} for {stage.label}."]


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    GoButton,
    HelpChannelsSelect,
    ModRoleSelect,
    NoModRoleButton,
    ZoneSelect,
    TypeZoneButton,
    LearningChannelSelect,
    LearningTimeSelect,
    LearningDaysSelect,
    LearningOffButton,
    StageRoleSelect,
)
