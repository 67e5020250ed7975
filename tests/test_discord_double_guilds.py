"""The double's guild side, driven by a bare discord.py bot: member roles and hierarchy, scheduled
events, joining and leaving guilds while connected, and Discord's global rate limit."""

from __future__ import annotations

import asyncio
import datetime as dt

import discord
import pytest

from tests.discord_double import DiscordDouble
from tests.discord_double.bot_fixtures import StartBot, bot_fixture, eventually, is_post, start_bot_fixture  # noqa: F401 (fixtures)
from tests.discord_double.echo_bot import EchoBot
from tests.discord_double.models import MANAGE_EVENTS, MANAGE_ROLES
from tests.discord_double.studio import Studio

MESSAGES = "/channels/{channel_id}/messages"


async def test_member_roles_and_hierarchy(
    start_bot: StartBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """Adding a role needs Manage Roles and a bot role above it; GUILD_MEMBER_UPDATE updates the cache."""
    beginner = discord_double.add_role(studio.guild.id, "Beginner")
    bot = await start_bot(members=True)
    guild = bot.get_guild(studio.guild.id)
    assert guild is not None
    alice = guild.get_member(studio.alice.id)
    assert alice is not None
    role = guild.get_role(beginner.id)
    assert role is not None
    with pytest.raises(discord.Forbidden) as no_role:
        await alice.add_roles(role)  # no role at all: below Beginner
    assert no_role.value.code == 50013
    discord_double.give_bot_role(studio.guild.id, 0, name="Decor")
    with pytest.raises(discord.Forbidden) as no_perm:
        await alice.add_roles(role)  # above Beginner now, but without Manage Roles
    assert no_perm.value.code == 50013
    own = discord_double.give_bot_role(studio.guild.id, MANAGE_ROLES)
    await alice.add_roles(role)
    assert discord_double.member_roles(studio.guild.id, studio.alice.id) == [beginner.id]
    await eventually(lambda: role in alice.roles)
    await alice.remove_roles(role)
    assert discord_double.member_roles(studio.guild.id, studio.alice.id) == []
    discord_double.set_role_position(studio.guild.id, beginner.id, own.position + 1)
    with pytest.raises(discord.Forbidden) as above:
        await alice.add_roles(role)
    assert above.value.code == 50013
    assert [r.status for r in discord_double.requests if r.route and r.route.endswith("{role_id}")] == [
        403,
        403,
        204,
        204,
        403,
    ]
    fetched = await guild.fetch_member(studio.alice.id)
    assert fetched.id == studio.alice.id


async def test_scheduled_events(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Create, edit, list and delete an external event; Manage Events and a future start are required."""
    guild = bot.get_guild(studio.guild.id)
    assert guild is not None
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    event_args = {
        "name": "Listening party",
        "start_time": start,
        "end_time": start + dt.timedelta(hours=1),
        "entity_type": discord.EntityType.external,
        "location": "The studio",
        "privacy_level": discord.PrivacyLevel.guild_only,
    }
    with pytest.raises(discord.Forbidden):
        await guild.create_scheduled_event(**event_args)  # type: ignore[call-overload]
    discord_double.give_bot_role(studio.guild.id, MANAGE_EVENTS)
    event = await guild.create_scheduled_event(**event_args)  # type: ignore[call-overload]
    stored = discord_double.scheduled_events(studio.guild.id)
    assert [e["name"] for e in stored] == ["Listening party"]
    assert stored[0]["entity_metadata"] == {"location": "The studio"}
    assert stored[0]["creator_id"] == str(discord_double.bot_user_id)
    edited = await event.edit(name="Mix review")
    assert (
        edited.name == "Mix review"
        and discord_double.scheduled_events(studio.guild.id)[0]["name"] == "Mix review"
    )
    assert [e.id for e in await guild.fetch_scheduled_events()] == [event.id]
    past = dict(event_args, start_time=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    with pytest.raises(discord.HTTPException) as in_past:
        await guild.create_scheduled_event(**past)  # type: ignore[call-overload]
    assert in_past.value.code == 50035 and "scheduled_start_time" in in_past.value.text
    await event.delete()
    assert discord_double.scheduled_events(studio.guild.id) == []


async def test_guild_join_and_leave(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """A guild added while connected is a join; RESUME and re-IDENTIFY are not; removal is a leave."""
    events: list[tuple[str, int]] = []

    async def on_guild_join(guild: discord.Guild) -> None:
        events.append(("join", guild.id))

    async def on_guild_available(guild: discord.Guild) -> None:
        events.append(("available", guild.id))

    async def on_guild_remove(guild: discord.Guild) -> None:
        events.append(("remove", guild.id))

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py's documented hook; its default sleeps 5 s before every re-IDENTIFY."""

    bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    for listener in (on_guild_join, on_guild_available, on_guild_remove):
        bot.add_listener(listener)
    second = discord_double.add_guild("Second")
    await eventually(lambda: events == [("join", second.id)])
    await discord_double.close_gateway(4000)
    await eventually(lambda: discord_double.resume_count == 1)
    discord_double.invalidate_session(resumable=False)
    await eventually(lambda: discord_double.identify_count == 2)
    await discord_double.wait_until_connected()
    # After a fresh IDENTIFY discord.py reports READY's guilds as available, never as joins.
    await eventually(lambda: len(events) == 3)
    assert events[0] == ("join", second.id)
    assert sorted(events[1:]) == sorted([("available", studio.guild.id), ("available", second.id)])
    discord_double.remove_guild(second.id)
    await eventually(lambda: ("remove", second.id) in events)
    assert bot.get_guild(second.id) is None
    third = discord_double.add_guild("Third")
    await eventually(lambda: bot.get_guild(third.id) is not None)
    guild = bot.get_guild(third.id)
    assert guild is not None
    await guild.leave()
    await eventually(lambda: ("remove", third.id) in events)
    assert third.id not in discord_double.state.guilds


async def test_global_rate_limit(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Over N requests per window every route answers a global 429; discord.py waits and retries."""
    channel = bot.get_channel(studio.general.id)
    assert isinstance(channel, discord.TextChannel)
    discord_double.global_rate_limit(limit=3, window=0.3)
    mark = discord_double.mark()
    sent = await asyncio.gather(*(channel.send(f"n{i}") for i in range(6)))
    assert len({m.id for m in sent}) == 6
    posts = [r for r in discord_double.requests[mark:] if is_post(MESSAGES)(r)]
    limited = [r for r in posts if r.status == 429]
    assert limited and len(posts) == 6 + len(limited)
    assert limited[0].response["global"] is True and 0 < limited[0].response["retry_after"] <= 0.3
    assert limited[0].response_headers["X-RateLimit-Global"] == "true"
    assert limited[0].response_headers["Via"]
    assert discord_double.invalid_request_count == len(limited) == discord_double.invalid_requests[429]
    discord_double.global_rate_limit(None)
    await asyncio.gather(*(channel.send(f"m{i}") for i in range(6)))
    assert discord_double.invalid_request_count == len(limited)
