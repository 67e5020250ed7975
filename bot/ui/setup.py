"""/mentor setup: a guided, ephemeral walk through a server's settings, one step per message edit.

Every choice is saved the moment it is made (so closing the wizard halfway keeps what was chosen), and every
step reads the current values back from storage, so re-running it shows what is set now. Each step checks
the bot's own permissions for what was chosen (from the gateway cache: no request) and says what is missing.
Components are persistent DynamicItems; the custom_id only names the step, and every click checks again that
the member is a moderator of the interaction's own server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from enum import StrEnum
from typing import Any

import discord

from bot.app import MentorBot
from bot.checks import NOT_MODERATOR, is_moderator
from bot.slots import ALL_DAYS, COMMON_ZONES, parse_timezone
from bot.stages import LADDER
from bot.ui import ids
from bot.ui.base import MentorItem, mentor_of
from bot.ui.limits import BRAND_COLOUR, EMBED_FIELD_VALUE_MAX, SELECT_OPTIONS_MAX, clip
from bot.ui.replies import UserError, report_failure

OK, WARN = "✅", "⚠️"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_PROMPT_TIME = time(18, 0)
STAGES_PER_PAGE = 3  # three role selects + the navigation row stay under Discord's five rows
HELP_CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links", "read_message_history")
LEARNING_CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links", "create_public_threads")


class Step(StrEnum):
    """The wizard's steps, in order."""

    CHANNELS = "channels"
    MODROLE = "modrole"
    TIMEZONE = "timezone"
    LEARNING = "learning"
    STAGES = "stages"
    SUMMARY = "summary"


TITLES = {
    Step.CHANNELS: "Help channels",
    Step.MODROLE: "Moderator role",
    Step.TIMEZONE: "Time zone",
    Step.LEARNING: "Learning prompts",
    Step.STAGES: "Stage roles",
    Step.SUMMARY: "Summary",
}
STAGE_PAGES = (len(LADDER) + STAGES_PER_PAGE - 1) // STAGES_PER_PAGE
PAGES: tuple[tuple[Step, int], ...] = (
    (Step.CHANNELS, 0),
    (Step.MODROLE, 0),
    (Step.TIMEZONE, 0),
    (Step.LEARNING, 0),
    *((Step.STAGES, p) for p in range(STAGE_PAGES)),
    (Step.SUMMARY, 0),
)


def _label(permission: str) -> str:
    return permission.replace("_", " ").title()  # "embed_links" -> "Embed Links", as Discord names it


def channel_problems(channel: discord.abc.GuildChannel | None, needs: tuple[str, ...]) -> list[str]:
    """What the bot lacks in a channel, as permission names (an unknown channel is a problem too)."""
    if channel is None:
        return ["the channel no longer exists or I can't see it"]
    perms = channel.permissions_for(channel.guild.me)
    return [_label(p) for p in needs if not getattr(perms, p)]


def role_problems(role: discord.Role) -> list[str]:
    """Why the bot could not give this role to members (Manage Roles, its position, a managed role)."""
    me = role.guild.me
    problems = []
    if not me.guild_permissions.manage_roles:
        problems.append("I need the **Manage Roles** permission")
    if role >= me.top_role:
        problems.append(f"{role.mention} is not below my highest role: move my role above it")
    return problems


def _guild(interaction: discord.Interaction, bot: MentorBot) -> discord.Guild:
    if interaction.guild is None:
        raise UserError("Setup belongs to a server: run `/mentor setup` there.")
    if not is_moderator(bot, interaction):
        raise UserError(NOT_MODERATOR)
    return interaction.guild


# --- one render function per step (each adds its components to the view) --------------------------
# The component classes live in bot.ui.setup_items, which imports this module to re-render; it is imported
# at the end of this module (as `items`), so either module may be imported first.


def _channels(bot: MentorBot, guild: discord.Guild, view: discord.ui.View) -> tuple[str, list[str]]:
    chosen = bot.settings.help_channels(guild.id)
    lines = []
    for channel_id in chosen:
        missing = channel_problems(guild.get_channel(channel_id), HELP_CHANNEL_NEEDS)
        lines.append(f"{WARN if missing else OK} <#{channel_id}>" + _missing(missing))
    view.add_item(items.HelpChannelsSelect(chosen))
    text = "Where should I answer questions without being mentioned? Pick one or more channels (or none)."
    return text, lines or ["No help channels: members ask with `/ask` or by mentioning me."]


