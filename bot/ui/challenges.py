"""Challenge embeds, the create / edit / entry forms, and the persistent Join, Submit, Vote and page buttons.

Every time is a Discord timestamp (`<t:…:F>`), shown in each reader's own zone. The buttons carry only the
challenge (and submission or page) id: the server and the member always come from the interaction.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import discord

from bot.app import MentorBot
from bot.challenges import BRIEF_MAX, LINK_MAX, NOTE_MAX, TITLE_MAX, Status, Visibility
from bot.storage import Challenge, Submission
from bot.ui import ids
from bot.ui.base import MentorItem
from bot.ui.limits import BRAND_COLOUR, EMBED_DESCRIPTION_MAX, EMBED_FIELD_VALUE_MAX, clip

PAGE_SIZE = 5  # submissions per page in /challenge submissions (each can carry a link, a file and a note)
FORM_TIMEOUT = 15 * 60  # Discord lets an interaction be followed up for 15 minutes
WHEN_PLACEHOLDER = "2026-12-01 18:00, tomorrow 18:00 or in 3 days"
STATUS_LABEL = {
    Status.SCHEDULED: "Upcoming",
    Status.RUNNING: "Open for submissions",
    Status.VOTING: "Voting",
    Status.CLOSED: "Closed",
    Status.CANCELLED: "Cancelled",
}


def ts(instant: datetime, style: str = "F") -> str:
    """A Discord timestamp: each reader sees it in their own time zone."""
    return f"<t:{int(instant.timestamp())}:{style}>"


def when(instant: datetime) -> str:
    """Full date and time with the relative form ("in 3 days")."""
    return f"{ts(instant)} ({ts(instant, 'R')})"


def challenge_embed(challenge: Challenge, counts: tuple[int, int] | None = None) -> discord.Embed:
    """The announcement (and /challenge show): brief, times, how submissions are seen, stages."""
    t = challenge.timeline
    embed = discord.Embed(
        title=clip(challenge.title, TITLE_MAX),
        description=clip(challenge.brief, BRIEF_MAX),
        colour=BRAND_COLOUR,
    )
    embed.add_field(name="Status", value=STATUS_LABEL[challenge.status], inline=True)
    embed.add_field(name="Starts", value=when(t.starts_at), inline=True)
    embed.add_field(name="Deadline", value=when(t.deadline), inline=True)
    if t.voting_ends is not None:
        embed.add_field(name="Voting ends", value=when(t.voting_ends), inline=True)
    seen = "public" if challenge.visibility is Visibility.PUBLIC else "seen by moderators only"
    embed.add_field(name="Submissions", value=seen, inline=True)
    if challenge.stages:
        embed.add_field(name="For", value=", ".join(s.label for s in challenge.stages), inline=True)
    if counts is not None:
        embed.add_field(name="Taking part", value=f"{counts[0]} joined · {counts[1]} submitted", inline=True)
    embed.set_footer(text=f"Challenge #{challenge.id} · join, then /challenge submit or the Submit button")
    return embed


def list_embed(challenges: Sequence[Challenge], joined: set[int]) -> discord.Embed:
    """/challenge list: open and upcoming challenges, the member's first."""
    embed = discord.Embed(title="Challenges", colour=BRAND_COLOUR)
    if not challenges:
        embed.description = (
            "No challenges are running or coming up. Moderators start one with `/challenge create`."
        )
        return embed
    lines = []
    for c in challenges:
        t = c.timeline
        if c.status is Status.SCHEDULED:
            timing = f"starts {ts(t.starts_at, 'R')}, deadline {ts(t.deadline)}"
        elif c.status is Status.RUNNING:
            timing = f"deadline {ts(t.deadline)} ({ts(t.deadline, 'R')})"
        else:
            timing = f"voting ends {ts(t.voting_ends or t.deadline, 'R')}"
        mark = " ✅ joined" if c.id in joined else ""
        stages = f" · for {', '.join(s.label for s in c.stages)}" if c.stages else ""
        lines.append(f"**#{c.id} {discord.utils.escape_markdown(c.title)}**{mark}\n{timing}{stages}")
    embed.description = clip("\n\n".join(lines), EMBED_DESCRIPTION_MAX)
    return embed


