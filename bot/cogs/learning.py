"""/learning: continuous-learning prompts, posted to a channel on a schedule moderators set, and sent by DM
to members who subscribe, matched to their career stage.

The cog only translates: schedules are stored by `storage.learning`, planned by `bot.learning`, woken by
`bot.scheduler` and sent by `bot.delivery` through the handlers in `bot.ui.learning`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import time as dt_time
from datetime import timedelta
from typing import Literal, get_args

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.checks import moderator_only
from bot.knowledge.prompt_library import Prompt
from bot.learning import KIND_CHANNEL, KIND_DM, LearningPlanner, days_label, member_streak, recurrence_of
from bot.prompts import pick_prompt, pool_for_stage
from bot.slots import ALL_DAYS, parse_clock, parse_days, parse_timezone
from bot.stages import STAGE_VALUES, Stage
from bot.storage.schedules import ChannelSchedule, channel_schedule_key, dm_schedule_key, member_audience
from bot.ui.learning import DYNAMIC_ITEMS as LEARNING_ITEMS
from bot.ui.learning import ChannelHandler, DmHandler, missing_permissions, prompt_embed, timestamp
from bot.ui.limits import BRAND_COLOUR
from bot.ui.replies import UserError
from bot.ui.settings import timezone_autocomplete

log = logging.getLogger(__name__)
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAYS: tuple[str, ...] = get_args(Weekday)


def parse_schedule(days: str, at: str, zone: str) -> tuple[frozenset[int], dt_time, str]:
    """Validate the member's days, time and zone; UserError with the accepted formats if any is wrong."""
    try:
        parsed_days = parse_days(days)
        clock = parse_clock(at)
        tz = parse_timezone(zone).key
    except ValueError as error:
        raise UserError(str(error)[:1].upper() + str(error)[1:] + ".") from None
    return parsed_days, clock, tz


@app_commands.guild_only()
class LearningGroup(app_commands.Group, name="learning", description="Regular continuous-learning prompts"):
    """/learning: personal prompts by DM, and (moderators) a channel's prompts."""

    channel = app_commands.Group(
        name="channel",
        description="Moderators: prompts posted in a channel on a schedule",
        default_permissions=discord.Permissions(manage_guild=True),
    )


class PromptChooser:
    """Picks an audience's next prompt from the library (the planner's and /learning now's `pick`)."""

    def __init__(self, prompts: Sequence[Prompt]) -> None:
        self.prompts: tuple[Prompt, ...] = ()
        self.by_id: dict[str, Prompt] = {}  # shared with the delivery handlers: replaced in place
        self.replace(prompts)

    def replace(self, prompts: Sequence[Prompt]) -> None:
        """Use a reloaded set of prompts (/kb reload); a pending delivery of a removed one is skipped."""
        self.prompts = tuple(prompts)
        self.by_id.clear()
        self.by_id.update((p.id, p) for p in self.prompts)

    def __call__(self, audience: str, stage: str | None, used: Sequence[str]) -> str | None:
        """The next prompt of the stage's pool (every prompt for a channel, or a member with no stage)."""
        pool = pool_for_stage(self.prompts, Stage(stage) if stage in STAGE_VALUES else None)
        return pick_prompt(pool, used, key=audience).id if pool else None


