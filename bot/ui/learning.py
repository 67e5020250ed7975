"""How learning prompts look and reach Discord: the prompt embed, the persistent "Done" button, and the
delivery handlers for DM prompts and channel prompts (`bot.delivery.Handler`).

Handlers check what they can before asking Discord (the bot's permissions in a channel, from the gateway
cache), so a channel the bot lost access to costs no 403 at all; what Discord still refuses pauses the
schedule for good instead of being retried.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, Literal

import discord

from bot.app import MentorBot
from bot.delivery import Refused, Sent
from bot.knowledge.prompt_library import Prompt
from bot.learning import LearningPlanner, member_streak
from bot.storage import Delivery, LearningStore
from bot.storage.schedules import channel_schedule_key
from bot.ui import ids
from bot.ui.base import MentorItem
from bot.ui.limits import BRAND_COLOUR, EMBED_DESCRIPTION_MAX, clip
from bot.ui.replies import UserError

log = logging.getLogger(__name__)

Pace = Callable[[], Awaitable[None]]
THREAD_NAME_MAX = 100
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440  # replies stay open a day, then the thread tidies itself away
CANNOT_DM = 50007
THREAD_EXISTS = 160004  # a resend after a crash: the thread was opened the first time
DM_REFUSED = (
    "Discord refused my direct message (your DMs are closed to me). Allow direct messages from this "
    "server's members (Privacy Settings), then use /learning resume."
)


def prompt_embed(prompt: Prompt, entry_title: str | None, *, footer: str) -> discord.Embed:
    """The prompt as an embed: the call to action, its skill, and what to read with it."""
    embed = discord.Embed(
        title=f"Learning prompt · {prompt.skill_label}",
        description=clip(prompt.text, EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    if entry_title:
        embed.add_field(name="Read with it", value=f"{entry_title} (`/ask {clip(entry_title, 80)}`)")
    embed.set_footer(text=footer)
    return embed


def timestamp(instant: datetime) -> str:
    """A Discord timestamp: each reader sees it in their own time zone."""
    return f"<t:{int(instant.timestamp())}:F> (<t:{int(instant.timestamp())}:R>)"


class DoneButton(MentorItem[discord.ui.Button[Any]], template=rf"{ids.LEARNING_DONE}:(?P<delivery>\d+)"):
    """ "Done" under a DM prompt: records a completion (once) and shows the weekly streak."""

    def __init__(self, delivery_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Done",
                emoji="✅",
                style=discord.ButtonStyle.success,
                custom_id=f"{ids.LEARNING_DONE}:{delivery_id}",
            )
        )
        self.delivery_id = delivery_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DoneButton:
        return cls(int(match["delivery"]))

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Record the completion for the member who clicked, if the prompt was theirs."""
        delivery = bot.storage.deliveries.get(self.delivery_id)
        # The id in custom_id only says which prompt; whose it is comes from the stored delivery.
        if delivery is None or delivery.user_id != interaction.user.id or delivery.guild_id is None:
            raise UserError("This prompt isn't yours, or its record was deleted (/mydata forget).")
        store = bot.storage.learning
        new = store.complete(delivery.guild_id, interaction.user.id, delivery.id, delivery.payload)
        streak = member_streak(store, delivery.guild_id, interaction.user.id, bot.clock.now())
        weeks = f"{streak} week{'s' if streak != 1 else ''}"
        text = (
            f"Nice work! Weekly streak: {weeks}." if new else f"Already marked done. Weekly streak: {weeks}."
        )
        await interaction.response.send_message(text, ephemeral=True)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (DoneButton,)


class DmHandler:
    """Sends a member's prompt by DM, with "Done" and how to stop."""

    def __init__(self, bot: MentorBot, planner: LearningPlanner, prompts: Mapping[str, Prompt]) -> None:
        self.bot = bot
        self.store: LearningStore = bot.storage.learning
        self.planner = planner
        self.prompts = prompts
        self._dms: dict[int, discord.DMChannel] = {}  # opening a DM costs a request: once per member

    def wanted(self, delivery: Delivery) -> str | None:
        """Skip if the member unsubscribed or paused since it was planned, or the prompt is gone."""
        assert delivery.guild_id is not None and delivery.user_id is not None
        sub = self.store.subscription(delivery.guild_id, delivery.user_id)
        if sub is None:
            return "unsubscribed before it was sent"
        if sub.paused:
            return f"subscription paused: {sub.pause_reason or 'by the member'}"
        if delivery.payload not in self.prompts:
            return f"prompt {delivery.payload!r} is no longer in the library"
        return None

    async def send(self, delivery: Delivery, nonce: str, pace: Pace) -> Sent:
        """Open the DM channel (once per member) and send the prompt with the delivery's nonce."""
        assert delivery.user_id is not None and delivery.payload is not None
        channel = self._dms.get(delivery.user_id)
        if channel is None:
            await pace()
            channel = await self.bot.create_dm(discord.Object(id=delivery.user_id))
            self._dms[delivery.user_id] = channel
        guild = self.bot.get_guild(delivery.guild_id or 0)
        where = f" in {guild.name}" if guild else ""
        prompt = self.prompts[delivery.payload]
        embed = prompt_embed(
            prompt,
            _entry_title(self.bot, prompt),
            footer=f"To stop: /learning pause or /learning unsubscribe{where}.",
        )
        view = discord.ui.View(timeout=None)
        view.add_item(DoneButton(delivery.id))
        await pace()
        message = await channel.send(embed=embed, view=view, nonce=nonce)
        return Sent(message.id)

    async def refused(self, delivery: Delivery, error: Exception) -> str:
        """DMs closed (403/50007): pause this member's subscriptions everywhere, so we never try again."""
        assert delivery.user_id is not None
        code = getattr(error, "code", 0)
        reason = DM_REFUSED if code == CANNOT_DM else f"Discord refused my direct message ({error})."
        self.store.pause_user_everywhere(delivery.user_id, reason)
        now = self.bot.clock.now()
        for sub in self.store.subscriptions():
            if sub.user_id == delivery.user_id:
                self.planner.changed(sub, sub.schedule_key, now)
        self._dms.pop(delivery.user_id, None)
        return f"DM refused ({code or type(error).__name__}): subscription paused"


