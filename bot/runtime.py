"""Process concerns: logging, signals, the database lock, and start-up failures as one line."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import functools
import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import discord

from bot.app import MentorBot, apply_endpoints
from bot.config import Config, ConfigError, Token, load_token
from bot.knowledge.library import Library
from bot.storage import Storage

log = logging.getLogger(__name__)


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
