"""REST handlers for identity, gateway discovery, guilds and application commands.

Answers carry the fields discord.py reads (checked against ``discord/types/*.py``) so the real client
builds real objects from them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import UNKNOWN_APPLICATION as UNKNOWN_APP
from .errors import field_error, invalid_form, merge_errors, not_found
from .server import Reply, RestRequest, Router

if TYPE_CHECKING:
    from .double import DiscordDouble

COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


async def get_me(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /users/@me``: the bot user (login step 1)."""
    user = double.state.bot_user.payload()
    user.update(verified=True, mfa_enabled=False, email=None, locale="en-US", premium_type=0)
    return Reply(200, user)


async def get_user(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /users/{user_id}``."""
    return Reply(200, double.state.user(req.id("user_id")).payload())


async def get_application(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /oauth2/applications/@me`` (login step 2). No interactions_endpoint_url: events come by gateway."""
    state = double.state
    return Reply(
        200,
        {
            "id": str(state.application_id),
            "name": state.bot_user.username,
            "icon": None,
            "description": "Loopback application of the Discord double",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": state.verify_key,
            "flags": 0,
            "owner": state.owner_user.payload(),
            "team": None,
            "bot": state.bot_user.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(state.guilds),
            "tags": [],
            "install_params": None,
            "integration_types_config": {"0": {}},
        },
    )


async def get_gateway(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /gateway``."""
    return Reply(200, {"url": double.gateway_url})


async def get_gateway_bot(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /gateway/bot`` (AutoShardedClient only)."""
    limit = {
        "total": 1000,
        "remaining": 1000 - double.gateway.identify_count,
        "reset_after": 14400000,
        "max_concurrency": 1,
    }
    return Reply(200, {"url": double.gateway_url, "shards": 1, "session_start_limit": limit})


def _check_commands(commands: Any) -> None:
    """Reject what Discord rejects on sync: bad names, descriptions, too many options or choices."""
    if not isinstance(commands, list):
        raise invalid_form(field_error([], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"))
    errors: dict[str, Any] = {}

    def check(node: dict[str, Any], path: list[str | int], chat: bool) -> None:
        name = str(node.get("name") or "")
        valid = COMMAND_NAME.match(name) and name == name.lower() if chat else 1 <= len(name) <= 32
        if not valid:
            merge_errors(
                errors,
                field_error([*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"),
            )
        if chat and not 1 <= len(node.get("description") or "") <= 100:
            merge_errors(
                errors,
                field_error(
                    [*path, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                ),
            )
        options = node.get("options") or []
        if len(options) > 25:
            merge_errors(
                errors,
                field_error([*path, "options"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."),
            )
        if len(node.get("choices") or []) > 25:
            merge_errors(
                errors,
                field_error([*path, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."),
            )
        seen_optional = False
        for i, option in enumerate(options):
            if option.get("required") and seen_optional:
                merge_errors(
                    errors,
                    field_error(
                        [*path, "options", i, "required"],
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    ),
                )
            seen_optional = seen_optional or not option.get("required")
            check(option, [*path, "options", i], True)

    for index, command in enumerate(commands):
        check(command, [index], int(command.get("type", 1)) == 1)
    if errors:
        raise invalid_form(errors)


def _scope(double: DiscordDouble, req: RestRequest) -> int | None:
    if req.id("application_id") != double.state.application_id:
        raise not_found(UNKNOWN_APP, "Application")
    if "guild_id" in req.params:
        return double.state.guild(req.id("guild_id")).id
    return None


async def put_commands(double: DiscordDouble, req: RestRequest) -> Reply:
    """``PUT .../commands``: bulk overwrite (what ``tree.sync()`` does)."""
    scope = _scope(double, req)
    _check_commands(req.json)
    return Reply(200, double.state.put_commands(scope, req.json))


async def get_commands(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET .../commands``."""
    return Reply(200, double.state.get_commands(_scope(double, req)))


async def get_guild(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /guilds/{guild_id}`` (``?with_counts=true`` adds the approximate counts)."""
    guild = double.state.guild(req.id("guild_id"))
    data = double.state.guild_payload(guild)
    if req.query.get("with_counts", "").lower() in ("true", "1"):
        data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
    return Reply(200, data)


async def get_roles(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /guilds/{guild_id}/roles``."""
    guild = double.state.guild(req.id("guild_id"))
    return Reply(200, [r.payload() for r in guild.roles.values()])


async def get_guild_channels(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /guilds/{guild_id}/channels``."""
    guild = double.state.guild(req.id("guild_id"))
    return Reply(200, [c.payload() for c in guild.channels.values()])


async def get_member(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /guilds/{guild_id}/members/{user_id}``."""
    return Reply(200, double.state.member(req.id("guild_id"), req.id("user_id")).payload())


async def list_members(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /guilds/{guild_id}/members?limit&after`` (ordered by user id, as Discord pages them)."""
    guild = double.state.guild(req.id("guild_id"))
    limit = max(1, min(1000, int(req.query.get("limit", 1))))
    after = int(req.query.get("after", 0))
    members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
    return Reply(200, [m.payload() for m in members[:limit]])


def register(router: Router) -> None:
    """Add this module's routes (literal ``@me`` routes before ``{user_id}``)."""
    router.add("GET", "/users/@me", get_me)
    router.add("GET", "/users/{user_id}", get_user)
    router.add("GET", "/oauth2/applications/@me", get_application)
    router.add("GET", "/applications/@me", get_application)
    router.add("GET", "/gateway", get_gateway)
    router.add("GET", "/gateway/bot", get_gateway_bot)
    router.add("PUT", "/applications/{application_id}/commands", put_commands)
    router.add("GET", "/applications/{application_id}/commands", get_commands)
    router.add("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", put_commands)
    router.add("GET", "/applications/{application_id}/guilds/{guild_id}/commands", get_commands)
    router.add("GET", "/guilds/{guild_id}", get_guild)
    router.add("GET", "/guilds/{guild_id}/roles", get_roles)
    router.add("GET", "/guilds/{guild_id}/channels", get_guild_channels)
    router.add("GET", "/guilds/{guild_id}/members", list_members)
    router.add("GET", "/guilds/{guild_id}/members/{user_id}", get_member)
