"""The standard test world: the "Studio" guild with its channels, members and moderator role.

Kept apart from ``fixtures.py`` so tests can import these names without importing the pytest
plugin module itself (which pytest must import first to rewrite its asserts).
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from .double import DiscordDouble
from .models import Channel, Guild, Member, Role


@dataclass(frozen=True)
class Studio:
    """The standard test guild: channels general/help, an owner, alice, and mo the moderator."""

    double: DiscordDouble
    guild: Guild
    general: Channel
    help: Channel
    owner: Member
    alice: Member
    mo: Member
    mods: Role


def populate_studio(double: DiscordDouble) -> Studio:
    """Add the standard "Studio" guild to a double and return handles to its parts."""
    owner_user = double.add_user("owner")
    guild = double.add_guild(name="Studio", owner_id=owner_user.id)
    mods = double.add_role(guild.id, name="Mods", permissions=discord.Permissions(manage_guild=True).value)
    general = double.add_channel(guild.id, name="general")
    help_channel = double.add_channel(guild.id, name="help")
    alice = double.add_member(guild.id, username="alice")
    mo = double.add_member(guild.id, username="mo", roles=[mods.id])
    owner = guild.members[owner_user.id]
    return Studio(double, guild, general, help_channel, owner, alice, mo, mods)


def studio_of(double: DiscordDouble) -> Studio:
    """Handles to the "Studio" guild of a double built by ``populate_studio``."""
    guild = double.find_guild("Studio")
    return Studio(
        double=double,
        guild=guild,
        general=double.find_channel(guild.id, "general"),
        help=double.find_channel(guild.id, "help"),
        owner=guild.members[guild.owner_id],
        alice=double.find_member(guild.id, "alice"),
        mo=double.find_member(guild.id, "mo"),
        mods=double.find_role(guild.id, "Mods"),
    )
