"""Simulated interactions: the INTERACTION_CREATE payloads a Discord client would cause, and a record
of how the bot answered each one (callback, follow-ups, edits).

Slash-command data is built from the commands the bot actually synced, so a test that invokes an
unsynced command or a misspelt option fails loudly instead of passing against an imaginary schema.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from .errors import RestError
from .models import ADMINISTRATOR, Channel, Member, Role, User
from .recording import RecordedRequest

if TYPE_CHECKING:
    from .double import DiscordDouble

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # an unboosted guild's upload limit
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11


class Interaction:
    """One interaction the double dispatched, and the bot's answers to it."""

    def __init__(self, double: DiscordDouble, payload: dict[str, Any]) -> None:
        self._double = double
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.guild_id = int(payload["guild_id"]) if "guild_id" in payload else None
        self.channel_id = int(payload["channel"]["id"])
        user = payload["member"]["user"] if "member" in payload else payload["user"]
        self.user_id = int(user["id"])
        self.created = asyncio.get_running_loop().time()
        self.callbacks: list[dict[str, Any]] = []  # every callback body, rejected repeats included
        self.response_request: RecordedRequest | None = None
        self.followups: list[dict[str, Any]] = []  # bodies of follow-up messages, in order
        self.followup_messages: list[dict[str, Any]] = []  # the messages they became
        self.edits: list[dict[str, Any]] = []  # PATCH bodies sent to the interaction webhook
        self.original_message_id: int | None = None  # message behind @original
        self.loading = False  # deferred with "thinking": the first follow-up edits @original
        self.modal: dict[str, Any] | None = None  # data of a type-9 (modal) answer
        self._response: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._followup_cursor = 0
        self._followup_added = asyncio.Event()

    def __repr__(self) -> str:
        return f"<Interaction id={self.id} type={self.type} data={self.payload.get('data')!r}>"

    @property
    def data(self) -> dict[str, Any]:
        """The ``data`` object the bot received."""
        return self.payload["data"]

    @property
    def acknowledged(self) -> bool:
        """Whether the bot has answered (callback accepted)."""
        return self._response.done()

    @property
    def response(self) -> Awaitable[dict[str, Any]]:
        """``await inter.response``: the callback body (``{"type", "data"}``), waiting up to 5 s."""
        return self.wait_response()

    async def wait_response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The accepted callback body, waiting up to ``timeout`` seconds for the bot to answer."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._response), timeout)
        except TimeoutError:
            raise AssertionError(f"the bot did not answer interaction {self!r} within {timeout}s") from None

    async def wait_followup(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next follow-up body not yet returned by this method, waiting up to ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.followups) <= self._followup_cursor:
            self._followup_added.clear()
            try:
                await asyncio.wait_for(self._followup_added.wait(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise AssertionError(
                    f"no follow-up #{self._followup_cursor + 1} to {self!r} within {timeout}s"
                ) from None
        self._followup_cursor += 1
        return self.followups[self._followup_cursor - 1]

    @property
    def message(self) -> dict[str, Any] | None:
        """The current state of the message behind ``@original`` (response message or clicked message)."""
        if self.original_message_id is None:
            return None
        return self._double.state.message_index.get(self.original_message_id)

    # --- called by the REST handlers ----------------------------------------------------------

    def accept(self, body: dict[str, Any], request: RecordedRequest) -> None:
        """Record the accepted callback and wake ``response`` waiters."""
        self.response_request = request
        if not self._response.done():
            self._response.set_result(body)

    def add_followup(self, body: dict[str, Any], message: dict[str, Any] | None) -> None:
        """Record a follow-up and wake ``wait_followup``."""
        self.followups.append(body)
        if message is not None:
            self.followup_messages.append(message)
        self._followup_added.set()


# --- building INTERACTION_CREATE ------------------------------------------------------------------


def base_payload(
    double: DiscordDouble, itype: int, guild_id: int | None, channel_id: int | None, user_id: int
) -> dict[str, Any]:
    """Fields every INTERACTION_CREATE has, for a guild channel or the user's DM with the bot."""
    try:
        return _base_payload(double, itype, guild_id, channel_id, user_id)
    except RestError as exc:  # a test naming a user/guild/channel that does not exist
        raise AssertionError(f"cannot build interaction: {exc.message}") from None


def _base_payload(
    double: DiscordDouble, itype: int, guild_id: int | None, channel_id: int | None, user_id: int
) -> dict[str, Any]:
    state = double.state
    user = state.user(user_id)
    payload: dict[str, Any] = {
        "id": str(state.ids.next()),
        "application_id": str(state.application_id),
        "type": itype,
        "token": f"aW50ZXJhY3Rpb24{state.ids.next()}{double.random_token()}",
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild_id is None:
        channel = state.channel(channel_id) if channel_id is not None else state.dm_channel(user_id)
        payload.update(
            channel=state.channel_payload(channel),
            channel_id=str(channel.id),
            user=user.payload(),
            context=1,
            authorizing_integration_owners={"0": "0"},
            app_permissions=str(state.permissions(None, state.bot_user.id)),
        )
        return payload
    guild = state.guild(guild_id)
    member = state.member(guild_id, user_id)
    # A thread is a channel too: buttons on messages in threads are clicked there.
    channel = guild.channels.get(channel_id) or guild.threads.get(channel_id) if channel_id else None
    if channel is None:
        raise AssertionError(f"channel {channel_id} is not in guild {guild.name!r}")
    member_data = member.payload()
    member_data["permissions"] = str(guild.permissions_in(user_id, channel_id))
    channel_data = state.channel_payload(channel)
    channel_data["permissions"] = member_data["permissions"]
    payload.update(
        guild_id=str(guild_id),
        guild={"id": str(guild_id), "locale": "en-US", "features": []},
        guild_locale="en-US",
        channel=channel_data,
        channel_id=str(channel_id),
        member=member_data,
        context=0,
        authorizing_integration_owners={"0": str(guild_id)},
        app_permissions=str(guild.permissions_in(state.bot_user.id, channel_id)),
    )
    return payload


def check_can_use(double: DiscordDouble, command: dict[str, Any], guild_id: int | None, user_id: int) -> None:
    """Refuse what Discord's client would not let the user send (contexts, default permissions)."""
    contexts = command.get("contexts")
    if guild_id is None and (command.get("guild_id") or (contexts is not None and 1 not in contexts)):
        raise AssertionError(f"/{command['name']} is not available in DMs")
    if guild_id is not None and contexts is not None and 0 not in contexts:
        raise AssertionError(f"/{command['name']} is not available in guilds")
    required = command.get("default_member_permissions")
    if guild_id is None or required is None:
        return
    perms = double.state.guild(guild_id).base_permissions(user_id)
    needed = int(required) or ADMINISTRATOR  # "0" = admins only
    if perms & needed != needed:
        raise AssertionError(
            f"Discord hides /{command['name']} from user {user_id} (default_member_permissions={required}); "
            "pass enforce_permissions=False to simulate a server admin overriding it"
        )


def resolve_value(
    double: DiscordDouble,
    option: dict[str, Any],
    value: Any,
    resolved: dict[str, dict[str, Any]],
    guild_id: int | None,
) -> Any:
    """Check a value the way Discord's client constrains input, and fill ``resolved`` for snowflakes."""
    state, otype, name = double.state, option["type"], option["name"]
    if isinstance(value, User | Role | Channel | Member):
        value = value.id
    if otype == STRING:
        if not isinstance(value, str):
            raise AssertionError(f"option {name!r} takes a string, got {value!r}")
        if not option.get("min_length", 0) <= len(value) <= option.get("max_length", 6000):
            raise AssertionError(f"option {name!r}: length {len(value)} outside the command's bounds")
    elif otype in (INTEGER, NUMBER):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (otype == INTEGER and value != int(value))
        ):
            raise AssertionError(f"option {name!r} takes a {'integer' if otype == INTEGER else 'number'}")
        low, high = option.get("min_value"), option.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise AssertionError(f"option {name!r}: {value} outside [{low}, {high}]")
    elif otype == BOOLEAN and not isinstance(value, bool):
        raise AssertionError(f"option {name!r} takes a boolean")
    if option.get("choices") and value not in [c["value"] for c in option["choices"]]:
        raise AssertionError(f"option {name!r}: {value!r} is not one of its choices")
    if otype in (USER, MENTIONABLE) and int(value) in state.users:
        user = state.users[int(value)]
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        if guild_id is not None and user.id in state.guild(guild_id).members:
            member = state.guild(guild_id).members[user.id].payload(with_user=False)
            member["permissions"] = str(state.guild(guild_id).base_permissions(user.id))
            resolved.setdefault("members", {})[str(user.id)] = member
        return str(value)
    if otype in (ROLE, MENTIONABLE) and guild_id is not None and int(value) in state.guild(guild_id).roles:
        resolved.setdefault("roles", {})[str(value)] = state.guild(guild_id).roles[int(value)].payload()
        return str(value)
    if otype == CHANNEL and int(value) in state.channels:
        channel = state.channels[int(value)]
        if option.get("channel_types") and channel.type not in option["channel_types"]:
            raise AssertionError(f"option {name!r} does not accept channel type {channel.type}")
        data = state.channel_payload(channel)
        data["permissions"] = str(state.permissions(guild_id, state.bot_user.id, channel.id))
        resolved.setdefault("channels", {})[str(channel.id)] = data
        return str(value)
    if otype == ATTACHMENT:
        filename, content = value
        att_id = state.ids.next()
        ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        state.attachments[att_id] = (filename, content, ctype)
        url = state.attachment_url(double.base_url, 0, att_id, filename)
        resolved.setdefault("attachments", {})[str(att_id)] = {
            "id": str(att_id),
            "filename": filename,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": ctype,
            "ephemeral": True,
        }
        return str(att_id)
    if otype in (USER, ROLE, CHANNEL, MENTIONABLE):
        raise AssertionError(f"option {name!r}: no such user/role/channel {value!r}")
    return value


def command_data(
    double: DiscordDouble,
    guild_id: int | None,
    path: str,
    options: dict[str, Any],
    *,
    focused: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build ``data`` for a slash command or autocomplete from the synced definition.

    Returns (data, synced top-level command). Raises AssertionError for an unsynced command, an
    unknown or missing option, or a value Discord's client would not accept.
    """
    names = path.strip().lstrip("/").split()
    command = double.state.find_command(guild_id, names[0])
    if command is None:
        synced = sorted(c["name"] for scope in (None, guild_id) for c in double.state.get_commands(scope))
        raise AssertionError(f"/{names[0]} was never synced (synced here: {synced})")
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1}
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    node, container = command, data
    for name in names[1:]:
        sub = next((o for o in node.get("options", []) if o["name"] == name), None)
        if sub is None or sub["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
            raise AssertionError(f"/{path}: {name!r} is not a subcommand of {node['name']!r}")
        entry: dict[str, Any] = {"name": name, "type": sub["type"], "options": []}
        container.setdefault("options", []).append(entry)
        node, container = sub, entry
    params = node.get("options", [])
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in params):
        raise AssertionError(f"/{path} is a group; name one of its subcommands")
    known = {o["name"]: o for o in params}
    for name in options:
        if name not in known:
            raise AssertionError(f"/{path} has no option {name!r} (it has {sorted(known)})")
    if focused is not None and not known.get(focused, {}).get("autocomplete"):
        raise AssertionError(f"/{path}: option {focused!r} has no autocomplete")
    resolved: dict[str, dict[str, Any]] = {}
    values: list[dict[str, Any]] = []
    for option in params:  # in definition order, as Discord sends them
        name = option["name"]
        if name not in options:
            if option.get("required") and focused is None:
                raise AssertionError(f"/{path}: required option {name!r} missing")
            continue
        if focused is not None:  # autocomplete sends raw, possibly partial, input
            value = options[name]
            entry = {"name": name, "type": option["type"], "value": value}
            if name == focused:
                entry["focused"] = True
        else:
            value = resolve_value(double, option, options[name], resolved, guild_id)
            entry = {"name": name, "type": option["type"], "value": value}
        values.append(entry)
    if values:
        container.setdefault("options", []).extend(values)
    elif container is data:
        data.setdefault("options", [])
    if resolved and focused is None:
        data["resolved"] = resolved
    return data, command
