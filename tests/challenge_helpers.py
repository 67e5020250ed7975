"""Helpers for the challenge end-to-end tests: create through the real form, run due steps, read posts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.challenge_deliveries import step_states, steps_done
from bot.challenge_runner import ChallengeRunner, runner_of
from bot.challenges import Step
from bot.storage import Challenge
from tests.conftest import Mentor
from tests.discord_double import Interaction

# Scheduled events are checked against the double's real clock, so tests live in the future.
T0 = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)
CREATE_FORM = "sm:ch:form:create"


def runner(m: Mentor) -> ChallengeRunner:
    return runner_of(m.bot)


async def command(
    m: Mentor, user_id: int, name: str, options: dict[str, Any] | None = None, *, guild_id: int | None = None,
    channel_id: int | None = None,
) -> tuple[Interaction, dict[str, Any]]:  # fmt: skip
    """Run a slash command as a member (the bot's own check decides, not Discord's hint)."""
    s = m.studio
    inter = await m.double.slash_command(
        guild_id or s.guild.id, channel_id or s.general.id, user_id, name, options or {},
        enforce_permissions=False,
    )  # fmt: skip
    return inter, await inter.response


async def open_form(
    m: Mentor, options: dict[str, Any] | None = None, user_id: int | None = None
) -> Interaction:
    """Run /challenge create and return the interaction answered with the form."""
    opts = {"channel": m.studio.general.id, **(options or {})}
    inter, body = await command(m, user_id or m.studio.mo.id, "challenge create", opts)
    assert body["type"] == 9, body
    return inter


async def create(
    m: Mentor, fields: dict[str, str] | None = None, options: dict[str, Any] | None = None
) -> tuple[Challenge, dict[str, Any]]:
    """Create a challenge through the form; return it as stored and the confirmation."""
    form = await open_form(m, options)
    typed = {"title": "Flip this sample", "brief": "Make a beat from the sample.", "deadline": "in 3 days"}
    typed.update(fields or {})
    submitted = await m.double.submit_modal(form, CREATE_FORM, typed)
    body = await submitted.response
    assert "is set" in body["data"]["content"], body["data"]["content"]
    latest = m.storage.challenges.in_server(m.studio.guild.id, open_only=False, limit=1)[0]
    return latest, body


def fresh(m: Mentor, challenge: Challenge) -> Challenge:
    found = m.storage.challenges.get(challenge.guild_id, challenge.id)
    assert found is not None
    return found


def bot_posts(m: Mentor, channel_id: int) -> list[dict[str, Any]]:
    """Messages the bot posted in a channel or thread."""
    bot_id = str(m.double.bot_user_id)
    return [msg for msg in m.double.messages(channel_id) if msg["author"]["id"] == bot_id]


def button_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row.get("components", [])]


def steps_of(m: Mentor, challenge: Challenge) -> set[Step]:
    """The challenge's server-wide steps recorded as finished in the delivery log."""
    return steps_done(m.storage.deliveries, challenge.id)


def recorded(m: Mentor, challenge: Challenge, step: Step) -> dict[int, tuple[str, str | None]]:
    """Each recipient's (status, reason) for one step of the challenge (0: the server-wide row)."""
    return step_states(m.storage.deliveries, challenge.id, step)
