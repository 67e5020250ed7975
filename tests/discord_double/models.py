"""Plain records for the double's world (users, guilds, roles, channels, members) and their JSON forms.

Every ``payload()`` returns the dict Discord's API v10 would send, with snowflakes as strings,
because discord.py parses the wire format and nothing else.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import time
from dataclasses import dataclass, field
from typing import Any

import discord

DISCORD_EPOCH_MS = 1420070400000

# Permission bits the double checks itself (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_MESSAGES = 1 << 13
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
MENTION_EVERYONE = 1 << 17
MANAGE_ROLES = 1 << 28
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
PIN_MESSAGES = 1 << 51
THREAD_TYPES = (10, 11, 12)  # announcement, public and private threads
ALL_PERMISSIONS = discord.Permissions.all().value

# What a fresh guild's @everyone role gets on Discord today (roughly the client's default set).
DEFAULT_EVERYONE_PERMISSIONS = discord.Permissions(
    create_instant_invite=True,
    add_reactions=True,
    stream=True,
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    use_external_emojis=True,
    connect=True,
    speak=True,
    use_voice_activation=True,
    change_nickname=True,
    use_application_commands=True,
    request_to_speak=True,
    create_public_threads=True,
    create_private_threads=True,
    use_external_stickers=True,
    send_messages_in_threads=True,
    use_embedded_activities=True,
).value


class Snowflakes:
    """Issue real-looking, strictly increasing snowflakes: ``((ms - epoch) << 22) | worker | n``.

    discord.py derives ``created_at`` from ids and keys views by message id, so ids must look real
    and never repeat.
    """

    def __init__(self) -> None:
        self._last = 0
        self._counter = itertools.count()
        self._process = os.getpid() & 0x1F

    def next(self) -> int:
        """Return a new snowflake for the current millisecond."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (1 << 17) | (self._process << 12) | (next(self._counter) & 0xFFF)
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return value


def snowflake_time(snowflake: int) -> str:
    """ISO-8601 timestamp encoded in a snowflake, in the format Discord sends."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat()


def now_iso() -> str:
    """Current UTC time in Discord's timestamp format."""
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass
class User:
    """A Discord user (a member's identity across guilds)."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        """User object as found in messages, members and interactions."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    """A guild role; the @everyone role shares its guild's id, as on Discord."""

    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False

    def payload(self) -> dict[str, Any]:
        """Role object as in GUILD_CREATE and ``GET /guilds/{id}/roles``."""
        return {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class Channel:
    """A guild text channel (type 0), a DM channel (type 1) or a thread (types 10-12, ``parent_id`` set)."""

    id: int
    name: str | None
    type: int = 0
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    permission_overwrites: list[dict[str, Any]] = field(default_factory=list)
    recipient_id: int | None = None
    last_message_id: int | None = None
    owner_id: int | None = None  # threads: who started it
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    message_count: int = 0
    member_ids: list[int] = field(default_factory=list)  # threads: its members
    created_at: str = field(default_factory=now_iso)

    @property
    def is_thread(self) -> bool:
        """Whether this is a thread (its permissions come from ``parent_id``)."""
        return self.type in THREAD_TYPES

    def payload(self, recipient: User | None = None) -> dict[str, Any]:
        """Channel object; DM channels carry their recipient instead of guild fields."""
        last = str(self.last_message_id) if self.last_message_id else None
        if self.type == 1:
            return {
                "id": str(self.id),
                "type": 1,
                "last_message_id": last,
                "flags": 0,
                "recipients": [recipient.payload()] if recipient else [],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": self.permission_overwrites,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "topic": self.topic,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": last,
            "flags": 0,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.is_thread:
            for key in ("position", "permission_overwrites", "topic"):
                del data[key]
            data.update(
                owner_id=str(self.owner_id),
                message_count=self.message_count,
                total_message_sent=self.message_count,
                member_count=min(len(self.member_ids), 50),
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.created_at,
                    "locked": self.locked,
                    "create_timestamp": self.created_at,
                    **({"invitable": True} if self.type == 12 else {}),
                },
            )
        return data

    def thread_member(self, user_id: int) -> dict[str, Any]:
        """Thread member object (the ``member`` of THREAD_CREATE for the thread's creator)."""
        return {"id": str(self.id), "user_id": str(user_id), "join_timestamp": self.created_at, "flags": 0}


@dataclass
class Member:
    """A user's membership of one guild."""

    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)

    @property
    def id(self) -> int:
        """The member's user id (what tests pass around)."""
        return self.user.id

    @property
    def username(self) -> str:
        """The member's username."""
        return self.user.username

    def payload(self, *, with_user: bool = True) -> dict[str, Any]:
        """Guild member object; messages carry it without ``user`` (the author is beside it)."""
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class Guild:
    """A guild with its roles, channels and members (the bot is always a member)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    threads: dict[int, Channel] = field(
        default_factory=dict
    )  # active threads (listed apart, as in GUILD_CREATE)
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)
    system_channel_id: int | None = None
    joined_at: str = field(default_factory=now_iso)

    def top_role_position(self, user_id: int) -> int:
        """Position of the member's highest role (0 = only @everyone), for role-hierarchy checks."""
        member = self.members.get(user_id)
        positions = [self.roles[r].position for r in (member.roles if member else []) if r in self.roles]
        return max(positions, default=0)

    @property
    def everyone(self) -> Role:
        """The @everyone role (id == guild id)."""
        return self.roles[self.id]

    def base_permissions(self, user_id: int) -> int:
        """Guild-level permissions: owner and ADMINISTRATOR get everything, else @everyone | roles."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        perms = self.everyone.permissions
        for role_id in member.roles if member else []:
            role = self.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def permissions_in(self, user_id: int, channel_id: int | None) -> int:
        """Channel permissions: base, then @everyone, role and member overwrites, in Discord's order."""
        perms = self.base_permissions(user_id)
        thread = self.threads.get(channel_id) if channel_id is not None else None
        if thread is not None:  # a thread has no overwrites of its own: its parent's apply
            channel_id = thread.parent_id
        channel = self.channels.get(channel_id) if channel_id is not None else None
        if perms & ADMINISTRATOR or user_id == self.owner_id or channel is None:
            return perms
        member = self.members.get(user_id)
        member_roles = {str(r) for r in member.roles} if member else set()
        overwrites = channel.permission_overwrites
        for ow in overwrites:
            if ow["id"] == str(self.id):
                perms = (perms & ~int(ow["deny"])) | int(ow["allow"])
        allow = deny = 0
        for ow in overwrites:
            if ow.get("type", 0) == 0 and ow["id"] in member_roles:
                allow |= int(ow["allow"])
                deny |= int(ow["deny"])
        perms = (perms & ~deny) | allow
        for ow in overwrites:
            if ow.get("type") == 1 and ow["id"] == str(user_id):
                perms = (perms & ~int(ow["deny"])) | int(ow["allow"])
        return perms
