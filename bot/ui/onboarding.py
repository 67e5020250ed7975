"""The welcome a server gets when it adds the bot: where it goes, and what it says."""

from __future__ import annotations

from collections.abc import Collection

import discord

from bot.ui.limits import BRAND_COLOUR, EMBED_DESCRIPTION_MAX, clip

# How members start, in the order the welcome lists them; a command not registered (yet) is left out.
MEMBER_STARTS: tuple[tuple[str, str], ...] = (
    ("ask", "ask a question about becoming a music producer"),
    ("stage set", "tell me where you are on the path, for answers and prompts that fit"),
    ("learning subscribe", "get a regular practice prompt"),
    ("help", "everything you can do"),
)


def can_welcome(permissions: discord.Permissions) -> bool:
    """True when the bot may post the welcome (an embed) with these channel permissions."""
    return permissions.view_channel and permissions.send_messages and permissions.embed_links


def welcome_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """The server's system channel, else its first text channel (by position) the bot may write in."""
    me = guild.me
    candidates = [guild.system_channel, *guild.text_channels]  # text_channels are sorted by position
    for channel in candidates:
        if channel is not None and can_welcome(channel.permissions_for(me)):
            return channel
    return None


def welcome_embed(article: str, commands: Collection[str]) -> discord.Embed:
    """The welcome: what the bot does, that moderators run /mentor setup, and how members start."""
    starts = [f"`/{name}`: {what}" for name, what in MEMBER_STARTS if name in commands]
    lines = [
        f"I'm Studio Mentor. I answer questions about becoming a music producer, drawn from *{article}*, "
        "and help members along the path from first steps to producer.",
        "",
        "**Moderators:** run `/mentor setup` to choose help channels, a moderator role, the server's time "
        "zone, learning prompts and stage roles. It takes a couple of minutes.",
    ]
    if starts:
        lines += ["", "**Everyone:**", *(f"• {s}" for s in starts)]
    return discord.Embed(
        title="Thanks for adding Studio Mentor",
        description=clip("\n".join(lines), EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
