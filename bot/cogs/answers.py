"""Answering members: /ask, /topics, and questions asked in help channels or with a mention."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.chat import Cooldown, looks_like_question, strip_mentions
from bot.knowledge.library import Library
from bot.knowledge.model import Entry
from bot.knowledge.search import Confidence, SearchResult
from bot.settings import SettingsResolver
from bot.storage import Outcome, QuestionLog, Source, StageStore
from bot.ui import answers as cards
from bot.ui import topics
from bot.ui.limits import AUTOCOMPLETE_MAX, CHOICE_MAX, clip

log = logging.getLogger(__name__)

QUESTION_MAX = 300  # /ask option length; longer pastes are refused by Discord's client
GREETING = "Hi! Ask me anything about becoming a music producer, or try `/topics`."
_OUTCOMES = {
    Confidence.HIGH: Outcome.ANSWERED,
    Confidence.WEAK: Outcome.SUGGESTED,
    Confidence.NONE: Outcome.DECLINED,
}


class Answers(commands.Cog):
    """Answers members from the knowledge base."""

    def __init__(
        self,
        bot: MentorBot,
        *,
        library: Library,
        log_: QuestionLog,
        settings: SettingsResolver,
        stages: StageStore,
    ) -> None:
        self.bot = bot
        self.library = library
        self.log = log_
        self.settings = settings
        self.stages = stages
        self.cooldown = Cooldown(clock=bot.clock.monotonic)

    def _stage_of(self, guild_id: int | None, user_id: int) -> str | None:
        """The asker's career stage in this server (None in DMs or when they never set one)."""
        return self.stages.current(guild_id, user_id) if guild_id else None

    def _card(self, result: SearchResult, entry: Entry, stage: str | None) -> cards.AnswerCard:
        """The answer card: the stage's next read, and the close calls on other topics offered beside it."""
        index = self.library.index
        next_up = index.next_for_stage(entry.id, stage) if stage else None
        return cards.answer_card(index.kb, entry, next_up, result.close_calls)

    def _record(
        self,
        where: discord.Interaction | discord.Message,
        question: str,
        source: Source,
        result: SearchResult,
        outcome: Outcome | None = None,
    ) -> None:
        """Log the question for /kb gaps (scoped to its server; DMs are server 0)."""
        author = where.user if isinstance(where, discord.Interaction) else where.author
        self.log.record(
            guild_id=where.guild.id if where.guild else 0,
            channel_id=where.channel.id if where.channel else 0,
            user_id=author.id,
            question=question,
            source=source,
            outcome=outcome or _OUTCOMES[result.confidence],
            entry_id=result.best.entry.id if result.best else None,
            score=result.score,
        )

    @app_commands.command(name="ask")
    @app_commands.describe(question="Your question about becoming a music producer")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, QUESTION_MAX]
    ) -> None:
        """Ask Studio Mentor a question about becoming a music producer."""
        stage = self._stage_of(interaction.guild_id, interaction.user.id)
        result = self.library.index.search(question, stage=stage)
        self._record(interaction, question, Source.SLASH, result)
        if result.answered and result.best:
            card = self._card(result, result.best.entry, stage)
            await interaction.response.send_message(embed=card.embed(), view=card.view())
        elif result.suggestions:
            await interaction.response.send_message(
                cards.suggestions_text(result.suggestions),
                view=cards.suggestions_view(result.suggestions),
                ephemeral=True,
            )
        else:
            await interaction.response.send_message(cards.decline_text(result.out_of_scope), ephemeral=True)

    @ask.autocomplete("question")
    async def ask_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer knowledge-base questions that fit what the member has typed so far."""
        entries = self.library.index.suggest(current, limit=AUTOCOMPLETE_MAX)
        return [
            app_commands.Choice(name=clip(e.title, CHOICE_MAX), value=clip(e.title, CHOICE_MAX))
            for e in entries
        ]

    @app_commands.command(name="topics")
    async def topics(self, interaction: discord.Interaction) -> None:
        """Browse everything Studio Mentor can answer, section by section."""
        embed, view = topics.topics_page(self.library.index.kb, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer questions asked in help channels, or anywhere the bot is mentioned."""
        if message.author.bot or message.webhook_id is not None or not self.bot.user:
            return  # never other bots, webhooks or our own echoed replies
        mentioned = self.bot.user in message.mentions or message.guild is None
        guild_id = message.guild.id if message.guild else 0
        if not mentioned:
            help_channels = self.settings.help_channels(guild_id) if message.guild else ()
            # A thread (or forum post) inside a help channel counts as that channel.
            parent_id = getattr(message.channel, "parent_id", None)
            if message.channel.id not in help_channels and parent_id not in help_channels:
                return
        question = strip_mentions(message.content)
        if not mentioned and not looks_like_question(question):
            return
        if not question:
            await self._reply(message, GREETING)
            return
        stage = self._stage_of(message.guild.id if message.guild else None, message.author.id)
        result = self.library.index.search(question, stage=stage)
        source = Source.MENTION if mentioned else Source.CHANNEL
        if result.answered and result.best:
            card = self._card(result, result.best.entry, stage)
            sent = await self._throttled_reply(message, guild_id, embed=card.embed(), view=card.view())
        elif not mentioned:
            sent = True  # in a help channel, silence beats noise: a guess or a decline is for mentions only
        elif result.suggestions:
            sent = await self._throttled_reply(
                message,
                guild_id,
                content=cards.suggestions_text(result.suggestions),
                view=cards.suggestions_view(result.suggestions),
            )
        else:
            sent = await self._throttled_reply(
                message, guild_id, content=cards.decline_text(result.out_of_scope)
            )
        self._record(message, question, source, result, None if sent else Outcome.THROTTLED)

    async def _throttled_reply(
        self,
        message: discord.Message,
        guild_id: int,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> bool:
        """Reply unless the member is on cooldown (told once per window); return False if held back."""
        key = (guild_id, message.author.id)
        left = self.cooldown.remaining(key)
        if left > 0:
            if self.cooldown.should_notice(key):
                await self._reply(
                    message,
                    f"I'm answering lots of questions right now: ask me again in {int(left) + 1} s, "
                    "or use `/ask` any time.",
                )
            return False
        self.cooldown.start(key, self.settings.cooldown_seconds(guild_id))
        await self._reply(message, content, embed=embed, view=view)
        return True

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
            if view is not None and embed is not None:
                await message.reply(content, embed=embed, view=view, mention_author=False)
            elif view is not None:
                await message.reply(content, view=view, mention_author=False)
            elif embed is not None:
                await message.reply(content, embed=embed, mention_author=False)
            else:
                await message.reply(content, mention_author=False)
        except discord.Forbidden:
            log.warning(
                "no permission to reply in channel %s of server %s", message.channel.id, message.guild
            )
        except discord.HTTPException:
            log.exception("could not reply to a question in channel %s", message.channel.id)


async def setup(bot: MentorBot) -> None:
    """Add the cog with the services it uses, and the persistent buttons and selects."""
    bot.add_dynamic_items(*cards.DYNAMIC_ITEMS, *topics.DYNAMIC_ITEMS)
    await bot.add_cog(
        Answers(
            bot,
            library=bot.library,
            log_=bot.storage.questions,
            settings=bot.settings,
            stages=bot.storage.stages,
        )
    )
