"""Moderator commands: /mentor settings, /kb gaps, /kb reload.

`default_permissions` only hides these from members by default, and server admins can change that (and
Discord ignores it on subcommands), so every command checks again here: Manage Server, or the server's
configured moderator role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import ui
from bot.config import AnswerSettings
from bot.knowledge.library import Library
from bot.storage import GuildSettings, Storage

T = TypeVar("T")
GAPS_MAX = 25
COOLDOWN_MAX = 3600


def is_moderator(storage: Storage, interaction: discord.Interaction) -> bool:
    """Return True when the member may run moderator commands in this server."""
    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        return False
    if interaction.permissions.manage_guild or member.guild_permissions.manage_guild:
        return True
    role_id = storage.guild_settings(interaction.guild.id).moderator_role_id
    return role_id is not None and any(role.id == role_id for role in member.roles)


def moderator_only() -> Callable[[T], T]:
    """A check that refuses members who are not moderators, with a clear message."""

    async def predicate(interaction: discord.Interaction) -> bool:
        storage: Storage = interaction.client.storage  # type: ignore[attr-defined]
        if is_moderator(storage, interaction):
            return True
        raise app_commands.CheckFailure(
            "Only moderators can use this (Manage Server permission or the server's moderator role)."
        )

    return app_commands.check(predicate)


def settings_embed(settings: GuildSettings, defaults: AnswerSettings) -> discord.Embed:
    """Show a server's effective settings, marking the ones inherited from the bot's config."""
    channels = (
        settings.help_channel_ids if settings.help_channel_ids is not None else defaults.help_channel_ids
    )
    cooldown = (
        settings.cooldown_seconds if settings.cooldown_seconds is not None else defaults.cooldown_seconds
    )
    embed = discord.Embed(title="Studio Mentor settings", colour=ui.BRAND_COLOUR)
    embed.add_field(
        name="Help channels",
        value=ui.clip(" ".join(f"<#{c}>" for c in channels) or "none (mention me to ask)", 1024),
        inline=False,
    )
    role = settings.moderator_role_id
    embed.add_field(
        name="Moderator role", value=f"<@&{role}>" if role else "none (Manage Server only)", inline=False
    )
    embed.add_field(name="Answer cooldown", value=f"{cooldown} s per member", inline=False)
    return embed


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class MentorGroup(app_commands.Group, name="mentor", description="Studio Mentor server settings"):
    """/mentor: server settings."""


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class KnowledgeGroup(app_commands.Group, name="kb", description="Knowledge base tools for moderators"):
    """/kb: knowledge base tools."""


class Moderation(commands.Cog):
    """Settings and knowledge-base tools for a server's moderators."""

    mentor = MentorGroup()
    kb = KnowledgeGroup()

    def __init__(self, *, storage: Storage, library: Library, defaults: AnswerSettings) -> None:
        self.storage = storage
        self.library = library
        self.defaults = defaults

    @mentor.command(name="settings")
    @app_commands.describe(
        add_help_channel="Answer questions asked in this channel",
        remove_help_channel="Stop answering in this channel",
        moderator_role="Members with this role may use moderator commands",
        clear_moderator_role="Remove the moderator role (Manage Server only then)",
        cooldown="Seconds between channel answers to the same member (0-3600)",
    )
    @moderator_only()
    async def settings(
        self,
        interaction: discord.Interaction,
        add_help_channel: discord.TextChannel | None = None,
        remove_help_channel: discord.TextChannel | None = None,
        moderator_role: discord.Role | None = None,
        clear_moderator_role: bool = False,
        cooldown: app_commands.Range[int, 0, COOLDOWN_MAX] | None = None,
    ) -> None:
        """Show or change Studio Mentor's settings for this server."""
        assert interaction.guild is not None  # guild_only
        guild_id = interaction.guild.id
        current = self.storage.guild_settings(guild_id)
        channels: tuple[int, ...] | None = None
        if add_help_channel or remove_help_channel:
            base = list(
                current.help_channel_ids
                if current.help_channel_ids is not None
                else self.defaults.help_channel_ids
            )
            if add_help_channel and add_help_channel.id not in base:
                base.append(add_help_channel.id)
            if remove_help_channel and remove_help_channel.id in base:
                base.remove(remove_help_channel.id)
            channels = tuple(base)
        changed = (
            channels is not None or moderator_role is not None or clear_moderator_role or cooldown is not None
        )
        if changed:
            current = self.storage.update_guild_settings(
                guild_id,
                help_channel_ids=channels,
                moderator_role_id=moderator_role.id if moderator_role else None,
                clear_moderator_role=clear_moderator_role,
                cooldown_seconds=cooldown,
            )
        await interaction.response.send_message(
            "Settings saved." if changed else None,
            embed=settings_embed(current, self.defaults),
            ephemeral=True,
        )

    @kb.command(name="gaps")
    @app_commands.describe(limit="How many to list (1-25)")
    @moderator_only()
    async def gaps(
        self, interaction: discord.Interaction, limit: app_commands.Range[int, 1, GAPS_MAX] = 10
    ) -> None:
        """List this server's most frequent unanswered or unhelpful questions."""
        assert interaction.guild is not None
        gaps = self.storage.knowledge_gaps(interaction.guild.id, limit=limit)
        embed = discord.Embed(title="Knowledge gaps", colour=ui.BRAND_COLOUR)
        if not gaps:
            embed.description = "Nothing yet: no declined questions or unhelpful votes in this server."
        else:
            lines = []
            for gap in gaps:
                if gap.kind == "declined":
                    lines.append(
                        f"**{gap.count}×** declined: {discord.utils.escape_markdown(ui.clip(gap.text, 150))}"
                    )
                else:
                    lines.append(f"**{gap.count}×** not helpful: `{gap.text}`")
            embed.description = ui.clip("\n".join(lines), ui.EMBED_DESCRIPTION_MAX)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @kb.command(name="reload")
    @moderator_only()
    async def reload(self, interaction: discord.Interaction) -> None:
        """Re-read the knowledge base files without restarting; a broken one is refused."""
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
            text = f"Reloaded: {len(kb.entries)} entries in {len(kb.sections)} sections."
        await interaction.followup.send(ui.clip(text, ui.MESSAGE_MAX), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Add the cog with the services it uses."""
    await bot.add_cog(
        Moderation(storage=bot.storage, library=bot.library, defaults=bot.config.answers)  # type: ignore[attr-defined]
    )