def entry_text(submission: Submission) -> str:
    """What a submission holds: the link, the re-posted file, the note (Markdown, clipped to a field)."""
    parts = []
    if submission.link:
        parts.append(submission.link)
    if submission.file_message:
        parts.append(
            f"[{discord.utils.escape_markdown(submission.file_name or 'file')}]({submission.file_message})"
        )
    if submission.note:
        parts.append(f"> {discord.utils.escape_markdown(submission.note)}")
    return clip("\n".join(parts) or "(empty)", EMBED_FIELD_VALUE_MAX)


def vote_embed(challenge: Challenge, submission: Submission) -> discord.Embed:
    """One public submission, posted at the deadline with its vote button."""
    embed = discord.Embed(
        title=clip(f"Entry for {challenge.title}", TITLE_MAX),
        description=f"by <@{submission.user_id}>\n{entry_text(submission)}",
        colour=BRAND_COLOUR,
    )
    if challenge.timeline.voting_ends is not None:
        embed.set_footer(text="One vote per member; you can move it until voting ends, not vote for yourself")
    return embed


def submissions_embed(
    challenge: Challenge, page: Sequence[Submission], number: int, pages: int, total: int
) -> discord.Embed:
    """/challenge submissions: one page of entries (moderators)."""
    embed = discord.Embed(
        title=clip(f"Submissions: {challenge.title}", TITLE_MAX),
        description=f"{total} submission(s) · page {number + 1} of {max(pages, 1)}",
        colour=BRAND_COLOUR,
    )
    for sub in page:
        embed.add_field(
            name=f"#{sub.id} · {ts(sub.submitted_at, 'f')}",
            value=clip(f"<@{sub.user_id}>\n{entry_text(sub)}", EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    return embed


def results_embed(
    challenge: Challenge,
    counts: tuple[int, int, int],
    winners: Sequence[tuple[int, Submission, int]],
    *,
    early: bool = False,
) -> discord.Embed:
    """The closing summary: participants, submissions and, with voting, the winners."""
    joined, submitted, votes = counts
    lines = [f"**{joined}** joined · **{submitted}** submitted"]
    if challenge.voting:
        lines[0] += f" · **{votes}** vote(s)"
        medals = {1: "🥇", 2: "🥈", 3: "🥉"}
        if winners:
            lines.append("")
            for place, sub, n in winners:
                lines.append(f"{medals.get(place, f'#{place}')} <@{sub.user_id}> with {n} vote(s)")
        else:
            lines.append("No votes were cast, so there are no winners this time.")
    if early:
        lines.append("\nEnded early by the moderators.")
    lines.append("\nThanks to everyone who took part!")
    return discord.Embed(
        title=clip(f"Results: {challenge.title}", TITLE_MAX),
        description="\n".join(lines),
        colour=BRAND_COLOUR,
    )


# --- buttons ---------------------------------------------------------------------------------------------


def _runner(bot: MentorBot) -> Any:
    """The challenges cog, which handles clicks (imported here: the cog builds this module's views)."""
    from bot.cogs.challenges import cog_of

    return cog_of(bot)


class JoinButton(MentorItem[discord.ui.Button[Any]], template=rf"{ids.CHALLENGE_JOIN}:(?P<c>\d{{1,19}})"):
    """Join a challenge from its announcement."""

    def __init__(self, challenge_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Join",
                emoji="🎛️",
                style=discord.ButtonStyle.primary,
                custom_id=f"{ids.CHALLENGE_JOIN}:{challenge_id}",
                disabled=disabled,
            )
        )
        self.challenge_id = challenge_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> JoinButton:
        return cls(int(match["c"]))

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Join, privately confirmed."""
        await _runner(bot).join(interaction, self.challenge_id)


class SubmitButton(MentorItem[discord.ui.Button[Any]], template=rf"{ids.CHALLENGE_SUBMIT}:(?P<c>\d{{1,19}})"):
    """Open the entry form (link and note; files go through /challenge submit)."""

    def __init__(self, challenge_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Submit",
                emoji="📤",
                style=discord.ButtonStyle.success,
                custom_id=f"{ids.CHALLENGE_SUBMIT}:{challenge_id}",
                disabled=disabled,
            )
        )
        self.challenge_id = challenge_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SubmitButton:
        return cls(int(match["c"]))

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Open the form, or say why not (closed, not found)."""
        await _runner(bot).open_entry_form(interaction, self.challenge_id)


class VoteButton(
    MentorItem[discord.ui.Button[Any]],
    template=rf"{ids.CHALLENGE_VOTE}:(?P<c>\d{{1,19}}):(?P<s>\d{{1,19}})",
):
    """Vote for one submission (one vote per member per challenge, movable)."""

    def __init__(self, challenge_id: int, submission_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Vote",
                emoji="⭐",
                style=discord.ButtonStyle.primary,
                custom_id=f"{ids.CHALLENGE_VOTE}:{challenge_id}:{submission_id}",
                disabled=disabled,
            )
        )
        self.challenge_id = challenge_id
        self.submission_id = submission_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        return cls(int(match["c"]), int(match["s"]))

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Record the vote."""
        await _runner(bot).vote(interaction, self.challenge_id, self.submission_id)


class PageButton(
    MentorItem[discord.ui.Button[Any]], template=rf"{ids.CHALLENGE_PAGE}:(?P<c>\d{{1,19}}):(?P<p>\d{{1,6}})"
):
    """Move through /challenge submissions (moderators only, checked again on every click)."""

    def __init__(self, challenge_id: int, page: int, *, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"{ids.CHALLENGE_PAGE}:{challenge_id}:{page}",
                disabled=disabled,
            )
        )
        self.challenge_id = challenge_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PageButton:
        return cls(int(match["c"]), int(match["p"]), label="…")

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Show the page."""
        await _runner(bot).show_submissions(interaction, self.challenge_id, self.page, edit=True)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    JoinButton,
    SubmitButton,
    VoteButton,
    PageButton,
)


