"""/stage show, /stage history and /stage stats: a member's stage card, their path so far, and the
moderators' picture of the server, all as embeds (text bars, Discord timestamps, member text escaped)."""

from __future__ import annotations

import discord

from bot.knowledge.stage_guides import StageGuide
from bot.stages import LADDER
from bot.storage import MemberStage, StageChange, StageStats
from bot.ui.limits import BRAND_COLOUR, EMBED_DESCRIPTION_MAX, EMBED_FIELD_VALUE_MAX, EMBED_TITLE_MAX, clip
from bot.ui.stages import BAR_WIDTH, NO_STAGE, bar, quote, stamp


def show_embed(name: str, record: MemberStage, guide: StageGuide, done: set[str]) -> discord.Embed:
    """A member's stage card: the stage, since when, and the checklist progress."""
    embed = discord.Embed(
        title=clip(f"{name}: {guide.title}", EMBED_TITLE_MAX),
        description=clip(guide.summary, EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    if record.since:
        embed.add_field(name="Since", value=f"{stamp(record.since, 'D')} ({stamp(record.since)})")
    ticked = sum(1 for item in guide.checklist if item.id in done)
    embed.add_field(name="Checklist", value=f"`{bar(ticked, len(guide.checklist))}`")
    embed.set_footer(
        text="Visible to others in this server" if record.visible else "Private: only you see it"
    )
    return embed


def history_embed(changes: list[StageChange], titles: dict[str, str]) -> discord.Embed:
    """The member's stage changes, newest first."""
    lines = []
    for change in changes:
        to = titles.get(change.to_stage, change.to_stage)
        moved = f"{titles.get(change.from_stage, change.from_stage)} → {to}" if change.from_stage else to
        note = f" — “{quote(change.note)}”" if change.note else ""
        lines.append(f"{stamp(change.changed_at, 'd')} **{moved}**{note}")
    return discord.Embed(
        title="Your path so far",
        description=clip("\n".join(lines) or NO_STAGE, EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )


def stats_embed(
    guild_name: str,
    stats: StageStats,
    titles: dict[str, str],
    days: int,
    role_problem: tuple[str, str] | None,
) -> discord.Embed:
    """Members per stage and recent changes, as text bars."""
    total = sum(stats.members.values())
    most = max(stats.members.values(), default=0)
    width = max(len(t) for t in titles.values())
    rows = []
    for stage in LADDER:
        count = stats.members.get(stage.value, 0)
        filled = round(BAR_WIDTH * count / most) if most else 0
        rows.append(f"{titles[stage.value]:<{width}} {'█' * filled}{'░' * (BAR_WIDTH - filled)} {count}")
    embed = discord.Embed(
        title=clip(f"Career stages in {guild_name}", EMBED_TITLE_MAX),
        description=clip("```\n" + "\n".join(rows) + "\n```", EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    embed.add_field(name="Members with a stage", value=str(total))
    moved = ", ".join(
        f"{titles[s.value]} {stats.arrivals[s.value]}" for s in LADDER if stats.arrivals.get(s.value)
    )
    embed.add_field(
        name=f"Changes in the last {days} days",
        value=clip(f"{stats.changes}" + (f" (into: {moved})" if moved else ""), EMBED_FIELD_VALUE_MAX),
    )
    if role_problem:
        problem, when = role_problem
        embed.add_field(
            name="Stage roles",
            value=clip(f"Last problem {stamp(when)}: {problem}", EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    return embed
