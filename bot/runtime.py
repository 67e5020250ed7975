"""Process concerns: logging, signals, the database lock, and start-up failures as one line.

Everything that can fail before the bot is useful is checked before it connects to Discord, in this order:
config and token (bot.config), knowledge base, the lock, the database (open, integrity, version, writable,
migrations). Each failure is one line naming the thing and the fix, and exit status 2; so is a Discord that
cannot be reached or refuses the token at start. Once connected, discord.py itself retries lost connections.
"""

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

import aiohttp
import discord

from bot.app import MentorBot, apply_endpoints
from bot.clock import SystemClock
from bot.config import Config, ConfigError, Token, load_token
from bot.knowledge.library import Library
from bot.storage import Storage, StorageError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ROWS_LOST, EXIT_STARTUP = 0, 1, 2


def lock_path_for(database: Path) -> Path:
    """Return the lock file of a database: beside the real file, whatever symlinks lead to it."""
    real = database.resolve()
    return real.with_name(real.name + ".lock")


@contextlib.contextmanager
def single_instance(database: Path) -> Iterator[IO[str]]:
    """Hold a lock beside the database's real file: two bot processes on one database would double-send.

    The path is resolved first, so a symlink (or a different relative path) to the same file finds the
    same lock.
    """
    lock_path = lock_path_for(database)
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a")
    except OSError as exc:
        raise StorageError(
            f"{lock_path}: cannot open the lock file ({exc.strerror}); make {lock_path.parent} and the lock "
            "file writable by the bot's user"
        ) from None
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


def quiet_voice_warnings() -> None:
    """Silence discord.py's "PyNaCl / davey is not installed" warnings: the bot never joins voice."""
    discord.voice_client.VoiceClient.warn_nacl = False
    discord.voice_client.VoiceClient.warn_dave = False


def open_storage(database: Path) -> Storage:
    """Open, check and migrate the database, or raise StorageError (one line) before any connection."""
    storage = Storage(database, clock=SystemClock())
    try:
        applied = storage.prepare()
    except StorageError:
        with contextlib.suppress(Exception):
            storage.core.db.close()
        raise
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    return storage


def _unreachable(config: Config, exc: BaseException) -> str:
    """One line for a Discord that cannot be reached: where we tried, why, what to check."""
    where = config.discord.api_base or "discord.com"
    reason = getattr(exc, "os_error", None) or exc
    text = " ".join(str(reason).split()) or exc.__class__.__name__
    return (
        f"cannot reach Discord at {where} ({text}): check the network connection, DNS and [discord] api_base"
    )


async def _serve(config: Config, token: Token, library: Library, storage: Storage) -> int:
    """Run the bot until it is closed by a signal, or return 2 if it cannot get connected."""
    bot = MentorBot(config=config, storage=storage, library=library, clock=storage.core.clock)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, functools.partial(_request_stop, bot, sig))
    async with bot:
        try:
            await bot.start(token.reveal())
        except discord.LoginFailure:
            log.error("Discord rejected the token: check DISCORD_TOKEN (or the file in DISCORD_TOKEN_FILE)")
            return EXIT_STARTUP
        except discord.PrivilegedIntentsRequired:
            log.error(
                "the Message Content intent is off: enable it in the Developer Portal (Bot > Privileged "
                "Gateway Intents)"
            )
            return EXIT_STARTUP
        except (aiohttp.ClientError, OSError) as exc:  # refused, DNS, TLS: raised by login, before connecting
            log.error("%s", _unreachable(config, exc))
            return EXIT_STARTUP
    return EXIT_OK


def _request_stop(bot: MentorBot, sig: signal.Signals) -> None:
    log.info("received %s, shutting down", sig.name)
    asyncio.get_running_loop().create_task(bot.close())


def _exit_report(storage: Storage, status: int) -> int:
    """Close the database and say whether everything reached it; rows that did not change the status."""
    storage.close()
    held, dropped = storage.backlog()
    if held or dropped:
        log.error(
            "stopped, but %d question-log row(s) could not be written to %s and are lost (%d more were "
            "dropped earlier because the memory buffer was full): check the disk and the file's permissions",
            held,
            storage.path,
            dropped,
        )
        return status or EXIT_ROWS_LOST
    if status == EXIT_OK:
        log.info("stopped cleanly")
    return status


def run(config: Config, knowledge_dir: Path | None = None) -> int:
    """Validate everything that can fail before connecting, then run the bot."""
    quiet_voice_warnings()
    token = load_token()
    setup_logging(config.bot.log_level)
    apply_endpoints(config)
    with single_instance(config.bot.database):
        storage = open_storage(config.bot.database)  # milliseconds: checked before the slower knowledge load
        status = EXIT_STARTUP
        try:
            library = Library(knowledge_dir)
            status = asyncio.run(_serve(config, token, library, storage))
        finally:
            status = _exit_report(storage, status)
        return status


def sync_commands(config: Config, guild_id: int | None = None, knowledge_dir: Path | None = None) -> int:
    """Log in, sync slash commands globally (or to one server), log out."""
    quiet_voice_warnings()
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
            try:
                await bot.login(token.reveal())
            except discord.LoginFailure:
                log.error(
                    "Discord rejected the token: check DISCORD_TOKEN (or the file in DISCORD_TOKEN_FILE)"
                )
                return EXIT_STARTUP
            except (aiohttp.ClientError, OSError) as exc:
                log.error("%s", _unreachable(config, exc))
                return EXIT_STARTUP
            target = discord.Object(id=guild_id) if guild_id else None
            if target:
                bot.tree.copy_global_to(guild=target)
            synced = await bot.tree.sync(guild=target)
            print(f"synced {len(synced)} commands {'to server ' + str(guild_id) if guild_id else 'globally'}")
        storage.close()
        return EXIT_OK

    return asyncio.run(_sync())
