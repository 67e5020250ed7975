"""MentorBot and its lifetime: services in, extensions loaded, commands synced, clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import functools
import gc
import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Config, ConfigError, Token, load_token
from bot.knowledge.library import Library
from bot.storage import Storage

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.cogs.answers", "bot.cogs.moderation")
_DISCORD_API_BASE = discord.http.Route.BASE
_DISCORD_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def apply_endpoints(config: Config) -> None:
    """Point discord.py at the configured REST base and gateway (an HTTP proxy, or a test double).

    discord.py reads both class attributes whenever it builds a request or opens the gateway, so setting
    them before login redirects every call, interaction callbacks and webhooks included.
    """
    discord.http.Route.BASE = config.discord.api_base or _DISCORD_API_BASE
    gateway = config.discord.gateway_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway) if gateway else _DISCORD_GATEWAY


def build_intents() -> discord.Intents:
    """Return the intents the bot needs: guild messages with their content (a privileged intent)."""
    intents = discord.Intents.default()
    intents.message_content = True  # to answer questions asked in help channels
    intents.members = False
    intents.presences = False
    return intents


class MentorBot(commands.Bot):
    """Studio Mentor: receives its services, wires them into one extension per capability."""

    def __init__(self, *, config: Config, storage: Storage, library: Library) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no text commands: slash commands only
            intents=build_intents(),
            allowed_mentions=discord.AllowedMentions.none(),  # echoed text must never ping anyone
            guild_ready_timeout=config.discord.guild_ready_timeout,
            max_ratelimit_timeout=max(30.0, config.discord.max_ratelimit_wait),
            help_command=None,
            tree_cls=MentorTree,
        )
        self.config = config
        self.storage = storage
        self.library = library

    async def login(self, token: str) -> None:
        """Apply the configured endpoints, then log in (discord.py reads them from class attributes)."""
        apply_endpoints(self.config)
        await super().login(token)

    async def setup_hook(self) -> None:
        """Migrate, load extensions (which register persistent items), sync to dev guilds."""
        applied = self.storage.migrate()
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        for name in EXTENSIONS:
            await self.load_extension(name)
        for guild_id in self.config.discord.dev_guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development server %s", len(synced), guild_id)
        # Everything built so far (knowledge index, extensions, caches) lives as long as the process: moving
        # it out of the collector's reach keeps full collections short, and with them the answer-time tail.
        gc.collect()
        gc.freeze()

    async def on_ready(self) -> None:
        """Log who we are; may run more than once (after reconnects), so it starts nothing."""
        log.info("ready as %s in %d server(s)", self.user, len(self.guilds))


class MentorTree(app_commands.CommandTree):
    """The command tree, with one error handler that always answers the member."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Answer every failed command: a clear reason for check failures, an apology for bugs."""
        if isinstance(error, app_commands.CheckFailure):
            message = str(error) or "You can't use this command here."
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=error)
            message = "Sorry, something went wrong on my side. The moderators can find it in the logs."
        await send_ephemeral(interaction, message)


async def send_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Send an ephemeral message whether or not the interaction was already answered."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the member about an error", exc_info=True)


@contextlib.contextmanager
def single_instance(database: Path) -> Iterator[IO[str]]:
    """Hold a lock file beside the database: two bot processes on one database would double-send."""
    lock_path = database.with_name(database.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ConfigError(f"{database}: another Studio Mentor process is using this database") from None
    try:
        yield handle
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def setup_logging(level: str) -> None:
    """Log to stderr; the discord logger stays at INFO or quieter (DEBUG would log tokens and bodies)."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLevelName(level)))


async def _serve(config: Config, token: Token, library: Library) -> int:
    """Run the bot until it is closed by a signal or fails to log in."""
    storage = Storage(config.bot.database)
    try:
        bot = MentorBot(config=config, storage=storage, library=library)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, functools.partial(_request_stop, bot, sig))
        async with bot:
            try:
                await bot.start(token.reveal())
            except discord.LoginFailure:
                log.error("Discord rejected the token: check DISCORD_TOKEN")
                return 1
            except discord.PrivilegedIntentsRequired:
                log.error(
                    "the Message Content intent is off: enable it in the Developer Portal (Bot > Privileged "
                    "Gateway Intents)"
                )
                return 1
        log.info("stopped cleanly")
        return 0
    finally:
        storage.close()


def _request_stop(bot: MentorBot, sig: signal.Signals) -> None:
    log.info("received %s, shutting down", sig.name)
    asyncio.get_running_loop().create_task(bot.close())


def run(config: Config, knowledge_dir: Path | None = None) -> int:
    """Validate everything that can fail before connecting, then run the bot."""
    token = load_token()
    library = Library(knowledge_dir)
    setup_logging(config.bot.log_level)
    apply_endpoints(config)
    with single_instance(config.bot.database):
        return asyncio.run(_serve(config, token, library))


def sync_commands(config: Config, guild_id: int | None = None, knowledge_dir: Path | None = None) -> int:
    """Log in, sync slash commands globally (or to one server), log out."""
    token = load_token()
    library = Library(knowledge_dir)
    setup_logging(config.bot.log_level)
    apply_endpoints(config)

    async def _sync() -> int:
        # setup_hook (run by login) loads the extensions; with no dev guilds it syncs nothing itself.
        quiet = dataclasses.replace(config, discord=dataclasses.replace(config.discord, dev_guild_ids=()))
        storage = Storage(":memory:")
        bot = MentorBot(config=quiet, storage=storage, library=library)
        async with bot:
            await bot.login(token.reveal())
            target = discord.Object(id=guild_id) if guild_id else None
            if target:
                bot.tree.copy_global_to(guild=target)
            synced = await bot.tree.sync(guild=target)
            print(f"synced {len(synced)} commands {'to server ' + str(guild_id) if guild_id else 'globally'}")
        storage.close()
        return 0

    return asyncio.run(_sync())
