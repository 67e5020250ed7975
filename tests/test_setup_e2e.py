"""/mentor setup end to end: every step through its selects and buttons, permission findings, re-runs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.app import apply_endpoints
from bot.clock import ManualClock
from bot.config import Config
from bot.knowledge import SearchIndex
from bot.knowledge.library import Library
from bot.storage import Storage
from bot.storage.schedules import channel_schedule_key
from tests.conftest import EPHEMERAL, Mentor, embeds_of, mentor_config, start_mentor
from tests.discord_double import DiscordDouble
from tests.discord_double.studio import Studio

MANAGE_ROLES = discord.Permissions(manage_roles=True).value
SEND = discord.Permissions(send_messages=True).value
THREADS = discord.Permissions(create_public_threads=True).value


@contextlib.asynccontextmanager
async def own_mentor(
    double: DiscordDouble, studio: Studio, tmp_path: Path, index: SearchIndex
) -> AsyncIterator[Mentor]:
    """A bot started after the test arranged the server (its own roles arrive with GUILD_CREATE)."""
    config = mentor_config(double, studio, tmp_path / "m.db")
    clock = ManualClock()
    storage = Storage(config.bot.database, clock=clock)
    bot, task = await start_mentor(config, storage, Library(index=index), double.token, clock)
    try:
        yield Mentor(bot, double, studio, storage, config, clock)
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
        storage.close()
        apply_endpoints(Config())


async def start(mentor: Mentor, user_id: int | None = None, **options: Any) -> Any:
    s = mentor.studio
    inter = await mentor.double.slash_command(
        s.guild.id, s.general.id, user_id or s.mo.id, "mentor setup", options, enforce_permissions=False
    )
    await inter.response
    return inter


def now_field(body: dict[str, Any], name: str = "Now") -> str:
    return next(f["value"] for f in embeds_of(body)[0]["fields"] if f["name"] == name)


def notes(body: dict[str, Any]) -> str:
    return now_field(body, "Just now")


async def pick(mentor: Mentor, inter: Any, custom_id: str, values: list[Any]) -> dict[str, Any]:
    done = await mentor.double.select(inter.message, custom_id, values, mentor.studio.mo.id)
    return await done.response


async def click(mentor: Mentor, inter: Any, custom_id: str) -> dict[str, Any]:
    done = await mentor.double.click(inter.message, custom_id, mentor.studio.mo.id)
    return await done.response


async def goto(mentor: Mentor, inter: Any, step: str) -> dict[str, Any]:
    """Jump to a step the way a moderator would: Finish, then that step's button on the summary."""
    await click(mentor, inter, "sm:setup:go:summary:0")
    return await click(mentor, inter, f"sm:setup:go:{step}:0")


