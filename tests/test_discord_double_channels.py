"""The double's channels side, driven by a bare discord.py bot: inbound messages of every kind, the
bot's DMs, threads, channel overwrites, edits, deletes, pins and nonce de-duplication."""

from __future__ import annotations

import discord
import pytest

from tests.discord_double import DiscordDouble
from tests.discord_double.bot_fixtures import StartBot, bot_fixture, eventually, is_post, start_bot_fixture  # noqa: F401 (fixtures)
from tests.discord_double.echo_bot import EchoBot
from tests.discord_double.models import (
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    MANAGE_THREADS,
    PIN_MESSAGES,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
)
from tests.discord_double.studio import Studio

MESSAGES = "/channels/{channel_id}/messages"


def _received(bot: EchoBot, content: str) -> discord.Message | None:
    return next((m for m in bot.received if m.content == content), None)


async def test_webhook_and_other_bot_messages(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """A webhook post carries webhook_id and a bot author without member; another bot is a bot too."""
    hooked = await discord_double.send_webhook_message(studio.general.id, "from a hook", username="Releases")
    other = discord_double.add_member(studio.guild.id, "beatbot", bot=True)
    await discord_double.send_message(studio.general.id, other.id, "from a bot")
    await eventually(lambda: _received(bot, "from a bot") is not None)
    webhook_message = _received(bot, "from a hook")
    assert webhook_message is not None and webhook_message.webhook_id == int(hooked["webhook_id"])
    assert webhook_message.author.bot and webhook_message.author.name == "Releases"
    assert not isinstance(webhook_message.author, discord.Member)
    bot_message = _received(bot, "from a bot")
    assert bot_message is not None and bot_message.author.bot and bot_message.webhook_id is None
    assert isinstance(bot_message.author, discord.Member)
    # EchoBot ignores bots, so nothing was sent back.
    assert not [r for r in discord_double.requests if is_post(MESSAGES)(r)]


async def test_dm_in_and_out(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """A user's DM arrives with no guild; the bot's DMs are recorded per recipient; closed DMs are 50007."""
    await discord_double.send_dm(studio.alice.id, "hello bot")
    reply = await discord_double.wait_for_request(is_post(MESSAGES))
    received = _received(bot, "hello bot")
    assert received is not None and received.guild is None
    assert isinstance(received.channel, discord.DMChannel)
    assert reply.status == 200 and [m["content"] for m in discord_double.dms_received(studio.alice.id)] == [
        "hello bot"
    ]
    user = await bot.fetch_user(studio.mo.id)
    dm = await user.create_dm()
    opened = next(r for r in discord_double.requests if r.route == "/users/@me/channels")
    assert opened.response["type"] == 1 and opened.response["recipients"][0]["id"] == str(studio.mo.id)
    await dm.send("your weekly prompt")
    assert [m["content"] for m in discord_double.dms_received(studio.mo.id)] == ["your weekly prompt"]
    discord_double.dm_closed(studio.mo.id)
    with pytest.raises(discord.Forbidden) as closed:
        await dm.send("again")
    assert closed.value.code == 50007 and closed.value.text == "Cannot send messages to this user"
    assert discord_double.invalid_request_count == 1


async def test_member_threads(start_bot: StartBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Threads existing at login come in GUILD_CREATE; new ones in THREAD_CREATE; messages carry the thread."""
    early = discord_double.add_thread(studio.general.id, "early", studio.alice.id)
    bot = await start_bot()
    guild = bot.get_guild(studio.guild.id)
    assert guild is not None and guild.get_thread(early.id) is not None
    started = await discord_double.send_message(studio.help.id, studio.alice.id, "my mix")
    await discord_double.wait_for_request(is_post(MESSAGES))  # the echo of "my mix", before the thread's
    late = discord_double.add_thread(
        studio.help.id, "mix notes", studio.alice.id, message_id=int(started["id"])
    )
    assert late.id == int(started["id"])  # a thread on a message shares its id, as on Discord
    await eventually(lambda: guild.get_thread(late.id) is not None)
    await discord_double.send_message(late.id, studio.alice.id, "inside")
    reply = await discord_double.wait_for_request(is_post(MESSAGES))
    assert reply.params["channel_id"] == str(late.id)
    inside = _received(bot, "inside")
    assert isinstance(inside, discord.Message) and isinstance(inside.channel, discord.Thread)
    assert inside.channel.parent_id == studio.help.id and inside.guild == guild
    assert [m["content"] for m in discord_double.messages(late.id)] == ["inside", "inside"]
    assert [t.name for t in discord_double.threads(studio.help.id)] == ["mix notes"]


async def test_bot_creates_threads(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Threads on a message and standalone ones; Create Public Threads and Send in Threads are enforced."""
    channel = bot.get_channel(studio.general.id)
    assert isinstance(channel, discord.TextChannel)
    created: list[discord.Thread] = []

    async def on_thread_create(thread: discord.Thread) -> None:
        created.append(thread)

    bot.add_listener(on_thread_create)
    start = await channel.send("challenge of the week")
    thread = await start.create_thread(name="entries")
    assert thread.id == start.id and thread.parent_id == channel.id
    assert discord_double.message(start.id)["thread"]["id"] == str(thread.id)
    await thread.send("post your entry here")
    assert [m["content"] for m in discord_double.messages(thread.id)] == ["post your entry here"]
    with pytest.raises(discord.HTTPException) as again:
        await start.create_thread(name="twice")
    assert again.value.code == 160004
    standalone = await channel.create_thread(name="loose", type=discord.ChannelType.public_thread)
    assert discord_double.thread(standalone.id).owner_id == discord_double.bot_user_id
    await eventually(lambda: len(created) == 2)
    discord_double.set_channel_overwrite(
        studio.general.id, discord_double.bot_user_id, deny=CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS
    )
    await eventually(lambda: not channel.permissions_for(channel.guild.me).create_public_threads)
    with pytest.raises(discord.Forbidden) as denied:
        await channel.create_thread(name="nope", type=discord.ChannelType.public_thread)
    assert denied.value.code == 50013
    with pytest.raises(discord.Forbidden):
        await thread.send("muted")
    await channel.send("the channel itself still works")


async def test_channel_overwrites_and_system_channel(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """Overwrites reach discord.py (permissions_for agrees) and REST enforces them: 50013, or 50001 unseen."""
    channel = bot.get_channel(studio.help.id)
    assert isinstance(channel, discord.TextChannel)
    me = channel.guild.me
    discord_double.set_channel_overwrite(studio.help.id, discord_double.bot_user_id, deny=SEND_MESSAGES)
    await eventually(lambda: not channel.permissions_for(me).send_messages)
    with pytest.raises(discord.Forbidden) as denied:
        await channel.send("x")
    assert denied.value.code == 50013 and denied.value.text == "Missing Permissions"
    discord_double.set_channel_overwrite(studio.help.id, studio.guild.id, deny=VIEW_CHANNEL)
    await eventually(lambda: not channel.permissions_for(me).view_channel)
    with pytest.raises(discord.Forbidden) as hidden:
        await channel.send("x")
    assert hidden.value.code == 50001 and hidden.value.text == "Missing Access"
    discord_double.set_channel_overwrite(studio.help.id, studio.guild.id)
    discord_double.set_channel_overwrite(studio.help.id, discord_double.bot_user_id)
    await eventually(lambda: channel.permissions_for(me).send_messages)
    await channel.send("back")
    assert discord_double.invalid_request_count == 2
    discord_double.set_system_channel(studio.guild.id, studio.general.id)
    await eventually(lambda: channel.guild.system_channel is not None)
    assert channel.guild.system_channel is not None and channel.guild.system_channel.id == studio.general.id


async def test_edit_delete_and_pins(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """The bot edits and deletes its message; pinning needs Pin Messages and lists newest first."""
    channel = bot.get_channel(studio.general.id)
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("draft")
    edited = await first.edit(content="final")
    assert edited.edited_at is not None and discord_double.message(first.id)["content"] == "final"
    with pytest.raises(discord.Forbidden):
        await first.pin()
    discord_double.give_bot_role(studio.guild.id, PIN_MESSAGES)
    second = await channel.send("rules")
    await first.pin()
    await second.pin()
    assert discord_double.message(first.id)["pinned"] is True
    assert [m.id async for m in channel.pins()] == [second.id, first.id]
    await second.unpin()
    await second.delete()
    assert [m["content"] for m in discord_double.messages(studio.general.id)] == ["final"]
    assert [m.id async for m in channel.pins()] == [first.id]


async def test_nonce_dedup_in_dms_and_threads(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """enforce_nonce answers the original message on a repeat, in DMs and threads as in channels."""
    user = await bot.fetch_user(studio.alice.id)
    dm = await user.create_dm()
    first = await dm.send("once", nonce="n-1")
    again = await dm.send("once", nonce="n-1")
    assert first.id == again.id and len(discord_double.dms_received(studio.alice.id)) == 1
    thread = discord_double.add_thread(studio.general.id, "t", studio.alice.id)
    await eventually(lambda: bot.get_channel(thread.id) is not None)
    target = bot.get_channel(thread.id)
    assert isinstance(target, discord.Thread)
    a = await target.send("once", nonce="n-1")
    b = await target.send("once", nonce="n-1")
    assert a.id == b.id != first.id and len(discord_double.messages(thread.id)) == 1


async def test_embeds_need_embed_links(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Without Embed Links a send with embeds is 403 50013 and an edit silently drops them, as on Discord."""
    channel = bot.get_channel(studio.general.id)
    assert isinstance(channel, discord.TextChannel)
    plain = await channel.send("plain")
    discord_double.set_channel_overwrite(studio.general.id, discord_double.bot_user_id, deny=EMBED_LINKS)
    await eventually(lambda: not channel.permissions_for(channel.guild.me).embed_links)
    card = discord.Embed(title="Stage 2", description="Arrangement")
    with pytest.raises(discord.Forbidden) as denied:
        await channel.send("with a card", embed=card)
    assert denied.value.code == 50013
    await plain.edit(content="edited", embed=card)
    assert discord_double.message(plain.id)["content"] == "edited"
    assert discord_double.message(plain.id)["embeds"] == []


async def test_archived_and_locked_threads(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """A send reopens an archived thread; a locked one is 400 50083 until the bot can Manage Threads."""
    thread = discord_double.add_thread(studio.general.id, "week 1", studio.alice.id)
    await eventually(lambda: bot.get_channel(thread.id) is not None)
    target = bot.get_channel(thread.id)
    assert isinstance(target, discord.Thread)
    discord_double.archive_thread(thread.id)
    await eventually(lambda: target.archived and bot.get_channel(thread.id) is None)  # discord.py drops it
    await target.send("still open?")
    assert not discord_double.thread(thread.id).archived
    await eventually(lambda: bot.get_channel(thread.id) is not None)  # THREAD_UPDATE brought it back
    discord_double.archive_thread(thread.id, locked=True)
    with pytest.raises(discord.HTTPException) as locked:
        await target.send("closed")
    assert locked.value.status == 400 and locked.value.code == 50083
    discord_double.give_bot_role(studio.guild.id, MANAGE_THREADS)
    await target.send("moderator note")
    assert [m["content"] for m in discord_double.messages(thread.id)] == ["still open?", "moderator note"]
