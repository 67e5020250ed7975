"""The double's world: users, guilds, channels, messages, attachments and synced commands.

Only data lives here; REST handlers and the gateway read and change it, and DiscordDouble decides
which gateway events a change produces.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import time
from typing import Any

from . import errors
from .models import (
    ALL_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Channel,
    Guild,
    Member,
    Role,
    Snowflakes,
    User,
)

Scope = int | None  # None = global commands, else a guild id
CommandKey = tuple[str, int]  # (name, type): a slash command and a context menu may share a name


class DoubleState:
    """Everything the fake Discord knows, addressable by snowflake."""

    def __init__(self, token: str, bot_name: str) -> None:
        self.ids = Snowflakes()
        self.token = token
        # Distinct ids (as for older apps) so a bot that confuses the two fails here, not in production.
        self.application_id = self.ids.next()
        self.bot_user = User(self.ids.next(), bot_name, bot=True)
        self.owner_user = User(self.ids.next(), "app-owner")
        self.verify_key = secrets.token_hex(32)
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user, self.owner_user.id: self.owner_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.dm_by_user: dict[int, int] = {}
        self.closed_dms: set[int] = set()
        self.messages_by_channel: dict[int, dict[int, dict[str, Any]]] = {}
        self.message_index: dict[int, dict[str, Any]] = {}
        self.attachments: dict[int, tuple[str, bytes, str]] = {}
        self.nonces: dict[tuple[int, str], int] = {}
        self.pins: dict[int, str] = {}  # message id -> when it was pinned
        self.attachment_ttl = 24 * 3600.0  # signed CDN links expire (``ex=``) like Discord's
        self.commands: dict[Scope, dict[CommandKey, dict[str, Any]]] = {}
        self._command_ids: dict[tuple[Scope, str, int], int] = {}

    # --- world building -------------------------------------------------------------------------

    def add_user(self, username: str, *, bot: bool = False, global_name: str | None = None) -> User:
        """Create a user that can then join guilds."""
        user = User(self.ids.next(), username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, owner_id: int | None) -> Guild:
        """Create a guild with @everyone, its owner and the bot as members."""
        owner = self.user(owner_id) if owner_id is not None else self.add_user(f"{name.lower()}-owner")
        guild = Guild(self.ids.next(), name, owner.id)
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS)
        self.guilds[guild.id] = guild
        self.add_member(guild.id, owner)
        self.add_member(guild.id, self.bot_user)
        return guild

    def add_role(self, guild_id: int, name: str, permissions: int, **extra: Any) -> Role:
        """Create a role above the existing ones (or at ``position=``)."""
        guild = self.guild(guild_id)
        position = int(extra.pop("position", len(guild.roles)))
        role = Role(self.ids.next(), guild_id, name, permissions, position=position, **extra)
        guild.roles[role.id] = role
        return role

    def add_channel(self, guild_id: int, name: str, **extra: Any) -> Channel:
        """Create a guild channel (text by default)."""
        guild = self.guild(guild_id)
        channel = Channel(self.ids.next(), name, guild_id=guild_id, position=len(guild.channels), **extra)
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self.messages_by_channel[channel.id] = {}
        return channel

    def add_thread(
        self, parent_id: int, name: str, owner_id: int, *, type: int = 11, thread_id: int | None = None
    ) -> Channel:
        """Create an active thread under a guild channel (``thread_id``: the message it starts from)."""
        parent = self.channel(parent_id)
        if parent.guild_id is None or parent.is_thread:
            raise ValueError(f"channel {parent_id} cannot hold threads")
        thread = Channel(
            thread_id or self.ids.next(),
            name,
            type=type,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=owner_id,
            member_ids=[owner_id],
        )
        self.guild(parent.guild_id).threads[thread.id] = thread
        self.channels[thread.id] = thread
        self.messages_by_channel[thread.id] = {}
        return thread

    def add_member(self, guild_id: int, user: User, roles: list[int] | None = None) -> Member:
        """Make ``user`` a member of the guild."""
        guild = self.guild(guild_id)
        for role_id in roles or []:
            if role_id not in guild.roles:
                raise ValueError(f"role {role_id} is not in guild {guild_id}")
        member = Member(user, guild_id, list(roles or []))
        guild.members[user.id] = member
        return member

    def dm_channel(self, user_id: int) -> Channel:
        """The bot's DM channel with a user, created on first use (as POST /users/@me/channels does)."""
        self.user(user_id)
        channel_id = self.dm_by_user.get(user_id)
        if channel_id is None:
            channel = Channel(self.ids.next(), None, type=1, recipient_id=user_id)
            self.channels[channel.id] = channel
            self.messages_by_channel[channel.id] = {}
            self.dm_by_user[user_id] = channel.id
            return channel
        return self.channels[channel_id]

    def attachment_url(self, base_url: str, channel_id: int, attachment_id: int, filename: str) -> str:
        """A signed, expiring link like Discord's CDN: ``...?ex=<hex expiry>&is=<hex issued>&hm=<sig>&``."""
        issued = int(time.time())
        expires = int(issued + self.attachment_ttl)
        path = f"/attachments/{channel_id}/{attachment_id}/{filename}"
        return f"{base_url}{path}?ex={expires:08x}&is={issued:08x}&hm={self.sign(path, expires, issued)}&"

    def sign(self, path: str, expires: int, issued: int) -> str:
        """The ``hm`` signature of an attachment link (so a link with its query cut off is refused)."""
        return hashlib.sha256(f"{self.verify_key}{path}{expires:08x}{issued:08x}".encode()).hexdigest()

    # --- lookups that answer like the API ---------------------------------------------------------

    def user(self, user_id: int) -> User:
        """The user, or 404 Unknown User."""
        try:
            return self.users[user_id]
        except KeyError:
            raise errors.not_found(errors.UNKNOWN_USER, "User") from None

    def guild(self, guild_id: int) -> Guild:
        """The guild, or 404 Unknown Guild."""
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise errors.not_found(errors.UNKNOWN_GUILD, "Guild") from None

    def channel(self, channel_id: int) -> Channel:
        """The channel, or 404 Unknown Channel."""
        try:
            return self.channels[channel_id]
        except KeyError:
            raise errors.not_found(errors.UNKNOWN_CHANNEL, "Channel") from None

    def member(self, guild_id: int, user_id: int) -> Member:
        """The member, or 404 Unknown Member."""
        try:
            return self.guild(guild_id).members[user_id]
        except KeyError:
            raise errors.not_found(errors.UNKNOWN_MEMBER, "Member") from None

    def message(self, channel_id: int, message_id: int) -> dict[str, Any]:
        """A stored message of that channel, or 404 Unknown Message."""
        message = self.messages_by_channel.get(channel_id, {}).get(message_id)
        if message is None:
            raise errors.not_found(errors.UNKNOWN_MESSAGE, "Message")
        return message

    def permissions(self, guild_id: int | None, user_id: int, channel_id: int | None = None) -> int:
        """A user's effective permissions in a guild (and channel); DMs count as everything allowed."""
        if guild_id is None:
            return ALL_PERMISSIONS
        return self.guild(guild_id).permissions_in(user_id, channel_id)

    # --- messages --------------------------------------------------------------------------------

    def store_message(self, message: dict[str, Any], *, ephemeral: bool = False) -> None:
        """Keep a message; ephemeral ones are reachable by id but not listed in the channel."""
        message_id = int(message["id"])
        channel_id = int(message["channel_id"])
        self.message_index[message_id] = message
        if not ephemeral:
            self.messages_by_channel.setdefault(channel_id, {})[message_id] = message
            channel = self.channels.get(channel_id)
            if channel is not None:
                channel.last_message_id = message_id
                channel.message_count += 1

    def delete_message(self, channel_id: int, message_id: int) -> None:
        """Forget a message (it stays in nobody's history, as on Discord)."""
        self.messages_by_channel.get(channel_id, {}).pop(message_id, None)
        self.message_index.pop(message_id, None)

    def messages_in(self, channel_id: int) -> list[dict[str, Any]]:
        """A channel's messages, oldest first."""
        return list(self.messages_by_channel.get(channel_id, {}).values())

    # --- application commands --------------------------------------------------------------------

    def put_commands(self, scope: Scope, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Bulk-overwrite a scope's commands, keeping ids stable per (name, type) like Discord."""
        stored: dict[CommandKey, dict[str, Any]] = {}
        for body in commands:
            command = copy.deepcopy(body)
            ctype = int(command.get("type", 1))
            key = (scope, command["name"], ctype)
            command_id = self._command_ids.setdefault(key, self.ids.next())
            command.update(
                id=str(command_id),
                application_id=str(self.application_id),
                version=str(self.ids.next()),
                type=ctype,
                description=command.get("description", ""),
                default_member_permissions=command.get("default_member_permissions"),
                nsfw=command.get("nsfw", False),
                integration_types=command.get("integration_types", [0]),
                contexts=command.get("contexts"),
            )
            if scope is not None:
                command["guild_id"] = str(scope)
            stored[(command["name"], ctype)] = command
        self.commands[scope] = stored
        return [copy.deepcopy(c) for c in stored.values()]

    def get_commands(self, scope: Scope) -> list[dict[str, Any]]:
        """A scope's synced commands as ``GET .../commands`` lists them."""
        return [copy.deepcopy(c) for c in self.commands.get(scope, {}).values()]

    def find_command(self, guild_id: int | None, name: str, ctype: int = 1) -> dict[str, Any] | None:
        """The command a user would pick: the guild's own first, then the global one."""
        if guild_id is not None:
            found = self.commands.get(guild_id, {}).get((name, ctype))
            if found is not None:
                return found
        return self.commands.get(None, {}).get((name, ctype))

    # --- JSON views ------------------------------------------------------------------------------

    def channel_payload(self, channel: Channel) -> dict[str, Any]:
        """Channel object, resolving a DM's recipient."""
        recipient = self.users.get(channel.recipient_id) if channel.recipient_id else None
        return channel.payload(recipient)

    def guild_payload(self, guild: Guild) -> dict[str, Any]:
        """Guild object as ``GET /guilds/{id}`` answers it (no members/channels)."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": str(guild.system_channel_id) if guild.system_channel_id else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "vanity_url_code": None,
            "application_id": None,
            "max_members": 500000,
            "max_presences": None,
            "features": [],
            "roles": [r.payload() for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "incidents_data": None,
        }

    def guild_create_payload(self, guild: Guild, *, only_bot_member: bool = False) -> dict[str, Any]:
        """GUILD_CREATE data: the REST object plus channels, members and ``member_count``.

        ``member_count == len(members)`` unless ``only_bot_member`` mimics Discord without the
        presences intent (then discord.py asks for member chunks, which the gateway answers).
        """
        members = list(guild.members.values())
        shown = [m for m in members if m.user.id == self.bot_user.id] if only_bot_member else members
        data = self.guild_payload(guild)
        data.update(
            unavailable=False,
            large=False,
            lazy=True,
            joined_at=guild.members[self.bot_user.id].joined_at,
            member_count=len(members),
            members=[m.payload() for m in shown],
            channels=[c.payload() for c in guild.channels.values()],
            threads=[t.payload() for t in guild.threads.values() if not t.archived],
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=list(guild.scheduled_events.values()),
            soundboard_sounds=[],
            embedded_activities=[],
        )
        for channel in data["channels"]:
            channel.pop("guild_id", None)  # GUILD_CREATE omits it; the guild is implied
        return data