class ChannelHandler:
    """Posts a server's prompt in its channel and opens a thread on it for replies."""

    def __init__(self, bot: MentorBot, planner: LearningPlanner, prompts: Mapping[str, Prompt]) -> None:
        self.bot = bot
        self.store: LearningStore = bot.storage.learning
        self.planner = planner
        self.prompts = prompts

    def wanted(self, delivery: Delivery) -> str | None:
        """Skip if the schedule was paused, removed or moved to another channel since it was planned."""
        schedule = self.store.channel(delivery.guild_id or 0)
        if schedule is None:
            return "channel prompts removed before it was sent"
        if schedule.paused:
            return f"channel prompts paused: {schedule.pause_reason or 'by a moderator'}"
        if schedule.channel_id != delivery.recipient:
            return "channel prompts moved to another channel"
        if delivery.payload not in self.prompts:
            return f"prompt {delivery.payload!r} is no longer in the library"
        return None

    async def send(self, delivery: Delivery, nonce: str, pace: Pace) -> Sent:
        """Post the prompt (nonce-enforced), then open a thread on it."""
        assert delivery.payload is not None
        channel = self.bot.get_channel(delivery.recipient)
        if not isinstance(channel, discord.TextChannel):
            raise Refused("the channel no longer exists, or I can no longer see it")
        missing = missing_permissions(channel)
        if missing:
            raise Refused(f"I'm missing {', '.join(missing)} there")
        prompt = self.prompts[delivery.payload]
        embed = prompt_embed(
            prompt, _entry_title(self.bot, prompt), footer="Reply in the thread: what did you try?"
        )
        await pace()
        message = await channel.send(embed=embed, nonce=nonce)
        if not channel.permissions_for(channel.guild.me).create_public_threads:
            return Sent(message.id, "posted without a thread: I'm missing Create Public Threads")
        await pace()
        try:
            await message.create_thread(
                name=clip(f"{prompt.skill_label}: {prompt.text}", THREAD_NAME_MAX),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as error:
            if error.code != THREAD_EXISTS:
                return Sent(message.id, f"posted without a thread ({error.status} {error.code})")
        return Sent(message.id)

    async def refused(self, delivery: Delivery, error: Exception) -> str:
        """Pause the server's channel prompts and tell its moderators, once."""
        guild_id = delivery.guild_id or 0
        why = str(error) if isinstance(error, Refused) else f"Discord answered {error}"
        reason = f"I can no longer post in <#{delivery.recipient}>: {why}."
        if self.store.pause_channel(guild_id, reason):
            self.planner.changed(
                self.store.channel(guild_id), channel_schedule_key(guild_id), self.bot.clock.now()
            )
            await self._tell_moderators(guild_id, delivery.recipient, reason)
        return f"channel refused: {why}; channel prompts paused"

    async def _tell_moderators(self, guild_id: int, channel_id: int, reason: str) -> None:
        """One message: in the server's system channel if the bot may post there, else to the owner by DM."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        text = (
            f"**Studio Mentor paused this server's learning prompts.** {reason} Give me View Channel, "
            "Send Messages and Embed Links there (or pick another channel with `/learning channel set`), "
            "then run `/learning channel resume`."
        )
        target: discord.abc.Messageable | None = None
        system = guild.system_channel
        if system is not None and system.id != channel_id and not missing_permissions(system):
            target = system
        try:
            if target is None:
                target = await self.bot.create_dm(discord.Object(id=guild.owner_id or 0))
            await target.send(text)
        except discord.HTTPException:
            log.warning("could not tell the moderators of %s that channel prompts were paused", guild_id)


def missing_permissions(channel: discord.TextChannel) -> list[str]:
    """The permissions the bot lacks to post a prompt in a channel (from the gateway cache: no request)."""
    perms = channel.permissions_for(channel.guild.me)
    needed = {"View Channel": perms.view_channel, "Send Messages": perms.send_messages}
    needed["Embed Links"] = perms.embed_links
    return [name for name, ok in needed.items() if not ok]


def _entry_title(bot: MentorBot, prompt: Prompt) -> str | None:
    entry = bot.library.index.kb.by_id.get(prompt.entry)
    return entry.title if entry else None