def _modrole(bot: MentorBot, guild: discord.Guild, view: discord.ui.View) -> tuple[str, list[str]]:
    role_id = bot.settings.moderator_role_id(guild.id)
    view.add_item(items.ModRoleSelect(role_id))
    view.add_item(items.NoModRoleButton())
    text = "Members with **Manage Server** are always moderators. Pick a role to add its members too."
    return text, [f"{OK} <@&{role_id}>" if role_id else "No moderator role: Manage Server only."]


def _timezone(bot: MentorBot, guild: discord.Guild, view: discord.ui.View) -> tuple[str, list[str]]:
    zone = bot.settings.timezone(guild.id)
    view.add_item(ZoneSelect(zone))
    view.add_item(TypeZoneButton())
    text = (
        "The time zone moderators' times are read in (challenge deadlines, learning prompts). Pick a common "
        "one, type any IANA name, or use `/mentor setup timezone:` which autocompletes."
    )
    return text, [f"{OK} {zone}"]


def _learning(bot: MentorBot, guild: discord.Guild, view: discord.ui.View) -> tuple[str, list[str]]:
    schedule = bot.storage.learning.channel(guild.id)
    view.add_item(items.LearningChannelSelect(schedule.channel_id if schedule else None))
    view.add_item(items.LearningTimeSelect(schedule.at if schedule else None))
    view.add_item(items.LearningDaysSelect(schedule.days if schedule else frozenset()))
    view.add_item(items.LearningOffButton())
    text = "Post a learning prompt in a channel on a schedule, with a thread for replies."
    if schedule is None:
        return text, ["Off. Pick a channel to start (every day at 18:00, in the server's time zone)."]
    missing = channel_problems(guild.get_channel(schedule.channel_id), LEARNING_CHANNEL_NEEDS)
    state = " (paused: " + (schedule.pause_reason or "by a moderator") + ")" if schedule.paused else ""
    mark = WARN if missing or schedule.paused else OK
    when = f"{describe_days(schedule.days)} at {schedule.at.strftime('%H:%M')} {schedule.tz}"
    return text, [f"{mark} <#{schedule.channel_id}>, {when}{state}" + _missing(missing)]


def _stages(bot: MentorBot, guild: discord.Guild, view: discord.ui.View, page: int) -> tuple[str, list[str]]:
    roles = bot.storage.stages.roles(guild.id)
    lines = []
    for stage in LADDER[page * STAGES_PER_PAGE : (page + 1) * STAGES_PER_PAGE]:
        role = guild.get_role(roles[stage.value]) if stage.value in roles else None
        view.add_item(items.StageRoleSelect(stage, role.id if role else None))
        if role is None:
            lines.append(f"{stage.label}: none")
        else:
            problems = role_problems(role)
            lines.append(f"{WARN if problems else OK} {stage.label}: {role.mention}" + _problems(problems))
    text = (
        "A role members get when they `/stage set` a stage (and lose when they move on). Leave a stage "
        f"empty for none. Page {page + 1} of {STAGE_PAGES}."
    )
    return text, lines


def summary_lines(bot: MentorBot, guild: discord.Guild) -> dict[Step, str]:
    """What is now active, step by step (the summary's fields)."""
    out: dict[Step, str] = {}
    for step, render in ((Step.CHANNELS, _channels), (Step.MODROLE, _modrole), (Step.TIMEZONE, _timezone)):
        out[step] = "\n".join(render(bot, guild, discord.ui.View())[1])
    out[Step.LEARNING] = "\n".join(_learning(bot, guild, discord.ui.View())[1])
    stage_lines: list[str] = []
    for page in range(STAGE_PAGES):
        stage_lines += _stages(bot, guild, discord.ui.View(), page)[1]
    out[Step.STAGES] = "\n".join(stage_lines)
    return out


def render(
    bot: MentorBot, guild: discord.Guild, step: Step, page: int = 0, notes: list[str] | None = None
) -> tuple[discord.Embed, discord.ui.View]:
    """The wizard at one step: what it asks, the current values with their problems, and its components."""
    view = discord.ui.View(timeout=None)
    embed = discord.Embed(colour=BRAND_COLOUR)
    index = PAGES.index((step, page))
    if step is Step.SUMMARY:
        embed.title = "Studio Mentor setup · summary"
        embed.description = "This is what is active now. Change any step with the buttons below."
        for key, value in summary_lines(bot, guild).items():
            embed.add_field(name=TITLES[key], value=clip(value, EMBED_FIELD_VALUE_MAX), inline=False)
        for key in TITLES:
            if key is not Step.SUMMARY:
                view.add_item(items.GoButton(key, 0, TITLES[key], row=0))
    else:
        renderers: dict[Step, Callable[..., tuple[str, list[str]]]] = {
            Step.CHANNELS: _channels,
            Step.MODROLE: _modrole,
            Step.TIMEZONE: _timezone,
            Step.LEARNING: _learning,
        }
        if step is Step.STAGES:
            text, lines = _stages(bot, guild, view, page)
        else:
            text, lines = renderers[step](bot, guild, view)
        embed.title = f"Studio Mentor setup · {index + 1}/{len(PAGES) - 1} · {TITLES[step]}"
        embed.description = text
        embed.add_field(name="Now", value=clip("\n".join(lines), EMBED_FIELD_VALUE_MAX), inline=False)
        if index > 0:
            view.add_item(items.GoButton(*PAGES[index - 1], "Back", row=4))
        view.add_item(items.GoButton(*PAGES[index + 1], "Next", row=4, primary=True))
        if PAGES[index + 1][0] is not Step.SUMMARY:
            view.add_item(items.GoButton(Step.SUMMARY, 0, "Finish", row=4))
    if notes:
        embed.add_field(name="Just now", value=clip("\n".join(notes), EMBED_FIELD_VALUE_MAX), inline=False)
    return embed, view


