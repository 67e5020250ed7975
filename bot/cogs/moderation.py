"""Moderator commands: /mentor settings, /kb gaps, /kb reload (each checked by `checks.moderator_only`)."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.checks import moderator_only
from bot.config import COOLDOWN_MAX
from bot.knowledge.library import Library
from bot.settings import SettingsResolver
from bot.slots import parse_timezone
from bot.storage import UNSET, QuestionLog, SettingsStore, StageStore, Unset
from bot.ui.limits import BRAND_COLOUR, EMBED_DESCRIPTION_MAX, MESSAGE_MAX, clip
from bot.ui.replies import UserError
from bot.ui.settings import settings_embed, timezone_autocomplete
from bot.ui.stages import STAGE_CHOICES, parse_stage_id

GAPS_MAX = 25
ResetChoice = Literal["help channels", "moderator role", "cooldown", "stage roles", "time zone", "everything"]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class MentorGroup(app_commands.Group, name="mentor", description="Studio Mentor server settings"):
    """/mentor: server settings."""


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class KnowledgeGroup(app_commands.Group, name="kb", description="Knowledge base tools for moderators"):
    """/kb: knowledge base tools."""


def gaps_period(days: int) -> str:
    """The period /kb gaps covers, as its footer says it."""
    return (
        f"Covers the last {days} days: older questions and votes are deleted ([privacy] question_log_days)."
    )


class Moderation(commands.Cog):
    """Settings and knowledge-base tools for a server's moderators."""

    mentor = MentorGroup()
    kb = KnowledgeGroup()

    def __init__(
        self,
        *,
        store: SettingsStore,
        settings: SettingsResolver,
        log_: QuestionLog,
        library: Library,
        retention_days: int,
        stages: StageStore,
    ) -> None:
        self.store = store
        self.retention_days = retention_days
        self.stages = stages
        self.settings_ = settings
        self.log = log_
        self.library = library

    @mentor.command(name="settings")
    @app_commands.describe(
        add_help_channel="Answer questions asked in this channel",
        remove_help_channel="Stop answering in this channel",
        moderator_role="Members with this role may use moderator commands",
        cooldown="Seconds between channel answers to the same member (0-3600)",
        timezone="The server's time zone for challenge times (IANA name, e.g. Europe/Berlin)",
        reset="Put a setting back to the bot's default",
        stage_role_for="The stage whose role to set with stage_role (alone: stop giving that stage a role)",
        stage_role="The role members get when they /stage set the stage chosen in stage_role_for",
    )
    @app_commands.choices(stage_role_for=STAGE_CHOICES)
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @moderator_only()
    async def settings(
        self,
        interaction: discord.Interaction,
        add_help_channel: discord.TextChannel | None = None,
        remove_help_channel: discord.TextChannel | None = None,
        moderator_role: discord.Role | None = None,
        cooldown: app_commands.Range[int, 0, COOLDOWN_MAX] | None = None,
        timezone: str | None = None,
        reset: ResetChoice | None = None,
        stage_role_for: str | None = None,
        stage_role: discord.Role | None = None,
    ) -> None:
        """Show or change Studio Mentor's settings for this server."""
        assert interaction.guild is not None  # guild_only
        guild_id = interaction.guild.id
        everything = reset == "everything"
        channels: tuple[int, ...] | Unset | None = None if everything or reset == "help channels" else UNSET
        role: int | Unset | None = None if everything or reset == "moderator role" else UNSET
        seconds: int | Unset | None = None if everything or reset == "cooldown" else UNSET
        zone: str | Unset | None = None if everything or reset == "time zone" else UNSET
        if timezone is not None:
            try:
                zone = parse_timezone(timezone).key
            except ValueError as error:
                raise UserError(f"Nothing changed: {error}.") from None
        if add_help_channel or remove_help_channel:
            base = list(self.settings_.help_channels(guild_id) if channels is UNSET else ())
            if add_help_channel and add_help_channel.id not in base:
                base.append(add_help_channel.id)
            if remove_help_channel and remove_help_channel.id in base:
                base.remove(remove_help_channel.id)
            channels = tuple(base)
        if moderator_role is not None:
            role = moderator_role.id
        if cooldown is not None:
            seconds = cooldown
        warning = self._stage_roles(interaction.guild, reset, stage_role_for, stage_role)  # may refuse: first
        changed = not (channels is UNSET and role is UNSET and seconds is UNSET and zone is UNSET)
        if changed:
            self.store.update(
                guild_id,
                help_channel_ids=channels,
                moderator_role_id=role,
                cooldown_seconds=seconds,
                timezone=zone,
            )
        changed = changed or warning is not None
        text = "\n".join(t for t in ("Settings saved." if changed else "", warning) if t) or None
        await interaction.response.send_message(
            text,
            embed=settings_embed(self.settings_.effective(guild_id), self.stages.roles(guild_id)),
            ephemeral=True,
        )

    def _stage_roles(
        self, guild: discord.Guild, reset: str | None, stage: str | None, role: discord.Role | None
    ) -> str | None:
        """Apply the stage-role options; return None if untouched, else "" or a warning for moderators."""
        if reset in ("stage roles", "everything"):
            self.stages.clear_roles(guild.id)
        if stage is None:
            if role is not None:
                raise UserError("Choose the stage for that role with `stage_role_for`.")
            return "" if reset in ("stage roles", "everything") else None
        chosen = parse_stage_id(stage)
        if role is None:
            self.stages.set_role(guild.id, chosen.value, None)
            return ""
        if role.is_default() or role.managed:
            raise UserError(f"{role.mention} can't be given by a bot: choose another role.")
        self.stages.set_role(guild.id, chosen.value, role.id)
        me = guild.me
        if me is not None and not me.guild_permissions.manage_roles:
            return "Note: I need the **Manage Roles** permission before I can give stage roles."
        if me is not None and role >= me.top_role:
            return f"Note: {role.mention} is above my highest role; move my role above it so I can give it."
        return ""

    @kb.command(name="gaps")
    @app_commands.describe(limit="How many to list (1-25)")
    @moderator_only()
    async def gaps(
        self, interaction: discord.Interaction, limit: app_commands.Range[int, 1, GAPS_MAX] = 10
    ) -> None:
        """List this server's most frequent unanswered or unhelpful questions."""
        assert interaction.guild is not None
        gaps = self.log.gaps(interaction.guild.id, limit=limit)
        embed = discord.Embed(title="Knowledge gaps", colour=BRAND_COLOUR)
        # Say what the list covers: older questions and votes are deleted by the retention job.
        embed.set_footer(text=gaps_period(self.retention_days))
        if not gaps:
            embed.description = (
                "Nothing yet: no declined questions or unhelpful votes in this server in the last "
                f"{self.retention_days} days."
            )
        else:
            lines = []
            for gap in gaps:
                if gap.kind == "declined":
                    lines.append(
                        f"**{gap.count}×** declined: {discord.utils.escape_markdown(clip(gap.text, 150))}"
                    )
                else:
                    lines.append(f"**{gap.count}×** not helpful: `{gap.text}`")
            embed.description = clip("\n".join(lines), EMBED_DESCRIPTION_MAX)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @kb.command(name="reload")
    @moderator_only()
    async def reload(self, interaction: discord.Interaction) -> None:
        """Re-read the knowledge base and learning prompts without restarting; a broken folder is refused."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # validation reads every file
        problems = self.library.reload()
        if problems:
            listing = "\n".join(f"- {p}" for p in problems[:20])
            more = f"\n…and {len(problems) - 20} more" if len(problems) > 20 else ""
            text = (
                f"Reload refused, the current knowledge base stays. {len(problems)} problem(s):\n"
                f"{listing}{more}"
            )
        else:
            kb = self.library.index.kb
            text = (
                f"Reloaded: {len(kb.entries)} entries in {len(kb.sections)} sections, "
                f"{len(self.library.prompts)} learning prompts."
            )
        await interaction.followup.send(clip(text, MESSAGE_MAX), ephemeral=True)


async def setup(bot: MentorBot) -> None:
    """Add the cog with the services it uses."""
    await bot.add_cog(
        Moderation(
            store=bot.storage.settings,
            settings=bot.settings,
            log_=bot.storage.questions,
            library=bot.library,
            retention_days=bot.config.privacy.question_log_days,
            stages=bot.storage.stages,
        )
    )
