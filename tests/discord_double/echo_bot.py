"""A minimal discord.py bot: echoes messages and has ``/echo``.

It is the performance floor for benchmarks (what a bare discord.py bot costs against the double)
and the client the double's own tests drive. Run it against a double from another process with
``python -m tests.discord_double.echo_bot --api-base URL --gateway-url URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import deque
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from .redirect import redirect_discord_py


def echo_intents(*, message_content: bool = True) -> discord.Intents:
    """Default intents, plus message content unless a test wants Discord's blanking."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    return intents


@app_commands.describe(text="What to repeat")
async def _echo(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text)


class EchoBot(commands.Bot):
    """Replies to every non-bot message with its content; ``/echo text`` answers with ``text``."""

    def __init__(
        self,
        *,
        intents: discord.Intents | None = None,
        sync_guild_ids: Sequence[int] = (),
        guild_ready_timeout: float = 0.05,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or echo_intents(),
            allowed_mentions=discord.AllowedMentions.none(),  # never ping what users typed
            guild_ready_timeout=guild_ready_timeout,
            **options,
        )
        self.sync_guild_ids = list(sync_guild_ids)
        self.ready_event = asyncio.Event()
        self.received: deque[discord.Message] = deque(maxlen=10_000)
        self.tree.add_command(
            app_commands.Command(name="echo", description="Repeat your text", callback=_echo)
        )

    async def setup_hook(self) -> None:
        """Sync global commands, then each configured guild's."""
        await self.tree.sync()
        for guild_id in self.sync_guild_ids:
            await self.tree.sync(guild=discord.Object(guild_id))

    async def on_ready(self) -> None:
        """Let tests and benchmarks wait for the bot without wait_until_ready's pre-login pitfall."""
        self.ready_event.set()

    async def on_message(self, message: discord.Message) -> None:
        """Echo non-bot messages; skip blanked ones (no message-content intent) instead of sending nothing."""
        self.received.append(message)
        if message.author.bot or not message.content:
            return
        await message.reply(message.content)


async def run(api_base: str, gateway_url: str, token: str) -> None:
    """Run an EchoBot against a double until cancelled."""
    with redirect_discord_py(api_base, gateway_url):
        async with EchoBot() as bot:
            await bot.start(token)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point (for benchmarks running the bot as a subprocess)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-base", default=os.environ.get("DISCORD_API_BASE"), required=False)
    parser.add_argument("--gateway-url", default=os.environ.get("DISCORD_GATEWAY_URL"), required=False)
    parser.add_argument("--token", default=os.environ.get("DISCORD_TOKEN", "test-token"))
    args = parser.parse_args(argv)
    if not args.api_base or not args.gateway_url:
        parser.error("--api-base and --gateway-url (or DISCORD_API_BASE/DISCORD_GATEWAY_URL) are required")
    asyncio.run(run(args.api_base, args.gateway_url, args.token))


if __name__ == "__main__":
    main()