def describe_days(days: frozenset[int]) -> str:
    """ "every day", "weekdays", or "Monday, Wednesday"."""
    if days == ALL_DAYS:
        return "every day"
    if days == frozenset(range(1, 6)):
        return "weekdays"
    return ", ".join(DAY_NAMES[d - 1] for d in sorted(days))


def _missing(permissions: list[str]) -> str:
    return f": I'm missing **{', '.join(permissions)}** there" if permissions else ""


def _problems(problems: list[str]) -> str:
    return f": {'; '.join(problems)}" if problems else ""


async def show(
    interaction: discord.Interaction,
    bot: MentorBot,
    step: Step,
    page: int = 0,
    notes: list[str] | None = None,
) -> None:
    """Re-render the wizard in place after a component (or a modal opened from it)."""
    embed, view = render(bot, _guild(interaction, bot), step, page, notes)
    await interaction.response.edit_message(embed=embed, view=view)


# --- the time zone step's components (here rather than in setup_items, to keep both modules small) ---


def save_timezone(bot: MentorBot, guild_id: int, name: str) -> str:
    """Validate and save the server's time zone; UserError with suggestions for an unknown name."""
    try:
        zone = parse_timezone(name).key
    except ValueError as error:
        raise UserError(str(error)[:1].upper() + str(error)[1:] + ".") from None
    bot.storage.settings.update(guild_id, timezone=zone)
    return zone


class ZoneSelect(MentorItem[discord.ui.Select[Any]], template=rf"{ids.SETUP}:tz"):
    """Common time zones, one click each."""

    def __init__(self, current: str = "") -> None:
        zones = list(COMMON_ZONES[:SELECT_OPTIONS_MAX])
        if current and current not in zones:
            zones[-1] = current
        options = [discord.SelectOption(label=z, value=z, default=z == current) for z in zones]
        super().__init__(
            discord.ui.Select(custom_id=f"{ids.SETUP}:tz", placeholder="Time zone", options=options, row=0)
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ZoneSelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Save the picked zone."""
        guild = _guild(interaction, bot)
        zone = save_timezone(bot, guild.id, (self.item.values or ["UTC"])[0])
        await show(interaction, bot, Step.TIMEZONE, notes=[f"Saved: {zone}."])


class ZoneForm(discord.ui.Modal, title="Server time zone"):
    """Type any IANA zone; a typo gets the closest spellings."""

    zone: discord.ui.TextInput[ZoneForm] = discord.ui.TextInput(
        label="Time zone (IANA name)",
        placeholder="Europe/Berlin",
        max_length=64,
        custom_id=f"{ids.SETUP}:tzform:zone",
    )

    def __init__(self) -> None:
        super().__init__(custom_id=f"{ids.SETUP}:tzform")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Save it, and show the step again."""
        bot = mentor_of(interaction)
        guild = _guild(interaction, bot)
        zone = save_timezone(bot, guild.id, self.zone.value)
        await show(interaction, bot, Step.TIMEZONE, notes=[f"Saved: {zone}."])

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """Answer the moderator whatever went wrong (the shared error path)."""
        await report_failure(interaction, error, f"modal {self.custom_id}")


class TypeZoneButton(MentorItem[discord.ui.Button[Any]], template=rf"{ids.SETUP}:tz:type"):
    """Open the form to type a zone that is not in the list."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(label="Type another zone…", custom_id=f"{ids.SETUP}:tz:type", row=4)
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> TypeZoneButton:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Open the form (a modal must be the first answer to the click)."""
        _guild(interaction, bot)
        await interaction.response.send_modal(ZoneForm())


from bot.ui import setup_items as items  # noqa: E402  (a cycle: the items re-render through here)
