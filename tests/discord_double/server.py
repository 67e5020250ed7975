"""The HTTP side: one aiohttp app serving REST under /api/v10, the gateway and uploaded attachments.

Responses are built by hand with ``Content-Type: application/json`` exactly: discord.py compares the
header with ``==`` and hands a *string* onward when aiohttp's ``json_response`` adds ``; charset``.
Every request is recorded, unknown routes answer Discord's 404 body, and planned faults apply here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from .errors import RestError, field_error, invalid_form
from .messages import Upload
from .ratelimit import counts_as_invalid
from .recording import RecordedRequest, normalise_template

if TYPE_CHECKING:
    from .double import DiscordDouble

_log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
MAX_BODY = 30 * 1024 * 1024  # above Discord's upload limit, so the double (not aiohttp) answers 413


@dataclass
class RestRequest:
    """A parsed request as handlers see it."""

    method: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    uploads: list[Upload]
    record: RecordedRequest

    def id(self, name: str) -> int:
        """A snowflake path parameter; anything else is Discord's 400 "is not snowflake"."""
        value = self.params[name]
        if not value.isdigit():
            raise invalid_form(
                field_error([name], "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
            )
        return int(value)

    def body(self) -> dict[str, Any]:
        """The JSON object body ({} when absent); a non-object body is a 400 like Discord's."""
        if self.json is None:
            return {}
        if not isinstance(self.json, dict):
            raise RestError(400, 50109, "The request body contains invalid JSON.")
        return self.json


@dataclass
class Reply:
    """A handler's answer: status, JSON body (None -> empty) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["DiscordDouble", RestRequest], Awaitable[Reply]]


@dataclass(frozen=True)
class RouteDef:
    """A REST route: method, template, matcher, handler, and whether it needs the bot token."""

    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


class Router:
    """Routes in registration order (literal segments like ``@me`` are registered first)."""

    def __init__(self) -> None:
        self.routes: list[RouteDef] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        """Register a route; ``{name}`` placeholders match one path segment."""
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self.routes.append(RouteDef(method, template, re.compile(f"^{regex}$"), handler, auth))

    def match(self, method: str, path: str) -> tuple[RouteDef | None, dict[str, str], bool]:
        """(route, params, whether the path exists for another method)."""
        path_known = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}, True
            path_known = True
        return None, {}, path_known

    def knows(self, method: str, template: str) -> bool:
        """Whether a (method, template) pair names a route, whatever its placeholders are called."""
        shape = normalise_template(template)
        return any(
            r.method == method.upper() and normalise_template(r.template) == shape for r in self.routes
        )


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """A response whose Content-Type is exactly ``application/json`` (or an empty 204)."""
    if body is None and status == 204:
        return web.Response(status=204, headers=headers)
    payload = json.dumps(body, separators=(",", ":")).encode()
    return web.Response(status=status, body=payload, content_type="application/json", headers=headers)


async def _read_body(request: web.Request) -> tuple[Any, list[Upload]]:
    """JSON body, or ``payload_json`` plus ``files[n]`` parts of a multipart body."""
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        payload: Any = None
        uploads: list[Upload] = []
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                payload = json.loads(data)
            elif part.filename is not None:
                ctype = part.headers.get("Content-Type")
                uploads.append(Upload(part.name or "", part.filename, bytes(data), ctype))
        return payload, uploads
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []


class RestServer:
    """Owns the aiohttp application and turns HTTP requests into handler calls."""

    def __init__(self, double: DiscordDouble, router: Router) -> None:
        self.double = double
        self.router = router
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_get("/gateway", double.gateway.handle)
        self.app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        self.app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle)

    async def _attachment(self, request: web.Request) -> web.Response:
        state = self.double.state
        found = state.attachments.get(int(request.match_info["attachment_id"]))
        try:
            expires, issued = int(request.query["ex"], 16), int(request.query["is"], 16)
        except (KeyError, ValueError):
            expires = issued = 0
        signed = request.query.get("hm") == state.sign(request.path, expires, issued)
        if found is None or not signed or expires < time.time():
            return web.Response(status=404, text="This content is no longer available.")
        _, data, ctype = found
        return web.Response(body=data, content_type=ctype)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.method.upper()
        raw_path = request.rel_url.raw_path[len(API_PREFIX) :] or "/"
        body, uploads = await _read_body(request)
        route, params, path_known = self.router.match(method, raw_path)
        record = RecordedRequest(
            method=method,
            path=unquote(raw_path),
            route=route.template if route else None,
            query=dict(request.query),
            json=body,
            files=[(u.field, u.filename, u.data) for u in uploads],
            headers=dict(request.headers),
            params=params,
        )
        reply = await self._answer(
            route, path_known, request, RestRequest(method, params, record.query, body, uploads, record)
        )
        record.status, record.response, record.response_headers = reply.status, reply.body, reply.headers
        if counts_as_invalid(reply.status, reply.headers):
            self.double.invalid_requests[reply.status] += 1
        self.double.requests_log.add(record)
        return json_response(reply.status, reply.body, reply.headers)

    async def _answer(
        self, route: RouteDef | None, path_known: bool, request: web.Request, rest: RestRequest
    ) -> Reply:
        if route is None:
            if path_known:
                return Reply(405, {"message": "405: Method Not Allowed", "code": 0})
            return Reply(404, {"message": "404: Not Found", "code": 0})
        if route.auth and request.headers.get("Authorization") != f"Bot {self.double.token}":
            return Reply(401, {"message": "401: Unauthorized", "code": 0})
        limiter = self.double.global_limit
        if limiter is not None and route.auth and (limited := limiter.check()) is not None:
            return Reply(429, limited.body, dict(limited.headers))
        delay, fault = self.double.faults.take(rest.method, route.template)
        if delay:
            await asyncio.sleep(delay)
        if fault is not None and fault.error is not None:
            body = fault.body if fault.body is not None else fault.error.body()
            return Reply(fault.error.status, body, dict(fault.headers))
        try:
            return await route.handler(self.double, rest)
        except RestError as exc:
            return Reply(exc.status, exc.body())
        except Exception as exc:
            # A bug in the double, not Discord behaviour: 501 makes discord.py raise at once
            # (it would retry a 500 for ~25 s) and the test sees the cause.
            _log.exception("discord double failed on %s %s", rest.method, rest.record.path)
            self.double.internal_errors.append(exc)
            return Reply(501, {"message": f"discord double error: {exc!r}", "code": 0})
