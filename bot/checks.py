"""Who may do what: the moderator check every cog shares.

`default_permissions` only hides moderator commands from members by default; server admins can change that
(and Discord ignores it on subcommands), so every moderator command and component checks again here:
Manage Server, or the server's configured moderator role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.app import MentorBot
from bot.ui.base import mentor_of

T = TypeVar("T")
NOT_MODERATOR = "Only moderators can use this (Manage Server permission or the server's moderator role)."


def is_moderator(bot: MentorBot, interaction: discord.Interaction) -> bool:
    """Return True when the member may run moderator commands in this server."""
    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        return False
    if interaction.permissions.manage_guild or member.guild_permissions.manage_guild:
        return True
    role_id = bot.settings.moderator_role_id(interaction.guild.id)
    return role_id is not None and any(role.id == role_id for role in member.roles)


def moderator_only() -> Callable[[T], T]:
    """A command check that refuses members who are not moderators, with a clear message."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if is_moderator(mentor_of(interaction), interaction):
            return True
        raise app_commands.CheckFailure(NOT_MODERATOR)

    return app_commands.check(predicate)


def requires_moderator(command: app_commands.Command[Any, ..., Any]) -> bool:
    """Return True for a moderator command: it (or a group above it) is for Manage Server or moderator_only().

    /help uses this to show moderators' commands to moderators only.
    """
    node: app_commands.Command[Any, ..., Any] | app_commands.Group | None = command
    while node is not None:
        permissions = node.default_permissions
        if permissions is not None and permissions.value:
            return True
        node = node.parent
    return any(getattr(c, "__qualname__", "") == _MODERATOR_CHECK for c in command.checks)


_MODERATOR_CHECK = f"{moderator_only.__name__}.<locals>.predicate"
