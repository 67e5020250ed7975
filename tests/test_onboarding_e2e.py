"""A server's first moments, end to end: one welcome on a real join, in the right channel, never twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import discord
import pytest

from bot.clock import ManualClock
from bot.knowledge.library import Library
from bot.storage import Storage
from tests.conftest import Mentor, embeds_of, mentor_config, start_mentor
from tests.discord_double import DiscordDouble
from tests.discord_double.bot_fixtures import eventually
from tests.discord_double.gateway import INTENT_GUILDS
from tests.discord_double.models import Guild

SEND = discord.Permissions(send_messages=True).value
EMBED = discord.Permissions(embed_links=True).value


def build_guild(double: DiscordDouble, name: str, channels: tuple[str, ...]) -> Guild:
    """A server with its channels, not yet announced to the bot (Discord sends it whole on a join)."""
    guild = double.state.add_guild(name, None)
    for channel in channels:
        double.state.add_channel(guild.id, channel)
    return guild


def invite(double: DiscordDouble, guild: Guild) -> None:
    """The bot is added to a server (again): GUILD_CREATE without `unavailable`, i.e. on_guild_join."""
    double.state.guilds[guild.id] = guild
    for channel in guild.channels.values():
        double.state.channels[channel.id] = channel

    def joined(session: Any) -> dict[str, Any]:
        data = double.gateway.guild_create(session, guild.id)
        data.pop("unavailable", None)
        return data

    double.gateway.dispatch("GUILD_CREATE", guild_id=guild.id, intent=INTENT_GUILDS, transform=joined)


def channel_named(guild: Guild, name: str) -> int:
    return next(c.id for c in guild.channels.values() if c.name == name)


def welcomes(double: DiscordDouble, guild: Guild) -> list[tuple[int, dict[str, Any]]]:
    """(channel id, message) of every welcome posted in the server."""
    return [
        (channel_id, message)
        for channel_id in guild.channels
        for message in double.messages(channel_id)
        if embeds_of(message) and embeds_of(message)[0]["title"] == "Thanks for adding Studio Mentor"
    ]


async def settle(mentor: Mentor) -> None:
    """Let the gateway events reach the bot and its listeners run."""
    await asyncio.sleep(0.15)


async def test_a_new_server_gets_one_welcome_in_its_system_channel(mentor: Mentor) -> None:
    """A join posts one welcome in the system channel: what the bot does, /mentor setup, how to start; no ping."""
    double = mentor.double
    guild = build_guild(double, "Beats", ("lobby", "announcements"))
    guild.system_channel_id = channel_named(guild, "announcements")
    invite(double, guild)
    await eventually(lambda: welcomes(double, guild))
    [(channel_id, message)] = welcomes(double, guild)
    assert channel_id == guild.system_channel_id
    text = embeds_of(message)[0]["description"]
    assert "/mentor setup" in text and "`/ask`" in text and "`/stage set`" in text
    assert mentor.bot.library.index.kb.article in text
    [sent] = [
        r for r in double.requests if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]
    assert sent.json["allowed_mentions"] == {"parse": []}
    assert mentor.storage.guilds.welcomed_at(guild.id) == mentor.storage.core.now()


async def test_a_closed_system_channel_falls_back_to_the_first_channel_the_bot_may_write_in(
    mentor: Mentor,
) -> None:
    """System channel denies Send, the first channel denies Embed Links: the welcome goes to the next one."""
    double = mentor.double
    guild = build_guild(double, "Beats", ("rules", "welcome", "chat"))
    system, rules = channel_named(guild, "chat"), channel_named(guild, "rules")
    guild.system_channel_id = system
    bot_id = double.state.bot_user.id
    for channel_id, deny in ((system, SEND), (rules, EMBED)):
        guild.channels[channel_id].permission_overwrites = [
            {"id": str(bot_id), "type": 1, "allow": "0", "deny": str(deny)}
        ]
    invite(double, guild)
    await eventually(lambda: welcomes(double, guild))
    assert [c for c, _ in welcomes(double, guild)] == [channel_named(guild, "welcome")]
    statuses = [r.status for r in double.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert all(s < 400 for s in statuses), "the bot tried a channel it may not write in"


async def test_no_channel_to_write_in_means_no_welcome_and_a_log_line(
    mentor: Mentor, caplog: pytest.LogCaptureFixture
) -> None:
    """With nowhere to write, nothing is sent (no 403s piling up) and the log says why."""
    double = mentor.double
    guild = build_guild(double, "Quiet", ("only",))
    guild.roles[guild.id].permissions &= ~SEND  # @everyone may not send anywhere
    before = double.invalid_request_count
    with caplog.at_level(logging.INFO, logger="bot.cogs.onboarding"):
        invite(double, guild)
        await eventually(lambda: "no welcome was posted" in caplog.text)
    assert welcomes(double, guild) == []
    assert double.invalid_request_count == before
    assert mentor.storage.guilds.welcomed_at(guild.id) is not None  # tried once: a later join stays quiet


async def test_reconnects_never_welcome_a_server_the_bot_was_already_in(mentor: Mentor) -> None:
    """RESUME and a fresh IDENTIFY re-announce servers without a join: no welcome for Studio."""
    double, studio = mentor.double, mentor.studio

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py's documented hook; its default sleeps 5 s before every re-IDENTIFY."""

    mentor.bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    await double.close_gateway(4000)
    await eventually(lambda: double.resume_count == 1)
    double.invalidate_session(resumable=False)
    await eventually(lambda: double.identify_count == 2)
    await double.wait_until_connected()
    await eventually(mentor.bot.is_ready)
    await asyncio.sleep(0.2)
    assert welcomes(double, studio.guild) == []
    assert mentor.storage.guilds.welcomed_at(studio.guild.id) is None


