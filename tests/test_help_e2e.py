"""/help and /about end to end: built from the command tree, per viewer, narrowed by a select."""

from __future__ import annotations

import re
from typing import Any

from bot import data_policy
from bot.cogs.help import package_version
from tests.conftest import EPHEMERAL, Mentor, embeds_of

SUBCOMMAND, GROUP = 1, 2


async def help_for(mentor: Mentor, user_id: int) -> tuple[Any, dict[str, Any]]:
    s = mentor.studio
    inter = await mentor.double.slash_command(s.guild.id, s.general.id, user_id, "help", {})
    return inter, await inter.response


LISTED = re.compile(r"^`/([^`]+)`:", re.M)  # a /help line: "`/stage set`: description"


def listed(embed: dict[str, Any]) -> set[str]:
    """Every command /help lists in an embed (not commands merely named inside a description)."""
    text = (embed.get("description") or "") + "\n" + "\n".join(f["value"] for f in embed.get("fields") or [])
    return set(LISTED.findall(text))


def synced_leaves(commands: list[dict[str, Any]]) -> set[str]:
    """Qualified names of every runnable command Discord received from the bot."""
    out: set[str] = set()

    def walk(prefix: str, options: list[dict[str, Any]]) -> bool:
        found = False
        for option in options:
            if option.get("type") in (SUBCOMMAND, GROUP):
                found = True
                if option["type"] == SUBCOMMAND:
                    out.add(f"{prefix} {option['name']}")
                else:
                    walk(f"{prefix} {option['name']}", option.get("options") or [])
        return found

    for command in commands:
        if not walk(command["name"], command.get("options") or []):
            out.add(command["name"])
    return out


def area_options(body: dict[str, Any]) -> list[str]:
    data = body.get("data", body)
    select = data["components"][0]["components"][0]
    return [o["value"] for o in select["options"]]


async def test_a_member_sees_member_commands_with_descriptions_and_no_moderator_ones(mentor: Mentor) -> None:
    """alice gets an ephemeral list by area: /ask, /stage set... each described; no /mentor, /kb or /stage stats."""
    _, body = await help_for(mentor, mentor.studio.alice.id)
    assert body["data"]["flags"] & EPHEMERAL
    embed = embeds_of(body)[0]
    names = listed(embed)
    assert {"ask", "topics", "stage set", "mydata show", "help", "about"} <= names
    assert not {n for n in names if n.startswith(("mentor ", "kb "))}
    assert "stage stats" not in names and "learning channel set" not in names
    ask = mentor.bot.tree.get_command("ask")
    assert ask is not None and f"`/ask`: {ask.description}" in str(embed)
    assert "mentor" not in area_options(body) and "kb" not in area_options(body)


async def test_a_moderator_also_sees_moderator_commands_marked(mentor: Mentor) -> None:
    """mo (Manage Server) sees /mentor setup, /kb gaps and /stage stats too, each marked for moderators."""
    _, body = await help_for(mentor, mentor.studio.mo.id)
    embed = embeds_of(body)[0]
    assert {"mentor settings", "kb gaps", "stage stats", "ask"} <= listed(embed)
    text = str(embed)
    assert "`/kb gaps`" in text and "*(moderators)*" in text


async def test_the_select_narrows_to_one_area_and_rechecks_who_is_looking(mentor: Mentor) -> None:
    """Picking /stage shows only stage commands; a member's pick never reveals moderator commands."""
    s, double = mentor.studio, mentor.double
    inter, _ = await help_for(mentor, s.mo.id)
    picked = await double.select(inter.message, "sm:help:area", ["stage"], s.mo.id)
    embed = embeds_of(await picked.response)[0]
    assert embed["title"].endswith("/stage")
    assert listed(embed) == {
        c.qualified_name for c in mentor.bot.tree.walk_commands() if c.qualified_name.startswith("stage ")
    }
    inter, _ = await help_for(mentor, s.alice.id)
    picked = await double.select(inter.message, "sm:help:area", ["stage"], s.alice.id)
    names = listed(embeds_of(await picked.response)[0])
    assert "stage set" in names and "stage stats" not in names


async def test_help_lists_every_command_the_bot_registers(mentor: Mentor) -> None:
    """Structural: a moderator's /help, area by area, names every command Discord received."""
    s, double = mentor.studio, mentor.double
    inter, body = await help_for(mentor, s.owner.id)
    seen = listed(embeds_of(body)[0])
    for area in area_options(body)[1:]:
        picked = await double.select(inter.message, "sm:help:area", [area], s.owner.id)
        seen |= listed(embeds_of(await picked.response)[0])
    registered = synced_leaves(double.commands(s.guild.id))
    assert {"mentor setup", "help", "about", "ask"} <= registered
    assert seen == registered


async def test_about_shows_version_source_storage_and_mydata(mentor: Mentor) -> None:
    """/about: the installed version, the article's title, every stored table with its retention, /mydata."""
    s = mentor.studio
    inter = await mentor.double.slash_command(s.guild.id, s.general.id, s.alice.id, "about", {})
    body = await inter.response
    assert body["data"]["flags"] & EPHEMERAL
    embed = embeds_of(body)[0]
    text = str(embed)
    assert package_version() in embed["description"] and package_version() != "unknown"
    assert mentor.bot.library.index.kb.article in text
    for policy in data_policy.POLICIES:
        assert policy.name in text
    assert f"Kept {mentor.config.privacy.question_log_days} days." in text
    assert "`/mydata show`" in text and "`/mydata forget`" in text