class Learning(commands.Cog):
    """Scheduled learning prompts, by channel and by DM."""

    learning = LearningGroup()

    def __init__(self, bot: MentorBot, planner: LearningPlanner, chooser: PromptChooser) -> None:
        self.bot = bot
        self.store = bot.storage.learning
        self.planner = planner
        self.chooser = chooser

    def _changed_channel(self, guild_id: int) -> None:
        self.planner.changed(
            self.store.channel(guild_id), channel_schedule_key(guild_id), self.bot.clock.now()
        )
        self.bot.scheduler.poke()

    def _changed_subscription(self, guild_id: int, user_id: int) -> None:
        sub = self.store.subscription(guild_id, user_id)
        self.planner.changed(sub, dm_schedule_key(guild_id, user_id), self.bot.clock.now())
        self.bot.scheduler.poke()

    # --- channel prompts (moderators) --------------------------------------------------------------

    @learning.channel.command(name="set")
    @app_commands.describe(
        channel="Where to post the prompts",
        days="daily, weekdays, or days such as mon,wed,fri",
        time="Time of day, 24-hour, such as 18:00",
        timezone="Time zone the time is in, such as Europe/Berlin",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @moderator_only()
    async def channel_set(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        days: str,
        time: str,
        timezone: str,
    ) -> None:
        """Post a learning prompt in a channel on a schedule, with a thread for replies."""
        assert interaction.guild is not None
        parsed_days, at, tz = parse_schedule(days, time, timezone)
        missing = missing_permissions(channel)
        if missing:
            raise UserError(f"I can't post in {channel.mention}: I'm missing {', '.join(missing)} there.")
        self.store.set_channel(interaction.guild.id, channel.id, parsed_days, at, tz, interaction.user.id)
        self._changed_channel(interaction.guild.id)
        note = "Channel prompts set."
        if not channel.permissions_for(channel.guild.me).create_public_threads:
            note += " I can't open threads there (Create Public Threads), so replies go in the channel."
        await interaction.response.send_message(
            note, embed=self._channel_embed(interaction.guild.id), ephemeral=True
        )

    @learning.channel.command(name="show")
    @moderator_only()
    async def channel_show(self, interaction: discord.Interaction) -> None:
        """Show this server's channel prompt schedule and when the next one posts."""
        assert interaction.guild is not None
        await interaction.response.send_message(
            embed=self._channel_embed(interaction.guild.id), ephemeral=True
        )

    @learning.channel.command(name="pause")
    @moderator_only()
    async def channel_pause(self, interaction: discord.Interaction) -> None:
        """Stop posting channel prompts until resumed."""
        assert interaction.guild is not None
        self._require_channel(interaction.guild.id)
        self.store.pause_channel(interaction.guild.id, f"paused by {interaction.user.display_name}")
        self._changed_channel(interaction.guild.id)
        await interaction.response.send_message("Channel prompts paused.", ephemeral=True)

    @learning.channel.command(name="resume")
    @moderator_only()
    async def channel_resume(self, interaction: discord.Interaction) -> None:
        """Start posting channel prompts again (missed ones are not sent)."""
        assert interaction.guild is not None
        schedule = self._require_channel(interaction.guild.id)
        channel = interaction.guild.get_channel(schedule.channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise UserError("That channel is gone: choose another with `/learning channel set`.")
        missing = missing_permissions(channel)
        if missing:
            raise UserError(f"I still can't post in {channel.mention}: I'm missing {', '.join(missing)}.")
        self.store.resume_channel(interaction.guild.id)
        self._changed_channel(interaction.guild.id)
        await interaction.response.send_message(
            "Channel prompts resumed.", embed=self._channel_embed(interaction.guild.id), ephemeral=True
        )

    @learning.channel.command(name="remove")
    @moderator_only()
    async def channel_remove(self, interaction: discord.Interaction) -> None:
        """Stop channel prompts and forget the schedule."""
        assert interaction.guild is not None
        self._require_channel(interaction.guild.id)
        self.store.remove_channel(interaction.guild.id)
        self._changed_channel(interaction.guild.id)
        await interaction.response.send_message("Channel prompts removed.", ephemeral=True)

    def _require_channel(self, guild_id: int) -> ChannelSchedule:
        schedule = self.store.channel(guild_id)
        if schedule is None:
            raise UserError("This server has no channel prompts. Set them with `/learning channel set`.")
        return schedule

    def _channel_embed(self, guild_id: int) -> discord.Embed:
        embed = discord.Embed(title="Channel learning prompts", colour=BRAND_COLOUR)
        schedule = self.store.channel(guild_id)
        if schedule is None:
            embed.description = "None set. A moderator can start them with `/learning channel set`."
            return embed
        embed.add_field(name="Channel", value=f"<#{schedule.channel_id}>")
        embed.add_field(
            name="When", value=f"{days_label(schedule.days)} at {schedule.at:%H:%M} ({schedule.tz})"
        )
        if schedule.paused:
            embed.add_field(name="Paused", value=schedule.pause_reason or "yes", inline=False)
        else:
            due = recurrence_of(schedule).next_after(self.bot.clock.now()).due
            embed.add_field(name="Next prompt", value=timestamp(due), inline=False)
        return embed

    # --- personal prompts by DM --------------------------------------------------------------------

    @learning.command(name="subscribe")
    @app_commands.describe(
        frequency="How often you get a prompt",
        time="Time of day, 24-hour, such as 18:00",
        timezone="Your time zone, such as Europe/Berlin",
        weekday="For weekly prompts: which day (default: today)",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        frequency: Literal["daily", "weekly"],
        time: str,
        timezone: str,
        weekday: Weekday | None = None,
    ) -> None:
        """Get a learning prompt for your stage by DM, daily or weekly."""
        assert interaction.guild is not None
        _, at, tz = parse_schedule("daily", time, timezone)
        if frequency == "weekly":
            day = weekday or _WEEKDAYS[self.bot.clock.now().astimezone(parse_timezone(tz)).weekday()]
            days = frozenset({_WEEKDAYS.index(day) + 1})
        else:
            days = ALL_DAYS
        self.store.subscribe(interaction.guild.id, interaction.user.id, frequency, days, at, tz)
        self._changed_subscription(interaction.guild.id, interaction.user.id)
        await interaction.response.send_message(
            f"Subscribed: {days_label(days)} at {at:%H:%M} ({tz}). I'll send prompts by DM, so keep direct "
            "messages from this server's members on.",
            embed=self._status_embed(interaction.guild.id, interaction.user.id),
            ephemeral=True,
        )

    @learning.command(name="pause")
    async def pause(self, interaction: discord.Interaction) -> None:
        """Pause your DM prompts (your streak is kept)."""
        assert interaction.guild is not None
        self._require_subscription(interaction.guild.id, interaction.user.id)
        self.store.pause_subscription(interaction.guild.id, interaction.user.id, "paused by you")
        self._changed_subscription(interaction.guild.id, interaction.user.id)
        await interaction.response.send_message(
            "Paused. `/learning resume` starts them again.", ephemeral=True
        )

    @learning.command(name="resume")
    async def resume(self, interaction: discord.Interaction) -> None:
        """Resume your DM prompts."""
        assert interaction.guild is not None
        self._require_subscription(interaction.guild.id, interaction.user.id)
        self.store.resume_subscription(interaction.guild.id, interaction.user.id)
        self._changed_subscription(interaction.guild.id, interaction.user.id)
        await interaction.response.send_message(
            "Resumed.", embed=self._status_embed(interaction.guild.id, interaction.user.id), ephemeral=True
        )

    @learning.command(name="unsubscribe")
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        """Stop your DM prompts."""
        assert interaction.guild is not None
        self._require_subscription(interaction.guild.id, interaction.user.id)
        self.store.unsubscribe(interaction.guild.id, interaction.user.id)
        self._changed_subscription(interaction.guild.id, interaction.user.id)
        await interaction.response.send_message(
            "Unsubscribed: no more prompts by DM. `/mydata forget` also deletes their history.",
            ephemeral=True,
        )

    @learning.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Show your DM prompt schedule, when the next one arrives, and your weekly streak."""
        assert interaction.guild is not None
        embed = self._status_embed(interaction.guild.id, interaction.user.id)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @learning.command(name="now")
    async def now(self, interaction: discord.Interaction) -> None:
        """Get one learning prompt for your stage right now (only you see it)."""
        assert interaction.guild is not None
        guild_id, user_id = interaction.guild.id, interaction.user.id
        audience = member_audience(guild_id, user_id)
        stage = self.bot.storage.stages.current(guild_id, user_id)
        prompt_id = self.chooser(audience, stage, self.store.prompts_used(audience))
        if prompt_id is None:
            raise UserError("I have no prompts to offer right now.")
        self.store.record_prompt(audience, prompt_id, guild_id, user_id)
        prompt = self.chooser.by_id[prompt_id]
        entry = self.bot.library.index.kb.by_id.get(prompt.entry)
        embed = prompt_embed(prompt, entry.title if entry else None, footer="More by DM: /learning subscribe")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _require_subscription(self, guild_id: int, user_id: int) -> None:
        if self.store.subscription(guild_id, user_id) is None:
            raise UserError("You're not subscribed here. Start with `/learning subscribe`.")

    def _status_embed(self, guild_id: int, user_id: int) -> discord.Embed:
        now = self.bot.clock.now()
        embed = discord.Embed(title="Your learning prompts", colour=BRAND_COLOUR)
        sub = self.store.subscription(guild_id, user_id)
        if sub is None:
            embed.description = "Not subscribed. `/learning subscribe` sends you prompts by DM."
        else:
            embed.add_field(name="When", value=f"{days_label(sub.days)} at {sub.at:%H:%M} ({sub.tz})")
            if sub.paused:
                embed.add_field(name="Paused", value=sub.pause_reason or "yes", inline=False)
            else:
                next_due = recurrence_of(sub).next_after(now).due
                embed.add_field(name="Next prompt", value=timestamp(next_due), inline=False)
        streak = member_streak(self.store, guild_id, user_id, now)
        embed.add_field(name="Weekly streak", value=f"{streak} week{'s' if streak != 1 else ''}")
        return embed


async def setup(bot: MentorBot) -> None:
    """Load the prompts, register the planner and the delivery handlers, add the cog."""
    library = bot.library
    if library.prompt_problems:  # a custom knowledge folder without (valid) prompts: run without them
        log.warning(
            "learning prompts unavailable, scheduled prompts will be skipped: %s", library.prompt_problems[:3]
        )
    chooser = PromptChooser(library.prompts)
    library.on_reload.append(lambda reloaded: chooser.replace(reloaded.prompts))
    planner = LearningPlanner(
        bot.storage.learning,
        bot.storage.deliveries,
        grace=timedelta(hours=bot.config.learning.catch_up_hours),
        pick=chooser,
        stage_of=bot.storage.stages.current,  # the member's stage in that server (branch stages)
    )
    bot.scheduler.add_planner(planner)
    bot.deliverer.add_handler(KIND_DM, DmHandler(bot, planner, chooser.by_id))
    bot.deliverer.add_handler(KIND_CHANNEL, ChannelHandler(bot, planner, chooser.by_id))
    bot.add_dynamic_items(*LEARNING_ITEMS)
    await bot.add_cog(Learning(bot, planner, chooser))
