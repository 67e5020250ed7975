"""World changes made while the bot runs, each echoed over the gateway as Discord does (mixed into
DiscordDouble): webhook posts, threads, channel overwrites, the system channel, the bot's roles,
leaving a guild, the global rate limit, and readers for what the bot left behind (DMs, files, events).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING, Any

from .gateway import INTENT_GUILDS
from .messages import build_message
from .models import Channel, Role, User
from .ratelimit import GlobalRateLimit
from .threads import PRIVATE_THREAD, PUBLIC_THREAD, dispatch_thread_create

if TYPE_CHECKING:
    from .gateway import GatewayServer
    from .state import DoubleState


class WorldActions:
    """Mixed into DiscordDouble: test-side changes to the world and readers of its state."""

    if TYPE_CHECKING:
        state: DoubleState
        gateway: GatewayServer
        global_limit: GlobalRateLimit | None
        invalid_requests: Counter[int]

        @property
        def base_url(self) -> str: ...

        def _begin_action(self) -> None: ...

        def dispatch_message(self, event: str, message: dict[str, Any]) -> None: ...

        def add_role(self, guild_id: int, name: str, permissions: int = 0, **extra: Any) -> Role: ...

        def set_member_roles(self, guild_id: int, user_id: int, roles: list[int]) -> Any: ...

    # --- inbound messages of other kinds ---------------------------------------------------------

    async def send_webhook_message(
        self,
        channel_id: int,
        content: str,
        *,
        username: str = "Captain Hook",
        embeds: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A channel webhook posts: ``webhook_id`` set, author flagged bot, no ``member`` (as on Discord)."""
        self._begin_action()
        channel = self.state.channel(channel_id)
        webhook_id = self.state.ids.next()
        author = User(webhook_id, username, bot=True)
        body: dict[str, Any] = {"content": content, "embeds": embeds or []}
        message = build_message(self.state, channel, author, body, base_url=self.base_url, webhook=True)
        message["author"]["discriminator"] = "0000"
        message["webhook_id"] = str(webhook_id)
        self.state.store_message(message)
        self.dispatch_message("MESSAGE_CREATE", message)
        await asyncio.sleep(0)
        return message

    # --- threads ---------------------------------------------------------------------------------

    def add_thread(
        self,
        parent_id: int,
        name: str,
        owner_id: int,
        *,
        private: bool = False,
        message_id: int | None = None,
    ) -> Channel:
        """A member starts a thread in ``parent_id`` (on ``message_id`` if given): THREAD_CREATE.

        Added before the bot connects, it is listed in GUILD_CREATE's ``threads`` instead.
        Members post in it with ``send_message(thread.id, ...)``.
        """
        parent = self.state.channel(parent_id)
        if message_id is not None:
            self.state.message(parent.id, message_id)
        kind = PRIVATE_THREAD if private else PUBLIC_THREAD
        thread = self.state.add_thread(parent.id, name, owner_id, type=kind, thread_id=message_id)
        if message_id is not None:
            message = self.state.message(parent.id, message_id)
            message["thread"] = thread.payload()
            message["flags"] = int(message.get("flags", 0)) | (1 << 5)
        dispatch_thread_create(self, thread, owner_id)  # type: ignore[arg-type]
        return thread

    def archive_thread(self, thread_id: int, *, archived: bool = True, locked: bool = False) -> Channel:
        """A moderator archives (and maybe locks) a thread: THREAD_UPDATE.

        The bot's next send unarchives an unlocked thread, as on Discord; a locked one answers
        400 50083 unless the bot has Manage Threads.
        """
        thread = self.thread(thread_id)
        thread.archived, thread.locked = archived, locked
        self.gateway.dispatch(
            "THREAD_UPDATE", thread.payload(), guild_id=thread.guild_id, intent=INTENT_GUILDS
        )
        return thread

    def thread(self, thread_id: int) -> Channel:
        """A thread by id (``thread.parent_id``, ``thread.owner_id``, ``thread.name`` ...)."""
        found = self.state.channel(thread_id)
        if not found.is_thread:
            raise ValueError(f"channel {thread_id} is not a thread")
        return found

    def threads(self, parent_id: int) -> list[Channel]:
        """Threads started under a channel, oldest first."""
        guild_id = self.state.channel(parent_id).guild_id
        if guild_id is None:
            return []
        return [t for t in self.state.guild(guild_id).threads.values() if t.parent_id == parent_id]

    # --- permissions and guild settings ------------------------------------------------------------

    def set_channel_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> Channel:
        """Set (or with allow=deny=0 remove) a permission overwrite for a role or a member: CHANNEL_UPDATE.

        ``target_id`` is a role id (the guild id for @everyone) or a user id (e.g. ``double.bot_user_id``).
        """
        channel = self.state.channel(channel_id)
        if channel.guild_id is None or channel.is_thread:
            raise ValueError("overwrites belong to guild channels (threads use their parent's)")
        guild = self.state.guild(channel.guild_id)
        kind = 0 if target_id in guild.roles else 1
        if kind == 1:
            self.state.member(guild.id, target_id)
        kept = [o for o in channel.permission_overwrites if o["id"] != str(target_id)]
        if allow or deny:
            kept.append({"id": str(target_id), "type": kind, "allow": str(allow), "deny": str(deny)})
        channel.permission_overwrites = kept
        self.gateway.dispatch("CHANNEL_UPDATE", channel.payload(), guild_id=guild.id, intent=INTENT_GUILDS)
        return channel

    def set_system_channel(self, guild_id: int, channel_id: int | None) -> None:
        """Set the guild's system channel (where Discord posts joins): GUILD_UPDATE."""
        guild = self.state.guild(guild_id)
        if channel_id is not None and channel_id not in guild.channels:
            raise ValueError(f"channel {channel_id} is not in guild {guild.name!r}")
        guild.system_channel_id = channel_id
        self.gateway.dispatch(
            "GUILD_UPDATE", self.state.guild_payload(guild), guild_id=guild.id, intent=INTENT_GUILDS
        )

    def give_bot_role(
        self, guild_id: int, permissions: int = 0, *, name: str = "Studio Mentor", position: int | None = None
    ) -> Role:
        """Create a role (top of the list unless ``position``) and give it to the bot.

        Roles the bot may hand out must sit below this one (``set_role_position`` moves them).
        """
        extra = {} if position is None else {"position": position}
        role = self.add_role(guild_id, name, permissions, **extra)
        self.set_member_roles(
            guild_id, self.state.bot_user.id, [*self.member_roles(guild_id, self.state.bot_user.id), role.id]
        )
        return role

    def set_role_position(self, guild_id: int, role_id: int, position: int) -> Role:
        """Move a role in the hierarchy: GUILD_ROLE_UPDATE."""
        role = self.state.guild(guild_id).roles[role_id]
        role.position = position
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild_id), "role": role.payload()},
            guild_id=guild_id,
            intent=INTENT_GUILDS,
        )
        return role

    def member_roles(self, guild_id: int, user_id: int) -> list[int]:
        """A member's role ids (without @everyone), as the double holds them now."""
        return list(self.state.member(guild_id, user_id).roles)

    # --- guilds coming and going -------------------------------------------------------------------

    def remove_guild(self, guild_id: int) -> None:
        """The bot leaves or is removed from a guild: GUILD_DELETE without ``unavailable`` (``on_guild_remove``)."""
        guild = self.state.guild(guild_id)
        for channel_id in [*guild.channels, *guild.threads]:
            self.state.channels.pop(channel_id, None)
        del self.state.guilds[guild_id]
        self.gateway.dispatch("GUILD_DELETE", {"id": str(guild_id)}, guild_id=guild_id, intent=INTENT_GUILDS)

    # --- rate limits -----------------------------------------------------------------------------

    def global_rate_limit(self, limit: int | None = 50, window: float = 1.0) -> GlobalRateLimit | None:
        """Enforce Discord's global limit: ``limit`` requests per ``window`` s (None turns it off)."""
        self.global_limit = None if limit is None else GlobalRateLimit(limit, window)
        return self.global_limit

    @property
    def invalid_request_count(self) -> int:
        """Answers Discord's invalid-request ban counts (401, 403, non-shared 429) so far."""
        return sum(self.invalid_requests.values())

    # --- what the bot left behind ------------------------------------------------------------------

    def dms_received(self, user_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a user by DM, oldest first."""
        channel_id = self.state.dm_by_user.get(user_id)
        if channel_id is None:
            return []
        bot_id = str(self.state.bot_user.id)
        return [m for m in self.state.messages_in(channel_id) if m["author"]["id"] == bot_id]

    def attachment_bytes(self, attachment: dict[str, Any]) -> bytes:
        """The bytes behind an attachment object of a stored message (or of resolved data)."""
        return self.state.attachments[int(attachment["id"])][1]

    def scheduled_events(self, guild_id: int) -> list[dict[str, Any]]:
        """The guild's scheduled events as stored (what the bot created or edited)."""
        return list(self.state.guild(guild_id).scheduled_events.values())
