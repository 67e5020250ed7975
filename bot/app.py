"""MentorBot: services passed in, one extension per capability loaded, commands synced, clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.delivery import Deliverer
from bot.knowledge.library import Library
from bot.scheduler import Scheduler
from bot.settings import SettingsResolver
from bot.storage import Storage
from bot.ui.replies import report_failure, send_ephemeral

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.answers",
    "bot.cogs.moderation",
    "bot.cogs.setup",  # after moderation: it adds /mentor setup to its group
    "bot.cogs.housekeeping",
    "bot.cogs.stages",
    "bot.cogs.mydata",
    "bot.cogs.learning",
    "bot.cogs.challenges",
    "bot.cogs.onboarding",
    "bot.cogs.help",
)
FLUSH_SECONDS = 1.0  # write-behind buffers (the question log) reach the file at most this late
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

    def __init__(
        self, *, config: Config, storage: Storage, library: Library, clock: Clock | None = None
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no text commands: slash commands only
            intents=build_intents(),
            allowed_mentions=discord.AllowedMentions.none(),  # echoed text must never ping anyone
            guild_ready_timeout=config.discord.guild_ready_timeout,
            max_ratelimit_timeout=max(30.0, config.discord.max_ratelimit_wait),
            help_command=None,
            tree_cls=MentorTree,
            # No message cache: nothing here reads cached messages (no edit, delete or reaction handlers;
            # buttons are routed by custom id), and discord.py's default 1,000 messages only cost memory
            # (bench_discord.py --distinct: peak RSS 126 -> 99 MiB; CPU per answer within the noise).
            max_messages=None,
        )
        self.config = config
        self.storage = storage
        self.library = library
        self.clock: Clock = clock or SystemClock()
        self.settings = SettingsResolver(storage.settings, config.answers)
        self._flusher: asyncio.Task[None] | None = None
        # Scheduled sends: extensions register their planners and delivery handlers in setup().
        self.deliverer = Deliverer(
            storage.deliveries, self.clock, max_per_second=config.learning.max_sends_per_second
        )
        self.scheduler = Scheduler(self.clock, self.deliverer, ready=self.wait_until_ready)

    async def login(self, token: str) -> None:
        """Apply the configured endpoints, then log in (discord.py reads them from class attributes).

        A Discord (or proxy) that accepts the connection and never answers would hold the start for
        aiohttp's five minutes: after [discord] connect_timeout the login fails with TimeoutError instead,
        which the runtime reports as one line.
        """
        apply_endpoints(self.config)
        timeout = self.config.discord.connect_timeout
        try:
            await asyncio.wait_for(super().login(token), timeout)
        except TimeoutError:
            raise TimeoutError(f"no answer within {timeout:g} s") from None

    async def setup_hook(self) -> None:
        """Migrate, load extensions (persistent items, planners), start the writer and the scheduler, sync."""
        applied = self.storage.migrate()
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        for name in EXTENSIONS:
            await self.load_extension(name)
        self._flusher = asyncio.create_task(self._flush_forever(), name="storage-flush")
        self.scheduler.start()  # its first tick waits for ready, then rebuilds timers from the tables
        for guild_id in self.config.discord.dev_guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development server %s", len(synced), guild_id)
        # Everything built so far (knowledge index, extensions, caches) lives as long as the process: moving
        # it out of the collector's reach keeps full collections short, and with them the answer-time tail.
        gc.collect()
        gc.freeze()

    async def on_message(self, message: discord.Message, /) -> None:
        """Do nothing: there are no text commands, so commands.Bot's prefix parsing of every message is
        skipped (the Answers cog's own listener still hears every message)."""

    async def _flush_forever(self) -> None:
        """Write the storage's write-behind buffers: one transaction a second, not one per question."""
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                self.storage.flush()
            except Exception:  # a failed write must not stop the writer (those rows are logged as lost)
                log.exception("could not write buffered rows to the database")

    async def close(self) -> None:
        """Stop the scheduler and the writer, write what is left, then disconnect."""
        await self.scheduler.stop()
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        try:
            self.storage.flush()
        except Exception:
            log.exception("could not write buffered rows to the database at shutdown")
        await super().close()

    async def on_ready(self) -> None:
        """Log who we are; may run more than once (after reconnects), so it starts nothing."""
        log.info("ready as %s in %d server(s)", self.user, len(self.guilds))


class MentorTree(app_commands.CommandTree):
    """The command tree, with one error handler that always answers the member."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Answer every failed command: a clear reason for check failures, an apology for bugs."""
        if isinstance(error, app_commands.CheckFailure):
            await send_ephemeral(interaction, str(error) or "You can't use this command here.")
            return
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "?"
        await report_failure(interaction, original, f"command /{command}")
