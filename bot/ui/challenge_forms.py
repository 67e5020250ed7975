"""The challenge forms: create / edit (title, brief, times) and the Submit button's entry form.

A form refused for a problem the moderator can fix is answered with what was typed and a button that
reopens it filled in (`RetryView`), so nothing has to be typed twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import discord

from bot.challenges import BRIEF_MAX, LINK_MAX, NOTE_MAX, TITLE_MAX
from bot.storage import Challenge
from bot.ui import ids
from bot.ui.limits import clip
from bot.ui.replies import report_failure

FORM_TIMEOUT = 15 * 60  # Discord lets an interaction be followed up for 15 minutes
WHEN_PLACEHOLDER = "2026-12-01 18:00, tomorrow 18:00 or in 3 days"


@dataclass(frozen=True, slots=True)
class FormValues:
    """What a moderator typed into the create / edit form (kept to refill it after a refusal)."""

    title: str = ""
    brief: str = ""
    start: str = ""
    deadline: str = ""
    voting_length: str = ""


FormHandler = Callable[[discord.Interaction, FormValues], Awaitable[None]]


def _text(
    label: str, value: str, *, max_length: int, required: bool = True, paragraph: bool = False, hint: str = ""
) -> discord.ui.Label[Any]:
    style = discord.TextStyle.paragraph if paragraph else discord.TextStyle.short
    field = discord.ui.TextInput[Any](
        style=style, default=value or None, required=required, max_length=max_length, placeholder=hint or None
    )
    return discord.ui.Label(text=label, component=field)


class ChallengeForm(discord.ui.Modal):
    """Title, brief, start, deadline and (with voting) the voting length."""

    def __init__(
        self, custom_id: str, heading: str, values: FormValues, voting: bool, done: FormHandler
    ) -> None:
        super().__init__(title=heading[:45], custom_id=custom_id, timeout=FORM_TIMEOUT)
        self.done = done
        self.fields = {
            "title": _text("Title", values.title, max_length=TITLE_MAX),
            "brief": _text("Brief", values.brief, max_length=BRIEF_MAX, paragraph=True),
            "start": _text(
                "Start (empty: now)", values.start, max_length=60, required=False, hint=WHEN_PLACEHOLDER
            ),
            "deadline": _text("Deadline", values.deadline, max_length=60, hint=WHEN_PLACEHOLDER),
        }
        if voting:
            self.fields["voting_length"] = _text(
                "Voting length (empty: 2 days)",
                values.voting_length,
                max_length=30,
                required=False,
                hint="48h",
            )
        for key, label in self.fields.items():
            assert isinstance(label.component, discord.ui.TextInput)
            label.component.custom_id = key  # stable ids: the submission is read by name
            self.add_item(label)

    def values(self) -> FormValues:
        """Return what was typed."""
        typed = {}
        for name, label in self.fields.items():
            assert isinstance(label.component, discord.ui.TextInput)
            typed[name] = label.component.value.strip()
        return replace(FormValues(), **typed)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Hand the typed values to the command that opened the form."""
        await self.done(interaction, self.values())

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """Answer the moderator whatever went wrong (the shared error path)."""
        await report_failure(interaction, error, f"modal {self.custom_id}")


class RetryView(discord.ui.View):
    """Under a refused form: reopen it filled with what was typed, so nothing has to be typed again."""

    def __init__(self, reopen: Callable[[], discord.ui.Modal]) -> None:
        super().__init__(timeout=FORM_TIMEOUT)
        self.reopen = reopen
        # The decorator fixes a custom_id at class level; each refused form needs its own.
        self.retry.custom_id = f"{ids.CHALLENGE_RETRY}:{secrets.token_hex(8)}"

    @discord.ui.button(label="Edit and try again", style=discord.ButtonStyle.primary)
    async def retry(self, interaction: discord.Interaction, _button: discord.ui.Button[RetryView]) -> None:
        await interaction.response.send_modal(self.reopen())


EntryHandler = Callable[[discord.Interaction, str, str], Awaitable[None]]


class EntryForm(discord.ui.Modal):
    """The Submit button's form: a link and a note (a file needs /challenge submit's attachment option)."""

    def __init__(self, challenge: Challenge, link: str, note: str, done: EntryHandler) -> None:
        super().__init__(
            title=clip(f"Submit: {challenge.title}", 45),
            custom_id=f"{ids.CHALLENGE_FORM}:entry:{challenge.id}",
            timeout=FORM_TIMEOUT,
        )
        self.done = done
        self.link = _text("Link to your track", link, max_length=LINK_MAX, hint="https://…")
        self.note = _text("Note (optional)", note, max_length=NOTE_MAX, required=False, paragraph=True)
        for key, label in (("link", self.link), ("note", self.note)):
            assert isinstance(label.component, discord.ui.TextInput)
            label.component.custom_id = key
            self.add_item(label)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Record the entry."""
        assert isinstance(self.link.component, discord.ui.TextInput)
        assert isinstance(self.note.component, discord.ui.TextInput)
        await self.done(interaction, self.link.component.value.strip(), self.note.component.value.strip())

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """Answer the member whatever went wrong."""
        await report_failure(interaction, error, f"modal {self.custom_id}")
