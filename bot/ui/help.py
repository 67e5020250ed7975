"""/help and /about: the command list built from the command tree itself, and what the bot is and keeps.

/help never holds a hand-written list: it walks `bot.tree`, so a new command shows up (with its own
description) the moment it is registered. Areas are one per top-level command group, and one per cog for
plain top-level commands. Members see member commands; moderators see theirs too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.app import MentorBot
from bot.checks import is_moderator, requires_moderator
from bot.config import PrivacySettings
from bot.data_policy import MYDATA_FORGET, POLICIES, kept_for
from bot.ui import ids
from bot.ui.base import MentorItem
from bot.ui.limits import (
    BRAND_COLOUR,
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_FIELDS_MAX,
    EMBED_TOTAL_MAX,
    SELECT_OPTION_DESCRIPTION_MAX,
    SELECT_OPTION_LABEL_MAX,
    SELECT_OPTIONS_MAX,
    clip,
)

EVERYTHING = "*"
MODERATORS_MARK = " *(moderators)*"


@dataclass(frozen=True, slots=True)
class HelpEntry:
    """One runnable command as /help shows it."""

    name: str  # qualified: "stage set"
    description: str
    moderator: bool


@dataclass(frozen=True, slots=True)
class HelpArea:
    """A top-level command group, or a cog's plain top-level commands."""

    key: str  # the select value
    title: str
    description: str
    entries: tuple[HelpEntry, ...]


def _area_of(command: app_commands.Command[Any, ..., Any]) -> tuple[str, str, str]:
    """(key, title, description) of the area a command belongs to."""
    root: app_commands.Command[Any, ..., Any] | app_commands.Group = command
    while root.parent is not None:
        root = root.parent
    if root is not command:
        return root.name, f"/{root.name}", root.description
    cog = command.binding
    if isinstance(cog, discord.ext.commands.Cog):
        return f"cog:{cog.qualified_name}", cog.qualified_name, cog.description or ""
    return "cog:other", "Other", ""


def help_areas(tree: app_commands.CommandTree, *, moderator: bool) -> list[HelpArea]:
    """Every area with the commands this viewer may run, in tree order; empty areas left out."""
    grouped: dict[str, tuple[str, str, list[HelpEntry]]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        mod = requires_moderator(command)
        if mod and not moderator:
            continue
        key, title, description = _area_of(command)
        grouped.setdefault(key, (title, description, []))[2].append(
            HelpEntry(command.qualified_name, command.description, mod)
        )
    return [
        HelpArea(key, title, description, tuple(entries))
        for key, (title, description, entries) in grouped.items()
    ]


def _line(entry: HelpEntry) -> str:
    return f"`/{entry.name}`: {entry.description}" + (MODERATORS_MARK if entry.moderator else "")


def help_embed(areas: list[HelpArea], chosen: str = EVERYTHING) -> discord.Embed:
    """Every area as a field, or one area in full; moderator commands are marked."""
    embed = discord.Embed(title="Studio Mentor commands", colour=BRAND_COLOUR)
    picked = [a for a in areas if a.key == chosen]
    if picked:
        area = picked[0]
        embed.title = f"Studio Mentor commands · {area.title}"
        intro = f"{area.description}\n\n" if area.description else ""
        lines = "\n".join(_line(e) for e in area.entries)
        embed.description = clip(intro + lines, EMBED_DESCRIPTION_MAX)
        embed.set_footer(text="Pick “Everything” below to see every area.")
        return embed
    embed.description = "Type `/` and a command's name to use it. Pick an area below to see only that one."
    for area in areas[:EMBED_FIELDS_MAX]:
        value = "\n".join(_line(e) for e in area.entries)
        embed.add_field(name=area.title, value=clip(value, EMBED_FIELD_VALUE_MAX), inline=False)
    if len(embed) > EMBED_TOTAL_MAX:  # many commands: names only, the select shows the descriptions
        embed.clear_fields()
        for area in areas[:EMBED_FIELDS_MAX]:
            names = " ".join(f"`/{e.name}`" for e in area.entries)
            embed.add_field(name=area.title, value=clip(names, EMBED_FIELD_VALUE_MAX), inline=False)
    return embed


class HelpAreaSelect(MentorItem[discord.ui.Select[Any]], template=ids.HELP_AREA):
    """Narrow /help to one area (or back to everything); who may see what is checked again on each pick."""

    def __init__(self, areas: list[HelpArea] | None = None, chosen: str = EVERYTHING) -> None:
        options = [discord.SelectOption(label="Everything", value=EVERYTHING, default=chosen == EVERYTHING)]
        for area in (areas or [])[: SELECT_OPTIONS_MAX - 1]:
            options.append(
                discord.SelectOption(
                    label=clip(area.title, SELECT_OPTION_LABEL_MAX),
                    value=area.key,
                    description=clip(area.description, SELECT_OPTION_DESCRIPTION_MAX) or None,
                    default=area.key == chosen,
                )
            )
        super().__init__(
            discord.ui.Select(custom_id=ids.HELP_AREA, placeholder="Show one area", options=options)
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> HelpAreaSelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Show the picked area, for what this member may run now."""
        chosen = (self.item.values or [EVERYTHING])[0]
        embed, view = help_message(bot, interaction, chosen)
        await interaction.response.edit_message(embed=embed, view=view)


def help_message(
    bot: MentorBot, interaction: discord.Interaction, chosen: str = EVERYTHING
) -> tuple[discord.Embed, discord.ui.View]:
    """The /help reply for this viewer: the embed and the area picker."""
    areas = help_areas(bot.tree, moderator=is_moderator(bot, interaction))
    view = discord.ui.View(timeout=None)
    view.add_item(HelpAreaSelect(areas, chosen))
    return help_embed(areas, chosen), view


def about_embed(*, version: str, article: str, privacy: PrivacySettings) -> discord.Embed:
    """Version, source article, what the bot stores and for how long (bot/data_policy.py), and /mydata."""
    embed = discord.Embed(
        title="About Studio Mentor",
        description=(
            f"Studio Mentor {version} mentors aspiring music producers. Its answers come from the "
            f"article *{article}*; it says so when the article has no answer instead of guessing."
        ),
        colour=BRAND_COLOUR,
    )
    lines = [f"{p.name}: {p.what}. Kept {kept_for(p, privacy)}." for p in POLICIES]
    body = "\n".join(f"• {line}" for line in lines)
    chunks = _chunks(body, EMBED_FIELD_VALUE_MAX)
    for i, chunk in enumerate(chunks):
        embed.add_field(name="What I store" if i == 0 else "What I store (cont.)", value=chunk, inline=False)
    embed.add_field(
        name="Your data",
        value=(
            f"`/mydata show` shows everything I hold about you in this server, only to you; "
            f"{MYDATA_FORGET} deletes it (after you confirm)."
        ),
        inline=False,
    )
    embed.set_footer(text=f"Source: {clip(article, 200)}")
    return embed


def _chunks(text: str, limit: int) -> list[str]:
    """Split lines into field-sized pieces without cutting a line (a line longer than limit is clipped)."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (HelpAreaSelect,)
