"""Discord's JSON error bodies, raised by handlers and turned into responses by the server.

discord.py builds ``HTTPException.code``/``text`` from these bodies, so the shapes follow
https://discord.com/developers/docs/topics/opcodes-and-status-codes#json exactly.
"""

from __future__ import annotations

from typing import Any


class RestError(Exception):
    """An error response: HTTP status plus Discord's ``{"code", "message"[, "errors"]}`` body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would send."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def not_found(code: int, what: str) -> RestError:
    """A 404 for an unknown resource, e.g. ``not_found(10003, "Channel")`` -> "Unknown Channel"."""
    return RestError(404, code, f"Unknown {what}")


UNKNOWN_APPLICATION = 10002
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_WEBHOOK = 10015
UNKNOWN_COMMAND = 10063
UNKNOWN_INTERACTION = 10062


def missing_access() -> RestError:
    """403 for a channel the bot cannot see."""
    return RestError(403, 50001, "Missing Access")


def missing_permissions() -> RestError:
    """403 for an action the bot's permissions forbid."""
    return RestError(403, 50013, "Missing Permissions")


def cannot_dm() -> RestError:
    """403 a DM to a user who closed DMs (or blocked the bot) gets."""
    return RestError(403, 50007, "Cannot send messages to this user")


def empty_message() -> RestError:
    """400 for a message with nothing to show."""
    return RestError(400, 50006, "Cannot send an empty message")


def already_acknowledged() -> RestError:
    """400 for a second response to the same interaction."""
    return RestError(400, 40060, "Interaction has already been acknowledged.")


def invalid_form(errors: dict[str, Any]) -> RestError:
    """400 Invalid Form Body with Discord's nested ``errors`` tree."""
    return RestError(400, 50035, "Invalid Form Body", errors)


def field_error(path: list[str | int], code: str, message: str) -> dict[str, Any]:
    """Build the nested ``errors`` tree for one field, e.g. ``["embeds", 0, "title"]``."""
    tree: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        tree = {str(key): tree}
    return tree


def merge_errors(into: dict[str, Any], tree: dict[str, Any]) -> None:
    """Merge one field's error tree into the accumulated tree (Discord reports every bad field)."""
    for key, value in tree.items():
        if key == "_errors":
            into.setdefault("_errors", []).extend(value)
        else:
            merge_errors(into.setdefault(key, {}), value)