def _view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()  # dispatched by custom_id (DynamicItems): nothing needs this object after the send
    return view


def announcement_view(challenge_id: int, *, open_: bool = True) -> discord.ui.View:
    """Join and Submit under the announcement (disabled once submissions close)."""
    return _view(JoinButton(challenge_id, disabled=not open_), SubmitButton(challenge_id, disabled=not open_))


def vote_view(challenge_id: int, submission_id: int) -> discord.ui.View:
    """The vote button under one posted submission."""
    return _view(VoteButton(challenge_id, submission_id))


def page_view(challenge_id: int, page: int, pages: int) -> discord.ui.View:
    """Previous / next for the submissions list."""
    return _view(
        PageButton(challenge_id, max(page - 1, 0), label="◀ Previous", disabled=page <= 0),
        PageButton(
            challenge_id, min(page + 1, max(pages - 1, 0)), label="Next ▶", disabled=page >= pages - 1
        ),
    )


# --- forms -----------------------------------------------------------------------------------------------


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
        from bot.ui.replies import report_failure

        await report_failure(interaction, error, f"modal {self.custom_id}")


class RetryView(discord.ui.View):
    """Under a refused form: reopen it filled with what was typed, so nothing has to be typed again."""

    def __init__(self, reopen: Callable[[], discord.ui.Modal]) -> None:
        super().__init__(timeout=FORM_TIMEOUT)
        self.reopen = reopen
        button: discord.ui.Button[RetryView] = discord.ui.Button(
            label="Edit and try again", style=discord.ButtonStyle.primary,
            custom_id=f"{ids.CHALLENGE_RETRY}:{secrets.token_hex(8)}",
        )  # fmt: skip
        button.callback = self._clicked  # type: ignore[method-assign]
        self.add_item(button)

    async def _clicked(self, interaction: discord.Interaction) -> None:
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
        from bot.ui.replies import report_failure

        await report_failure(interaction, error, f"modal {self.custom_id}")
