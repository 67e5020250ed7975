"""Build, edit and present message objects the way Discord does.

Covers what a bot can observe: mentions parsed from content and filtered by ``allowed_mentions``,
replies (``message_reference`` -> type 19 + ``referenced_message``), uploaded attachments served
back by the double, embeds dropped without EMBED_LINKS, and the gateway view that blanks content
for a bot without the message-content intent.
"""

from __future__ import annotations

import copy
import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from .errors import field_error, invalid_form
from .models import EMBED_LINKS, MENTION_EVERYONE, Channel, User, now_iso, snowflake_time
from .state import DoubleState

USER_MENTION = re.compile(r"<@!?(\d{15,21})>")
ROLE_MENTION = re.compile(r"<@&(\d{15,21})>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")
MESSAGE_CONTENT_INTENT = 1 << 15
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7


@dataclass(frozen=True)
class Upload:
    """One uploaded file from a multipart body: form field name, filename and bytes."""

    field: str
    filename: str
    data: bytes
    content_type: str | None = None


def _mentions(
    state: DoubleState,
    channel: Channel,
    author: User,
    content: str,
    allowed: dict[str, Any] | None,
    replied: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], list[str], bool]:
    """Parse mentions and keep those ``allowed_mentions`` lets through (all of them when absent)."""
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    explicit_users = set((allowed or {}).get("users") or [])
    explicit_roles = set((allowed or {}).get("roles") or [])
    users: list[dict[str, Any]] = []
    seen: set[int] = set()
    for raw in USER_MENTION.findall(content):
        uid = int(raw)
        if uid in state.users and uid not in seen and ("users" in parse or raw in explicit_users):
            seen.add(uid)
            users.append(state.users[uid].payload())
    if replied is not None:
        replied_id = int(replied["author"]["id"])
        wants_ping = allowed is None or bool(allowed.get("replied_user"))
        if wants_ping and replied_id not in seen and replied_id in state.users:
            users.append(state.users[replied_id].payload())
    roles: list[str] = []
    guild = state.guilds.get(channel.guild_id) if channel.guild_id else None
    if guild is not None:
        for raw in ROLE_MENTION.findall(content):
            if int(raw) in guild.roles and raw not in roles and ("roles" in parse or raw in explicit_roles):
                roles.append(raw)
    everyone = bool(EVERYONE_MENTION.search(content)) and "everyone" in parse
    if everyone and state.permissions(channel.guild_id, author.id, channel.id) & MENTION_EVERYONE == 0:
        everyone = False
    return users, roles, everyone


def _attachments(
    state: DoubleState, channel_id: int, body: dict[str, Any], uploads: list[Upload], base_url: str
) -> list[dict[str, Any]]:
    """Turn ``files[n]`` parts (described by ``attachments[]`` in the payload) into attachment objects."""
    described = {str(a.get("id")): a for a in body.get("attachments") or [] if "id" in a}
    result: list[dict[str, Any]] = []
    for index, upload in enumerate(uploads):
        match = re.search(r"\[(\d+)\]", upload.field)
        meta = described.get(match.group(1) if match else str(index), {})
        filename = meta.get("filename") or upload.filename
        att_id = state.ids.next()
        ctype = mimetypes.guess_type(filename)[0] or upload.content_type or "application/octet-stream"
        state.attachments[att_id] = (filename, upload.data, ctype)
        url = state.attachment_url(base_url, channel_id, att_id, filename)
        att: dict[str, Any] = {
            "id": str(att_id),
            "filename": filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": ctype,
        }
        if meta.get("description"):
            att["description"] = meta["description"]
        if filename.startswith("SPOILER_"):
            att["spoiler"] = True
        result.append(att)
    return result


def _embeds(
    state: DoubleState, channel: Channel, author: User, body: dict[str, Any], webhook: bool = False
) -> list[dict[str, Any]]:
    """Embeds as stored: ``type: rich`` added; dropped without EMBED_LINKS (webhooks are exempt), as on Discord."""
    if not body.get("embeds"):
        return []
    if not webhook and state.permissions(channel.guild_id, author.id, channel.id) & EMBED_LINKS == 0:
        return []
    return [{"type": "rich", **copy.deepcopy(e)} for e in body["embeds"]]


