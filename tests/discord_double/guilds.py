"""REST handlers for guild administration: member roles, scheduled events, and leaving a guild.

The checks are Discord's: Manage Roles plus role hierarchy (the bot's highest role must sit above
the role it hands out) for member roles, Create/Manage Events for scheduled events, each failing
with 403 code 50013 and the gateway event Discord would send on success.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from . import errors
from .errors import RestError
from .gateway import INTENT_GUILD_MEMBERS
from .models import CREATE_EVENTS, MANAGE_EVENTS, MANAGE_ROLES, Guild, Role
from .server import Reply, RestRequest, Router

if TYPE_CHECKING:
    from .double import DiscordDouble

UNKNOWN_ROLE = 10011
UNKNOWN_SCHEDULED_EVENT = 10070
INTENT_GUILD_SCHEDULED_EVENTS = 1 << 16
STAGE, VOICE, EXTERNAL = 1, 2, 3
EVENT_FIELDS = (
    "channel_id",
    "entity_metadata",
    "name",
    "privacy_level",
    "scheduled_start_time",
    "scheduled_end_time",
    "description",
    "entity_type",
    "image",
    "status",
)


# --- member roles ---------------------------------------------------------------------------------


def _role_to_manage(double: DiscordDouble, req: RestRequest) -> tuple[Guild, Role]:
    """The guild and role, once the bot may hand that role out (Manage Roles and hierarchy)."""
    state = double.state
    guild = state.guild(req.id("guild_id"))
    state.member(guild.id, req.id("user_id"))
    role = guild.roles.get(req.id("role_id"))
    if role is None:
        raise errors.not_found(UNKNOWN_ROLE, "Role")
    bot_id = state.bot_user.id
    if bot_id != guild.owner_id:
        if not guild.base_permissions(bot_id) & MANAGE_ROLES:
            raise errors.missing_permissions()
        if role.position >= guild.top_role_position(bot_id) or role.id == guild.id:
            raise errors.missing_permissions()
    return guild, role


def member_update(double: DiscordDouble, guild_id: int, user_id: int) -> None:
    """GUILD_MEMBER_UPDATE for a member's current state (members intent, as on Discord)."""
    member = double.state.member(guild_id, user_id)
    double.gateway.dispatch(
        "GUILD_MEMBER_UPDATE",
        {**member.payload(), "guild_id": str(guild_id)},
        guild_id=guild_id,
        intent=INTENT_GUILD_MEMBERS,
    )


async def add_member_role(double: DiscordDouble, req: RestRequest) -> Reply:
    """``PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}`` (idempotent, 204)."""
    guild, role = _role_to_manage(double, req)
    member = guild.members[req.id("user_id")]
    if role.id not in member.roles:
        member.roles.append(role.id)
        member_update(double, guild.id, member.id)
    return Reply(204)


async def remove_member_role(double: DiscordDouble, req: RestRequest) -> Reply:
    """``DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}`` (idempotent, 204)."""
    guild, role = _role_to_manage(double, req)
    member = guild.members[req.id("user_id")]
    if role.id in member.roles:
        member.roles.remove(role.id)
        member_update(double, guild.id, member.id)
    return Reply(204)


# --- scheduled events -----------------------------------------------------------------------------


def _event(guild: Guild, req: RestRequest) -> dict[str, Any]:
    found = guild.scheduled_events.get(req.id("event_id"))
    if found is None:
        raise errors.not_found(UNKNOWN_SCHEDULED_EVENT, "Guild Scheduled Event")
    return found


