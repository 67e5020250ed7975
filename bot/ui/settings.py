"""/mentor settings: the server's effective settings, marking the ones inherited from the bot's config."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.settings import EffectiveSettings
from bot.slots import timezone_choices
from bot.stages import LADDER
from bot.ui.limits import BRAND_COLOUR, EMBED_FIELD_VALUE_MAX, clip

DEFAULT_MARK = " *(default)*"


def settings_embed(settings: EffectiveSettings, stage_roles: dict[str, int] | None = None) -> discord.Embed:
    """Show a server's effective settings (and its stage roles); values from the config default are marked."""

    def mark(name: str) -> str:
        return DEFAULT_MARK if name in settings.defaults else ""

    embed = discord.Embed(title="Studio Mentor settings", colour=BRAND_COLOUR)
    channels = " ".join(f"<#{c}>" for c in settings.help_channel_ids) or "none (mention me to ask)"
    embed.add_field(
        name="Help channels",
        value=clip(channels + mark("help_channel_ids"), EMBED_FIELD_VALUE_MAX),
        inline=False,
    )
    role = settings.moderator_role_id
    embed.add_field(
        name="Moderator role", value=f"<@&{role}>" if role else "none (Manage Server only)", inline=False
    )
    embed.add_field(
        name="Answer cooldown",
        value=f"{settings.cooldown_seconds} s per member{mark('cooldown_seconds')}",
        inline=False,
    )
    embed.add_field(name="Time zone", value=f"{settings.timezone}{mark('timezone')}", inline=False)
    roles = stage_roles or {}
    listed = [f"{s.label}: <@&{roles[s.value]}>" for s in LADDER if s.value in roles]
    embed.add_field(
        name="Stage roles",
        value=clip("\n".join(listed) or "none (/stage set gives no roles)", EMBED_FIELD_VALUE_MAX),
        inline=False,
    )
    return embed


async def timezone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Suggest IANA zones as the member types: common ones first, then prefix and city matches."""
    return [app_commands.Choice(name=z, value=z) for z in timezone_choices(current)]