def build_message(
    state: DoubleState,
    channel: Channel,
    author: User,
    body: dict[str, Any],
    *,
    uploads: list[Upload] | None = None,
    base_url: str = "",
    extra: dict[str, Any] | None = None,
    webhook: bool = False,
) -> dict[str, Any]:
    """Create (not store) the message object Discord would answer for this send.

    ``webhook`` marks interaction responses and follow-ups, which the bot's channel permissions don't limit.
    """
    message_id = state.ids.next()
    content = str(body.get("content") or "")
    replied: dict[str, Any] | None = None
    reference = body.get("message_reference")
    if reference and reference.get("message_id"):
        ref_channel = int(reference.get("channel_id") or channel.id)
        replied = state.messages_by_channel.get(ref_channel, {}).get(int(reference["message_id"]))
        if replied is None and reference.get("fail_if_not_exists", True):
            raise invalid_form(
                field_error(["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
            )
    users, roles, everyone = _mentions(state, channel, author, content, body.get("allowed_mentions"), replied)
    message: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel.id),
        "type": 19 if replied is not None else 0,
        "content": content,
        "author": author.payload(),
        "attachments": _attachments(state, channel.id, body, uploads or [], base_url),
        "embeds": _embeds(state, channel, author, body, webhook),
        "mentions": users,
        "mention_roles": roles,
        "mention_everyone": everyone,
        "pinned": False,
        "tts": bool(body.get("tts", False)),
        "timestamp": snowflake_time(message_id),
        "edited_timestamp": None,
        "flags": int(body.get("flags") or 0),
        "components": copy.deepcopy(body["components"]) if body.get("components") else [],
    }
    if body.get("nonce") is not None:
        message["nonce"] = body["nonce"]
    if body.get("poll"):
        message["poll"] = copy.deepcopy(body["poll"])
    if replied is not None:
        message["message_reference"] = {
            "type": 0,
            "message_id": replied["id"],
            "channel_id": replied["channel_id"],
            **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
        }
        # A snapshot one level deep, as Discord sends it (no nested referenced_message).
        message["referenced_message"] = {k: v for k, v in replied.items() if k != "referenced_message"}
    message.update(extra or {})
    return message


def apply_edit(
    state: DoubleState,
    message: dict[str, Any],
    body: dict[str, Any],
    *,
    uploads: list[Upload] | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    """Apply a PATCH body to a stored message in place; fields absent from the body stay."""
    channel = state.channel(int(message["channel_id"]))
    author = state.user(int(message["author"]["id"]))
    if "content" in body:
        message["content"] = str(body["content"] or "")
    if "embeds" in body:
        message["embeds"] = _embeds(state, channel, author, body, "webhook_id" in message)
    if "components" in body:
        message["components"] = copy.deepcopy(body["components"] or [])
    if "flags" in body and body["flags"] is not None:
        keep = int(message.get("flags", 0)) & FLAG_EPHEMERAL
        message["flags"] = int(body["flags"]) | keep
    if "attachments" in body or uploads:
        kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
        kept = [a for a in message["attachments"] if "attachments" not in body or a["id"] in kept_ids]
        message["attachments"] = kept + _attachments(state, channel.id, body, uploads or [], base_url)
    if "content" in body or "allowed_mentions" in body:
        users, roles, everyone = _mentions(
            state, channel, author, message["content"], body.get("allowed_mentions"), None
        )
        message.update(mentions=users, mention_roles=roles, mention_everyone=everyone)
    message["flags"] = int(message.get("flags", 0)) & ~FLAG_LOADING
    message["edited_timestamp"] = now_iso()
    return message


def bot_can_read(state: DoubleState, message: dict[str, Any], intents: int) -> bool:
    """Whether Discord shows this message's content to the bot (message-content intent rules)."""
    if intents & MESSAGE_CONTENT_INTENT:
        return True
    bot_id = str(state.bot_user.id)
    channel = state.channels.get(int(message["channel_id"]))
    return (
        message["author"]["id"] == bot_id
        or (channel is not None and channel.type == 1)
        or any(u["id"] == bot_id for u in message.get("mentions", []))
    )


def gateway_view(state: DoubleState, message: dict[str, Any], intents: int) -> dict[str, Any]:
    """MESSAGE_CREATE/UPDATE data: adds ``guild_id``/``member`` and blanks content if the bot can't read it."""
    data = dict(message)
    channel = state.channels.get(int(message["channel_id"]))
    if channel is not None and channel.guild_id is not None:
        guild = state.guilds[channel.guild_id]
        data["guild_id"] = str(guild.id)
        member = guild.members.get(int(message["author"]["id"]))
        if member is not None and "webhook_id" not in message:
            data["member"] = member.payload(with_user=False)
        mentions = []
        for user in message.get("mentions", []):
            mentioned = guild.members.get(int(user["id"]))
            mentions.append({**user, "member": mentioned.payload(with_user=False)} if mentioned else user)
        data["mentions"] = mentions
    if not bot_can_read(state, message, intents):
        data.update(content="", embeds=[], attachments=[], components=[])
        data.pop("poll", None)
    return data