def _check_event(guild: Guild, event: dict[str, Any], creating: bool) -> None:
    """Discord's validation of a scheduled event, reported as 50035 field errors."""
    problems: dict[str, Any] = {}

    def bad(path: list[str | int], code: str, message: str) -> None:
        errors.merge_errors(problems, errors.field_error(path, code, message))

    if not 1 <= len(str(event.get("name") or "")) <= 100:
        bad(["name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if len(str(event.get("description") or "")) > 1000:
        bad(["description"], "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length.")
    if event.get("privacy_level") != 2:
        bad(["privacy_level"], "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    entity = event.get("entity_type")
    if entity not in (STAGE, VOICE, EXTERNAL):
        bad(["entity_type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    start = _parse_time(event.get("scheduled_start_time"))
    end = _parse_time(event.get("scheduled_end_time"))
    if start is None:
        bad(["scheduled_start_time"], "BASE_TYPE_REQUIRED", "This field is required")
    elif creating and start < dt.datetime.now(dt.UTC):
        bad(
            ["scheduled_start_time"],
            "GUILD_SCHEDULED_EVENT_SCHEDULED_START_TIME_IN_PAST",
            "Cannot schedule event in the past.",
        )
    if entity == EXTERNAL:
        if not (event.get("entity_metadata") or {}).get("location"):
            bad(["entity_metadata", "location"], "BASE_TYPE_REQUIRED", "This field is required")
        if end is None:
            bad(["scheduled_end_time"], "BASE_TYPE_REQUIRED", "This field is required")
    elif entity in (STAGE, VOICE) and int(event.get("channel_id") or 0) not in guild.channels:
        bad(["channel_id"], "BASE_TYPE_REQUIRED", "This field is required")
    if start is not None and end is not None and end <= start:
        bad(["scheduled_end_time"], "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "End time must be after start.")
    if problems:
        raise errors.invalid_form(problems)


def _parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _dispatch_event(double: DiscordDouble, name: str, event: dict[str, Any]) -> None:
    guild_id = int(event["guild_id"])
    double.gateway.dispatch(name, event, guild_id=guild_id, intent=INTENT_GUILD_SCHEDULED_EVENTS)


def _may_manage(double: DiscordDouble, guild: Guild, event: dict[str, Any] | None) -> None:
    """Create Events for new/own events, Manage Events for anyone's (else 403 50013)."""
    perms = guild.base_permissions(double.state.bot_user.id)
    own = event is None or event.get("creator_id") == str(double.state.bot_user.id)
    if not perms & MANAGE_EVENTS and not (own and perms & CREATE_EVENTS):
        raise errors.missing_permissions()


async def list_events(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /guilds/{guild_id}/scheduled-events[?with_user_count=1]``."""
    guild = double.state.guild(req.id("guild_id"))
    return Reply(200, list(guild.scheduled_events.values()))


async def get_event(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /guilds/{guild_id}/scheduled-events/{event_id}``."""
    return Reply(200, _event(double.state.guild(req.id("guild_id")), req))


async def create_event(double: DiscordDouble, req: RestRequest) -> Reply:
    """``POST /guilds/{guild_id}/scheduled-events``: stored, answered and echoed (..._CREATE)."""
    state = double.state
    guild = state.guild(req.id("guild_id"))
    _may_manage(double, guild, None)
    body = {k: v for k, v in req.body().items() if k in EVENT_FIELDS and k != "status"}
    _check_event(guild, body, creating=True)
    event_id = state.ids.next()
    event: dict[str, Any] = {
        "id": str(event_id),
        "guild_id": str(guild.id),
        "channel_id": None,
        "creator_id": str(state.bot_user.id),
        "creator": state.bot_user.payload(),
        "description": None,
        "scheduled_end_time": None,
        "status": 1,  # SCHEDULED
        "entity_id": None,
        "entity_metadata": None,
        "user_count": 0,
        "image": None,
        "recurrence_rule": None,
        **body,
    }
    guild.scheduled_events[event_id] = event
    _dispatch_event(double, "GUILD_SCHEDULED_EVENT_CREATE", event)
    return Reply(200, event)


async def edit_event(double: DiscordDouble, req: RestRequest) -> Reply:
    """``PATCH /guilds/{guild_id}/scheduled-events/{event_id}`` (status moves 1->2->3, or 1->4)."""
    guild = double.state.guild(req.id("guild_id"))
    event = _event(guild, req)
    _may_manage(double, guild, event)
    changes = {k: v for k, v in req.body().items() if k in EVENT_FIELDS}
    if int(event["status"]) in (3, 4):
        raise RestError(400, 180000, "Cannot update a finished event")
    if "status" in changes:
        allowed = {1: {2, 4}, 2: {3}}[int(event["status"])]
        if int(changes["status"]) not in allowed:
            raise errors.invalid_form(
                errors.field_error(
                    ["status"], "BASE_TYPE_CHOICES", f"Value must be one of {sorted(allowed)}."
                )
            )
    merged = {**event, **changes}
    _check_event(guild, merged, creating=False)
    event.update(changes)
    _dispatch_event(double, "GUILD_SCHEDULED_EVENT_UPDATE", event)
    return Reply(200, event)


async def delete_event(double: DiscordDouble, req: RestRequest) -> Reply:
    """``DELETE /guilds/{guild_id}/scheduled-events/{event_id}``."""
    guild = double.state.guild(req.id("guild_id"))
    event = _event(guild, req)
    _may_manage(double, guild, event)
    del guild.scheduled_events[int(event["id"])]
    _dispatch_event(double, "GUILD_SCHEDULED_EVENT_DELETE", event)
    return Reply(204)


# --- leaving ----------------------------------------------------------------------------------------


async def leave_guild(double: DiscordDouble, req: RestRequest) -> Reply:
    """``DELETE /users/@me/guilds/{guild_id}``: the bot leaves (GUILD_DELETE, ``on_guild_remove``)."""
    guild = double.state.guild(req.id("guild_id"))
    if guild.owner_id == double.state.bot_user.id:
        raise errors.invalid_form(errors.field_error(["guild_id"], "INVALID_GUILD", "Owner cannot leave"))
    double.remove_guild(guild.id)
    return Reply(204)


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("DELETE", "/users/@me/guilds/{guild_id}", leave_guild)
    router.add("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", add_member_role)
    router.add("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", remove_member_role)
    router.add("GET", "/guilds/{guild_id}/scheduled-events", list_events)
    router.add("POST", "/guilds/{guild_id}/scheduled-events", create_event)
    router.add("GET", "/guilds/{guild_id}/scheduled-events/{event_id}", get_event)
    router.add("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}", edit_event)
    router.add("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}", delete_event)