async def test_no_second_welcome_after_a_restart_and_a_reinvite_within_a_day(
    discord_double: DiscordDouble, studio, tmp_path, shipped_index
) -> None:  # type: ignore[no-untyped-def]
    """Welcomed, restarted, kicked and invited back an hour later: still one welcome."""
    config = mentor_config(discord_double, studio, tmp_path / "m.db")
    clock = ManualClock()
    guild = build_guild(discord_double, "Beats", ("lobby",))
    library = Library(index=shipped_index)
    for restart in range(2):
        storage = Storage(config.bot.database, clock=clock)
        bot, task = await start_mentor(config, storage, library, discord_double.token, clock)
        try:
            if restart == 0:
                invite(discord_double, guild)
                await eventually(lambda: welcomes(discord_double, guild))
            else:
                discord_double.remove_guild(guild.id)
                await eventually(lambda s=storage: s.guilds.removed_at(guild.id) is not None)
                clock.advance(timedelta(hours=1))
                invite(discord_double, guild)
                await eventually(lambda b=bot: b.get_guild(guild.id) is not None)
                await asyncio.sleep(0.15)
        finally:
            await bot.close()
            await asyncio.wait_for(task, 5)
            storage.close()
    assert len(welcomes(discord_double, guild)) == 1


async def test_a_server_forgotten_by_the_retention_rule_is_welcomed_as_new(
    mentor: Mentor, caplog: pytest.LogCaptureFixture
) -> None:
    """Leaving logs a line; once the removed-server rule deleted its rows, coming back is a first meeting."""
    double, storage = mentor.double, mentor.storage
    guild = build_guild(double, "Beats", ("lobby",))
    invite(double, guild)
    await eventually(lambda: len(welcomes(double, guild)) == 1)
    with caplog.at_level(logging.INFO, logger="bot.cogs.onboarding"):
        double.remove_guild(guild.id)
        await eventually(lambda: f"left server Beats ({guild.id})" in caplog.text)
    await eventually(lambda: storage.guilds.removed_at(guild.id) is not None)
    mentor.clock.advance(timedelta(days=mentor.config.privacy.removed_server_days, hours=1))
    housekeeping = mentor.bot.get_cog("Housekeeping")  # a fresh module per bot: no isinstance
    assert guild.id in housekeeping.sweep().forgotten_guilds  # type: ignore[union-attr]
    assert storage.guilds.welcomed_at(guild.id) is None
    invite(double, guild)
    await eventually(lambda: len(welcomes(double, guild)) == 2)
