"""Answering members: /ask, /topics, and questions asked in help channels or with a mention."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import ui
from bot.chat import Cooldown, looks_like_question, strip_mentions
from bot.config import AnswerSettings
from bot.knowledge.library import Library
from bot.knowledge.search import Confidence, SearchResult
from bot.storage import Storage

log = logging.getLogger(__name__)

AUTOCOMPLETE_MAX = 25  # Discord refuses more choices
CHOICE_MAX = 100  # Discord caps choice names and values at 100 characters
QUESTION_MAX = 300  # /ask option length; longer pastes are refused by Discord's client
LOG_FLUSH_SECONDS = 1.0  # the question log is written behind at most this late (storage.flush)


class Answers(commands.Cog):
    """Answers members from the knowledge base."""

    def __init__(
        self, bot: commands.Bot, *, library: Library, storage: Storage, defaults: AnswerSettings
    ) -> None:
        self.bot = bot
        self.library = library
        self.storage = storage
        self.defaults = defaults
        self.cooldown = Cooldown()

    async def cog_load(self) -> None:
        """Start writing the question log behind the answers."""
        self.flush_log.start()

    async def cog_unload(self) -> None:
        """Stop the writer and write what is left."""
        self.flush_log.cancel()
        self.storage.flush()

    @tasks.loop(seconds=LOG_FLUSH_SECONDS)
    async def flush_log(self) -> None:
        """Write buffered question-log rows: one transaction a second, not one per question."""
        try:
            self.storage.flush()
        except Exception:  # a failed write must not stop the loop (those rows are dropped, and logged)
            log.exception("could not write the question log")

    def _record(
        self, where: discord.Interaction | discord.Message, question: str, source: str, result: SearchResult
    ) -> None:
        """Log the question for /kb gaps (scoped to its server; DMs are server 0)."""
        author = where.user if isinstance(where, discord.Interaction) else where.author
        outcome = {Confidence.HIGH: "answered", Confidence.WEAK: "suggested", Confidence.NONE: "declined"}[
            result.confidence
        ]
        self.storage.record_question(
            guild_id=where.guild.id if where.guild else 0,
            channel_id=where.channel.id if where.channel else 0,
            user_id=author.id,
            question=question,
            source=source,
            outcome=outcome,
            entry_id=result.best.entry.id if result.best else None,
            score=result.score,
        )

    @app_commands.command(name="ask")
    @app_commands.describe(question="Your question about becoming a music producer")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, QUESTION_MAX]
    ) -> None:
        """Ask Studio Mentor a question about becoming a music producer."""
        index = self.library.index
        result = index.search(question)
        self._record(interaction, question, "slash", result)
        if result.answered and result.best:
            entry = result.best.entry
            embed, view = ui.answer_card(index.kb, entry)
            await interaction.response.send_message(embed=embed, view=view)
        elif result.suggestions:
            await interaction.response.send_message(
                ui.suggestions_text(result.suggestions),
                view=ui.suggestions_view(result.suggestions),
                ephemeral=True,
            )
        else:
            await interaction.response.send_message(ui.DECLINE_TEXT, ephemeral=True)

    @ask.autocomplete("question")
    async def ask_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer knowledge-base questions that fit what the member has typed so far."""
        entries = self.library.index.suggest(current, limit=AUTOCOMPLETE_MAX)
        return [
            app_commands.Choice(name=ui.clip(e.title, CHOICE_MAX), value=ui.clip(e.title, CHOICE_MAX))
            for e in entries
        ]

    @app_commands.command(name="topics")
    async def topics(self, interaction: discord.Interaction) -> None:
        """Browse everything Studio Mentor can answer, section by section."""
        embed, view = ui.topics_page(self.library.index.kb, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    def _help_channels(self, guild_id: int) -> tuple[int, ...]:
        settings = self.storage.guild_settings(guild_id)
        return (
            settings.help_channel_ids
            if settings.help_channel_ids is not None
            else self.defaults.help_channel_ids
        )

    def _cooldown_seconds(self, guild_id: int) -> int:
        settings = self.storage.guild_settings(guild_id)
        return (
            settings.cooldown_seconds
            if settings.cooldown_seconds is not None
            else self.defaults.cooldown_seconds
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer questions asked in help channels, or anywhere the bot is mentioned."""
        if message.author.bot or message.webhook_id is not None or not self.bot.user:
            return  # never other bots, webhooks or our own echoed replies
        mentioned = self.bot.user in message.mentions or message.guild is None
        guild_id = message.guild.id if message.guild else 0
        if not mentioned:
            help_channels = self._help_channels(guild_id) if message.guild else ()
            # A thread (or forum post) inside a help channel counts as that channel.
            parent_id = getattr(message.channel, "parent_id", None)
            if message.channel.id not in help_channels and parent_id not in help_channels:
                return
        question = strip_mentions(message.content)
        if not mentioned and not looks_like_question(question):
            return
        if not question:
            await self._reply(
                message, "Hi! Ask me anything about becoming a music producer, or try `/topics`."
            )
            return
        result = self.library.index.search(question)
        self._record(message, question, "mention" if mentioned else "channel", result)
        if result.answered and result.best:
            embed, view = ui.answer_card(self.library.index.kb, result.best.entry)
            await self._throttled_reply(message, guild_id, embed=embed, view=view)
        elif not mentioned:
            return  # in a help channel, silence beats noise: a guess or a decline is for mentions only
        elif result.suggestions:
            await self._throttled_reply(
                message,
                guild_id,
                content=ui.suggestions_text(result.suggestions),
                view=ui.suggestions_view(result.suggestions),
            )
        else:
            await self._throttled_reply(message, guild_id, content=ui.DECLINE_TEXT)

    async def _throttled_reply(
        self,
        message: discord.Message,
        guild_id: int,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> None:
        """Reply unless the member is on cooldown; tell them once per window, then stay quiet."""
        key = (guild_id, message.author.id)
        left = self.cooldown.remaining(key)
        if left > 0:
            if self.cooldown.should_notice(key):
                await self._reply(
                    message,
                    f"I'm answering lots of questions right now: ask me again in {int(left) + 1} s, "
                    "or use `/ask` any time.",
                )
            return
        self.cooldown.start(key, self._cooldown_seconds(guild_id))
        await self._reply(message, content, embed=embed, view=view)

    async def _reply(
        self,
        message: discord.Message,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> None:
        """Reply without pinging the author; a refusal from Discord is logged, never raised."""
        try:
            if view is not None:
                await message.reply(content, embed=embed, view=view, mention_author=False)  # type: ignore[arg-type]
            else:
                await message.reply(content, embed=embed, mention_author=False)  # type: ignore[arg-type]
        except discord.Forbidden:
            log.warning(
                "no permission to reply in channel %s of server %s", message.channel.id, message.guild
            )
        except discord.HTTPException:
            log.exception("could not reply to a question in channel %s", message.channel.id)


async def setup(bot: commands.Bot) -> None:
    """Add the cog with the services it uses, and the persistent buttons and selects."""
    bot.add_dynamic_items(*ui.DYNAMIC_ITEMS)
    await bot.add_cog(
        Answers(bot, library=bot.library, storage=bot.storage, defaults=bot.config.answers)  # type: ignore[attr-defined]
    )
