"""pytest fixtures and helpers for the double's own tests: a bare discord.py bot (EchoBot plus the
demo commands) connected to the ``discord_double`` fixture.

Test modules import what they use::

    from tests.discord_double.bot_fixtures import bot_fixture, start_bot_fixture  # noqa: F401 (fixtures)
    from tests.discord_double.bot_fixtures import StartBot, eventually, is_post
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest

from .demo_commands import add_demo_commands
from .double import DiscordDouble
from .echo_bot import EchoBot, echo_intents
from .recording import RecordedRequest
from .redirect import redirect_discord_py
from .studio import Studio

MESSAGES = "/channels/{channel_id}/messages"
StartBot = Callable[..., Awaitable[EchoBot]]


@pytest.fixture(name="start_bot")
async def start_bot_fixture(discord_double: DiscordDouble, studio: Studio) -> AsyncIterator[StartBot]:
    """Start EchoBots (with the demo commands) against the double; close them and restore discord.py after.

    ``await start_bot(message_content=True, members=False, **intents)``: extra keyword arguments set
    intents by name (e.g. ``guild_scheduled_events=False``).
    """
    bots: list[tuple[EchoBot, asyncio.Task[None]]] = []
    original = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    with redirect_discord_py(discord_double.api_base, discord_double.gateway_url):

        async def start(*, message_content: bool = True, members: bool = False, **flags: bool) -> EchoBot:
            intents = echo_intents(message_content=message_content)
            intents.members = members
            for name, value in flags.items():
                setattr(intents, name, value)
            bot = EchoBot(intents=intents, sync_guild_ids=[studio.guild.id])
            add_demo_commands(bot, studio.guild.id)
            task = asyncio.create_task(bot.start(discord_double.token))
            bots.append((bot, task))
            await asyncio.wait_for(bot.ready_event.wait(), 5)
            return bot

        yield start
        for bot, task in bots:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 5)
    assert original == (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


@pytest.fixture(name="bot")
async def bot_fixture(start_bot: StartBot) -> EchoBot:
    """A connected EchoBot with the message-content intent."""
    return await start_bot()


async def eventually(check: Callable[[], Any], timeout: float = 3.0) -> None:
    """Wait until ``check()`` is truthy (for effects the bot sees, not the double)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)


def is_post(route: str) -> Callable[[RecordedRequest], bool]:
    """Predicate: a POST to ``route``."""
    return lambda r: r.method == "POST" and r.route == route