async def test_the_whole_wizard_saves_every_step_and_ends_on_a_summary(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> None:
    """Help channel, moderator role, zone, prompt channel/time/days and stage roles, then the summary."""
    explorers = discord_double.add_role(studio.guild.id, name="Explorers")
    discord_double.give_bot_role(studio.guild.id, MANAGE_ROLES)  # above Explorers, before the bot connects
    async with own_mentor(discord_double, studio, tmp_path, shipped_index) as mentor:
        await walk_the_wizard(mentor, explorers.id)


async def walk_the_wizard(mentor: Mentor, explorers: int) -> None:
    s, storage = mentor.studio, mentor.storage
    inter = await start(mentor)
    first = await inter.response
    assert first["data"]["flags"] & EPHEMERAL
    assert "1/6 · Help channels" in embeds_of(first)[0]["title"]
    body = await pick(mentor, inter, "sm:setup:channels", [s.help.id])
    assert storage.settings.get(s.guild.id).help_channel_ids == (s.help.id,)
    assert f"✅ <#{s.help.id}>" in now_field(body)
    assert "Help channels" in embeds_of(body)[0]["title"]

    body = await click(mentor, inter, "sm:setup:go:modrole:0")
    body = await pick(mentor, inter, "sm:setup:modrole", [s.mods.id])
    assert storage.settings.get(s.guild.id).moderator_role_id == s.mods.id
    assert body["data"]["allowed_mentions"] == {"parse": []}  # the role is shown, never pinged

    await click(mentor, inter, "sm:setup:go:timezone:0")
    body = await pick(mentor, inter, "sm:setup:tz", ["Europe/Berlin"])
    assert storage.settings.get(s.guild.id).timezone == "Europe/Berlin"

    await click(mentor, inter, "sm:setup:go:learning:0")
    body = await pick(mentor, inter, "sm:setup:learn:channel", [s.general.id])
    schedule = storage.learning.channel(s.guild.id)
    assert schedule is not None and schedule.channel_id == s.general.id and schedule.tz == "Europe/Berlin"
    await pick(mentor, inter, "sm:setup:learn:time", ["7"])
    body = await pick(mentor, inter, "sm:setup:learn:days", ["1", "3"])
    schedule = storage.learning.channel(s.guild.id)
    assert schedule is not None and schedule.at == time(7, 0) and schedule.days == frozenset({1, 3})
    assert "Monday, Wednesday at 07:00 Europe/Berlin" in now_field(body)
    planner = mentor.bot.get_cog("Learning").planner  # type: ignore[union-attr]
    key = channel_schedule_key(s.guild.id)
    due = planner.next_due(key)  # the scheduler was told, as /learning channel set tells it
    assert due is not None and due.astimezone(ZoneInfo("Europe/Berlin")).time() == time(7, 0)
    body = await click(mentor, inter, "sm:setup:learn:off")
    assert storage.learning.channel(s.guild.id) is None and planner.next_due(key) is None
    assert "Off." in now_field(body)
    await pick(mentor, inter, "sm:setup:learn:channel", [s.general.id])

    await click(mentor, inter, "sm:setup:go:stages:0")
    body = await pick(mentor, inter, "sm:setup:stage:exploring", [explorers])
    assert storage.stages.roles(s.guild.id) == {"exploring": explorers}
    assert "Saved: <@&" in notes(body)
    body = await pick(mentor, inter, "sm:setup:stage:exploring", [])
    assert storage.stages.roles(s.guild.id) == {}

    await click(mentor, inter, "sm:setup:go:stages:1")
    body = await click(mentor, inter, "sm:setup:go:summary:0")
    fields = {f["name"]: f["value"] for f in embeds_of(body)[0]["fields"]}
    assert list(fields) == ["Help channels", "Moderator role", "Time zone", "Learning prompts", "Stage roles"]
    assert f"<#{s.help.id}>" in fields["Help channels"] and "Europe/Berlin" in fields["Time zone"]
    assert "Exploring: none" in fields["Stage roles"]
    buttons = [c["custom_id"] for row in body["data"]["components"] for c in row["components"]]
    assert buttons == [
        f"sm:setup:go:{step}:0" for step in ("channels", "modrole", "timezone", "learning", "stages")
    ]


async def test_rerunning_shows_the_current_values_in_text_and_selects(mentor: Mentor) -> None:
    """A second /mentor setup starts from what is stored: the channel is listed and preselected."""
    s = mentor.studio
    mentor.storage.settings.update(s.guild.id, help_channel_ids=(s.help.id,))
    body = await (await start(mentor)).response
    assert f"<#{s.help.id}>" in now_field(body)
    select = body["data"]["components"][0]["components"][0]
    assert [(int(v["id"]), v["type"]) for v in select["default_values"]] == [(s.help.id, "channel")]


async def test_each_step_says_what_the_bot_is_missing(mentor: Mentor) -> None:
    """Send denied in a help channel, threads denied in the prompt channel, no Manage Roles, a role above mine."""
    s, double = mentor.studio, mentor.double
    bot_id = double.state.bot_user.id
    double.set_channel_overwrite(s.help.id, bot_id, deny=SEND)
    double.set_channel_overwrite(s.general.id, bot_id, deny=THREADS)
    inter = await start(mentor)
    body = await pick(mentor, inter, "sm:setup:channels", [s.help.id])
    assert "missing **Send Messages" in notes(body) and "⚠️" in now_field(body)

    await goto(mentor, inter, "learning")
    body = await pick(mentor, inter, "sm:setup:learn:channel", [s.general.id])
    assert "missing **Create Public Threads**" in notes(body)

    await goto(mentor, inter, "stages")
    body = await pick(mentor, inter, "sm:setup:stage:learning", [s.mods.id])
    assert "Manage Roles" in notes(body) and "⚠️ Learning" in now_field(body)


async def test_a_stage_role_above_the_bot_is_named(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> None:
    """With Manage Roles but below the chosen role, the step says to move the bot's role up."""
    discord_double.give_bot_role(studio.guild.id, MANAGE_ROLES, position=1)  # below Mods
    async with own_mentor(discord_double, studio, tmp_path, shipped_index) as mentor:
        inter = await start(mentor)
        await goto(mentor, inter, "stages")
        body = await pick(mentor, inter, "sm:setup:stage:learning", [studio.mods.id])
        assert "not below my highest role" in notes(body) and "Manage Roles" not in notes(body)
        assert mentor.storage.stages.roles(studio.guild.id) == {"learning": studio.mods.id}


async def test_refusals_moderator_role_everyone_and_an_unknown_zone(mentor: Mentor) -> None:
    """@everyone as moderator role is refused; a typo'd zone is refused with suggestions; nothing saved."""
    s, double = mentor.studio, mentor.double
    inter = await start(mentor)
    await click(mentor, inter, "sm:setup:go:modrole:0")
    body = await pick(mentor, inter, "sm:setup:modrole", [s.guild.id])
    assert "everyone a moderator" in body["data"]["content"] and body["data"]["flags"] & EPHEMERAL
    await click(mentor, inter, "sm:setup:go:timezone:0")
    opened = await double.click(inter.message, "sm:setup:tz:type", s.mo.id)
    assert (await opened.response)["type"] == 9  # a modal
    sent = await double.submit_modal(
        opened, "sm:setup:tzform", {"sm:setup:tzform:zone": "Europe/Berln"}, s.mo.id
    )
    reply = await sent.response
    assert "did you mean Europe/Berlin" in reply["data"]["content"]
    typed = await double.click(inter.message, "sm:setup:tz:type", s.mo.id)
    await typed.response
    sent = await double.submit_modal(
        typed, "sm:setup:tzform", {"sm:setup:tzform:zone": "asia/tokyo"}, s.mo.id
    )
    assert "Saved: Asia/Tokyo." in notes(await sent.response)
    stored = mentor.storage.settings.get(s.guild.id)
    assert stored.moderator_role_id is None and stored.timezone == "Asia/Tokyo"


async def test_timezone_option_autocompletes_and_opens_at_the_zone_step(mentor: Mentor) -> None:
    """`/mentor setup timezone:` suggests zones as you type and saves the one picked."""
    s, double = mentor.studio, mentor.double
    typed = await double.autocomplete(s.guild.id, s.general.id, s.mo.id, "mentor setup", {"timezone": "berl"})
    choices = (await typed.response)["data"]["choices"]
    assert choices[0]["value"] == "Europe/Berlin"
    body = await (await start(mentor, timezone="Europe/Berlin")).response
    assert "Time zone" in embeds_of(body)[0]["title"] and "Saved: Europe/Berlin." in notes(body)


async def test_members_cannot_run_or_click_the_wizard(mentor: Mentor) -> None:
    """alice is refused the command, and a click on a moderator's wizard changes nothing."""
    s, double = mentor.studio, mentor.double
    refused = await (await start(mentor, s.alice.id)).response
    assert "Only moderators" in refused["data"]["content"]
    inter = await start(mentor)
    clicked = await double.select(inter.message, "sm:setup:channels", [s.general.id], s.alice.id)
    assert "Only moderators" in (await clicked.response)["data"]["content"]
    assert mentor.storage.settings.get(s.guild.id).help_channel_ids is None
