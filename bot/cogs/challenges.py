"""/challenge: moderators create and run learning challenges; members list, join, leave and submit.

Moderator subcommands are checked by the bot (`moderator_only`): Discord applies `default_permissions` to a
whole command, not to a subcommand, and members need `/challenge join`. Every challenge id is looked up in
the interaction's own server, so another server's id is "not found".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.challenge_runner import ChallengeRunner
from bot.challenges import (
    DEFAULT_REMIND_BEFORE,
    ChallengeError,
    Draft,
    Status,
    Visibility,
    parse_stages,
    validate,
)
from bot.checks import is_moderator, moderator_only
from bot.cogs.challenge_entries import EntryActions
from bot.slots import parse_duration, parse_when
from bot.stages import STAGE_VALUES, Stage
from bot.storage import Challenge
from bot.ui import challenge_forms as forms
from bot.ui import challenges as ui
from bot.ui import ids
from bot.ui.base import mentor_of
from bot.ui.limits import AUTOCOMPLETE_MAX, CHOICE_MAX, clip
from bot.ui.replies import UserError

LIST_MAX = 10


@dataclass(frozen=True, slots=True)
class CreateOptions:
    """The /challenge create options, kept while the form is open (and to reopen it)."""

    channel_id: int
    role_id: int | None
    review_channel_id: int | None
    stages: tuple[Stage, ...]
    visibility: Visibility
    voting: bool
    remind_before: timedelta | None
    with_event: bool


def cog_of(bot: MentorBot) -> Challenges:
    """Return the loaded challenges cog (buttons reach the member actions through it)."""
    cog = bot.get_cog("Challenges")
    if not isinstance(cog, Challenges):
        raise RuntimeError("the challenges extension is not loaded")
    return cog


def _span_text(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    minutes = int(delta.total_seconds()) // 60
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return " ".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (mins, "m")) if n) or "0m"


@app_commands.guild_only()
class ChallengeGroup(app_commands.Group, name="challenge", description="Learning challenges"):
    """/challenge: learning challenges."""


class Challenges(EntryActions, commands.Cog):
    """Learning challenges: created by moderators, run by the bot from announcement to results."""

    challenge = ChallengeGroup()

    def __init__(self, bot: MentorBot, runner: ChallengeRunner) -> None:
        super().__init__(bot, runner)

    # --- creating and editing ----------------------------------------------------------------------------

    def _zone(self, guild_id: int) -> ZoneInfo:
        return ZoneInfo(self.bot.settings.timezone(guild_id))

    def _draft(self, guild_id: int, values: forms.FormValues, base: Draft) -> Draft:
        """Read the typed times in the server's zone; every unreadable field is reported together.

        An empty start keeps `base.starts_at` (now, for a new challenge).
        """
        now, zone = self.bot.clock.now(), self._zone(guild_id)
        problems: list[str] = []

        def moment(text: str, name: str, default: datetime | None) -> datetime:
            if not text and default is not None:
                return default
            try:
                return parse_when(text, now=now, tz=zone)
            except ValueError as error:
                problems.append(f"{name}: {error}.")
                return default or now

        start = moment(values.start, "Start", base.starts_at)
        deadline = moment(values.deadline, "Deadline", None)
        length = base.voting_length
        if values.voting_length:
            try:
                length = parse_duration(values.voting_length)
            except ValueError as error:
                problems.append(f"Voting length: {error}.")
        draft = Draft(
            title=values.title, brief=values.brief, starts_at=start, deadline=deadline, voting=base.voting,
            voting_length=length, remind_before=base.remind_before, visibility=base.visibility,
            stages=base.stages,
        )  # fmt: skip
        if problems:
            raise ChallengeError("\n".join(f"• {p}" for p in problems))
        return draft

    async def _refuse(
        self,
        interaction: discord.Interaction,
        problems: str,
        values: forms.FormValues,
        reopen: forms.RetryView,
    ) -> None:
        """A clear private error, with what was typed shown and a button that reopens the form filled in."""
        typed = discord.Embed(title="What you typed (nothing was saved)", colour=discord.Colour.orange())
        for name, value in (("Title", values.title), ("Brief", values.brief), ("Start", values.start)):
            typed.add_field(name=name, value=clip(value or "(empty)", 1024), inline=False)
        typed.add_field(name="Deadline", value=values.deadline or "(empty)", inline=True)
        if values.voting_length:
            typed.add_field(name="Voting length", value=values.voting_length, inline=True)
        await interaction.response.send_message(
            clip(f"That challenge can't be saved yet:\n{problems}", 2000),
            embed=typed,
            view=reopen,
            ephemeral=True,
        )

    def _create_form(self, options: CreateOptions, values: forms.FormValues) -> forms.ChallengeForm:
        async def done(interaction: discord.Interaction, typed: forms.FormValues) -> None:
            await self._finish_create(interaction, options, typed)

        return forms.ChallengeForm(
            f"{ids.CHALLENGE_FORM}:create", "New challenge", values, options.voting, done
        )

    @challenge.command(name="create")
    @app_commands.describe(
        channel="Where the challenge is announced (its thread opens there)",
        ping="A role to ping in the announcement (only this role is pinged)",
        stages="Career stages it is meant for, comma-separated (empty: everyone)",
        submissions="Who sees the submissions",
        voting="Let members vote for the best public submission after the deadline",
        reminder="How long before the deadline to DM members who haven't submitted (e.g. 24h; off for none)",
        review_channel="Where moderators-only files are re-posted (needed for moderators-only submissions)",
        event="Also create a Discord server event spanning the challenge",
    )
    @moderator_only()
    async def create(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        ping: discord.Role | None = None,
        stages: str = "",
        submissions: Literal["public", "moderators only"] = "public",
        voting: bool = False,
        reminder: str = "24h",
        review_channel: discord.TextChannel | None = None,
        event: bool = False,
    ) -> None:
        """Set up a challenge (opens a form for the title, brief and times)."""
        visibility = Visibility.PUBLIC if submissions == "public" else Visibility.MODERATORS
        problems = []
        try:
            stage_list = parse_stages(stages)
        except ChallengeError as error:
            problems.append(str(error))
            stage_list = ()
        remind: timedelta | None = DEFAULT_REMIND_BEFORE
        if reminder.strip().lower() in ("off", "none", "no", "0"):
            remind = None
        else:
            try:
                remind = parse_duration(reminder)
            except ValueError as error:
                problems.append(f"Reminder: {error}.")
        if visibility is Visibility.MODERATORS and review_channel is None:
            problems.append("Moderators-only submissions need a review_channel for the files members send.")
        if voting and visibility is Visibility.MODERATORS:
            problems.append("Voting needs public submissions: members can't vote on what they can't see.")
        if problems:
            raise UserError("Nothing was created:\n" + "\n".join(f"• {p}" for p in problems))
        options = CreateOptions(
            channel.id, ping.id if ping else None, review_channel.id if review_channel else None, stage_list,
            visibility, voting, remind, event,
        )  # fmt: skip
        await interaction.response.send_modal(self._create_form(options, forms.FormValues()))

    async def _finish_create(
        self, interaction: discord.Interaction, options: CreateOptions, values: forms.FormValues
    ) -> None:
        assert interaction.guild_id is not None
        if not is_moderator(self.bot, interaction):
            raise UserError("Only moderators can create challenges.")
        now = self.bot.clock.now()
        base = Draft(
            "", "", now, now, options.voting, None, options.remind_before, options.visibility, options.stages
        )
        reopen = forms.RetryView(lambda: self._create_form(options, values))
        try:
            draft = self._draft(interaction.guild_id, values, base)
        except ChallengeError as error:
            await self._refuse(interaction, str(error), values, reopen)
            return
        problems = validate(draft, now)
        if problems:
            await self._refuse(interaction, "\n".join(f"• {p}" for p in problems), values, reopen)
            return
        created = self.store.create(
            interaction.guild_id, created_by=interaction.user.id, channel_id=options.channel_id,
            title=draft.title.strip(), brief=draft.brief.strip(), timeline=draft.timeline(),
            visibility=draft.visibility, role_id=options.role_id, review_channel_id=options.review_channel_id,
            stages=draft.stages, with_event=options.with_event,
        )  # fmt: skip
        await interaction.response.send_message(
            f"Challenge #{created.id} is set: it is announced in <#{created.channel_id}> "
            f"{ui.when(created.timeline.starts_at)}.",
            embed=ui.challenge_embed(created),
            ephemeral=True,
        )
        await self.runner.sync_event(created)
        self.runner.poke()

    @challenge.command(name="edit")
    @app_commands.describe(challenge="The challenge to change (upcoming or running)")
    @moderator_only()
    async def edit(self, interaction: discord.Interaction, challenge: int) -> None:
        """Change an upcoming or running challenge's title, brief or times (opens the form filled in)."""
        found = self.get(interaction, challenge)
        if found.status not in (Status.SCHEDULED, Status.RUNNING):
            raise UserError(
                f"Challenge #{found.id} is {found.status.value}: only upcoming or running ones change."
            )
        zone = self._zone(found.guild_id)

        def local(instant: datetime) -> str:
            return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")

        t = found.timeline
        length = t.voting_ends - t.deadline if t.voting_ends else None
        values = forms.FormValues(
            found.title, found.brief, local(t.starts_at), local(t.deadline), _span_text(length)
        )
        await interaction.response.send_modal(self._edit_form(found, values))

    def _edit_form(self, challenge: Challenge, values: forms.FormValues) -> forms.ChallengeForm:
        async def done(interaction: discord.Interaction, typed: forms.FormValues) -> None:
            await self._finish_edit(interaction, challenge.id, typed)

        custom_id = f"{ids.CHALLENGE_FORM}:edit:{challenge.id}"
        return forms.ChallengeForm(
            custom_id, f"Edit challenge #{challenge.id}", values, challenge.voting, done
        )

    async def _finish_edit(
        self, interaction: discord.Interaction, challenge_id: int, values: forms.FormValues
    ) -> None:
        if not is_moderator(self.bot, interaction):
            raise UserError("Only moderators can edit challenges.")
        found = self.get(interaction, challenge_id)
        reopen = forms.RetryView(lambda: self._edit_form(found, values))
        if found.status not in (Status.SCHEDULED, Status.RUNNING):
            raise UserError(f"Challenge #{found.id} is {found.status.value} now: it can't be edited.")
        t = found.timeline
        length = (t.voting_ends - t.deadline) if t.voting_ends else None
        base = Draft(
            "", "", t.starts_at, t.deadline, found.voting, length, t.remind_before, found.visibility,
            found.stages,
        )  # fmt: skip
        try:
            draft = self._draft(found.guild_id, values, base)
        except ChallengeError as error:
            await self._refuse(interaction, str(error), values, reopen)
            return
        problems = validate(draft, self.bot.clock.now(), creating=found.status is Status.SCHEDULED)
        if found.status is Status.RUNNING and draft.starts_at != t.starts_at:
            problems.append("The challenge has already started: its start can't move.")
        if problems:
            await self._refuse(interaction, "\n".join(f"• {p}" for p in problems), values, reopen)
            return
        updated = self.store.update(
            found.guild_id,
            found.id,
            title=draft.title.strip(),
            brief=draft.brief.strip(),
            timeline=draft.timeline(),
        )
        await interaction.response.send_message(
            f"Challenge #{updated.id} updated.", embed=ui.challenge_embed(updated), ephemeral=True
        )
        await self.runner.refresh(updated)

    # --- running it ---------------------------------------------------------------------------------------

    @challenge.command(name="extend")
    @app_commands.describe(
        challenge="The challenge", deadline="The new deadline: 2026-12-01 18:00, tomorrow 18:00, in 3 days"
    )
    @moderator_only()
    async def extend(self, interaction: discord.Interaction, challenge: int, deadline: str) -> None:
        """Move a challenge's deadline later (voting moves with it)."""
        found = self.get(interaction, challenge)
        if found.status not in (Status.SCHEDULED, Status.RUNNING):
            raise UserError(f"Challenge #{found.id} is {found.status.value}: its deadline has passed.")
        now = self.bot.clock.now()
        try:
            new = parse_when(deadline, now=now, tz=self._zone(found.guild_id))
        except ValueError as error:
            raise UserError(f"Deadline: {error}.") from None
        t = found.timeline
        if new <= t.deadline:
            raise UserError(f"The new deadline must be later than the current one, {ui.when(t.deadline)}.")
        shift = new - t.deadline
        draft = Draft(
            found.title, found.brief, t.starts_at, new, found.voting, None, t.remind_before, found.visibility
        )
        problems = validate(draft, now, creating=False)
        if problems:
            raise UserError(" ".join(problems))
        timeline = type(t)(
            t.starts_at, new, t.voting_ends + shift if t.voting_ends else None, t.remind_before
        )
        updated = self.store.update(found.guild_id, found.id, timeline=timeline)
        await interaction.response.send_message(
            f"Challenge #{found.id} now closes {ui.when(new)}.", ephemeral=True
        )
        await self.runner.refresh(updated)

    @challenge.command(name="end")
    @app_commands.describe(challenge="The challenge to close now")
    @moderator_only()
    async def end(self, interaction: discord.Interaction, challenge: int) -> None:
        """Close a challenge now and post its summary."""
        found = self.get(interaction, challenge)
        if found.status is Status.SCHEDULED:
            raise UserError(f"Challenge #{found.id} hasn't started: use `/challenge cancel` instead.")
        if not found.status.is_open:
            raise UserError(f"Challenge #{found.id} is already {found.status.value}.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        ended = await self.runner.end(found)
        await interaction.followup.send(
            f"Challenge #{ended.id} is {ended.status.value}; the summary is posted."
        )

    @challenge.command(name="cancel")
    @app_commands.describe(challenge="The challenge to cancel")
    @moderator_only()
    async def cancel(self, interaction: discord.Interaction, challenge: int) -> None:
        """Cancel a challenge and tell its participants."""
        found = self.get(interaction, challenge)
        if not found.status.is_open:
            raise UserError(f"Challenge #{found.id} is already {found.status.value}.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        told, missed = await self.runner.cancel(found)
        extra = f" ({missed} could not be reached: DMs closed)" if missed else ""
        await interaction.followup.send(
            f"Challenge #{found.id} is cancelled; {told} participant(s) told{extra}."
        )

    @challenge.command(name="submissions")
    @app_commands.describe(challenge="The challenge")
    @moderator_only()
    async def submissions(self, interaction: discord.Interaction, challenge: int) -> None:
        """List a challenge's submissions, a page at a time."""
        await self.show_submissions(interaction, challenge, 0, edit=False)

    @challenge.command(name="export")
    @app_commands.describe(challenge="The challenge")
    @moderator_only()
    async def export(self, interaction: discord.Interaction, challenge: int) -> None:
        """Download a CSV of participants, submissions and votes."""
        found = self.get(interaction, challenge)
        rows = self.store.export_rows(found.guild_id, found.id)
        out = io.StringIO()
        fields = list(rows[0]) if rows else ["user_id", "joined_at", "submitted_at", "link", "votes_received"]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        data = io.BytesIO(out.getvalue().encode("utf-8"))
        await interaction.response.send_message(
            f"Challenge #{found.id}: {len(rows)} participant(s).",
            file=discord.File(data, filename=f"challenge-{found.id}.csv"),
            ephemeral=True,
        )

    # --- members ------------------------------------------------------------------------------------------

    @challenge.command(name="list")
    async def list_(self, interaction: discord.Interaction) -> None:
        """Show running and upcoming challenges, those for your stage first."""
        assert interaction.guild_id is not None
        found = self.store.in_server(interaction.guild_id)
        current = self.bot.storage.stages.current(interaction.guild_id, interaction.user.id)
        stage = Stage(current) if current in STAGE_VALUES else None
        from bot.challenges import relevant_first

        ordered = [found[i] for i in relevant_first([c.stages for c in found], stage)][:LIST_MAX]
        joined = {c.id for c in ordered if self.store.has_joined(c.guild_id, c.id, interaction.user.id)}
        await interaction.response.send_message(embed=ui.list_embed(ordered, joined), ephemeral=True)

    @challenge.command(name="join")
    @app_commands.describe(challenge="The challenge to join")
    async def join_(self, interaction: discord.Interaction, challenge: int) -> None:
        """Join a challenge (you'll get a reminder before the deadline if you haven't submitted)."""
        await self.join(interaction, challenge)

    @challenge.command(name="leave")
    @app_commands.describe(challenge="The challenge to leave")
    async def leave(self, interaction: discord.Interaction, challenge: int) -> None:
        """Leave a challenge before its deadline (your submission is withdrawn)."""
        await self.leave_challenge(interaction, challenge)

    @challenge.command(name="submit")
    @app_commands.describe(
        challenge="The challenge",
        link="A link to your track (SoundCloud, Drive, YouTube…)",
        file="An audio file or project (re-posted by the bot so it stays reachable)",
        note="A note for the listeners or the moderators",
    )
    async def submit(
        self,
        interaction: discord.Interaction,
        challenge: int,
        link: str | None = None,
        file: discord.Attachment | None = None,
        note: str | None = None,
    ) -> None:
        """Submit your entry (sending again replaces it, until the deadline)."""
        found = self.get(interaction, challenge)
        await self.record_entry(interaction, found, link or "", note or "", file)

    # --- autocomplete ---------------------------------------------------------------------------------------

    @edit.autocomplete("challenge")
    @extend.autocomplete("challenge")
    @end.autocomplete("challenge")
    @cancel.autocomplete("challenge")
    @submissions.autocomplete("challenge")
    @export.autocomplete("challenge")
    @join_.autocomplete("challenge")
    @leave.autocomplete("challenge")
    @submit.autocomplete("challenge")
    async def challenge_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """Offer this server's challenges by title (open ones; moderators also see recent closed ones)."""
        if interaction.guild_id is None:
            return []
        moderator = is_moderator(mentor_of(interaction), interaction)
        found = self.store.in_server(interaction.guild_id, open_only=not moderator, limit=50)
        query = current.strip().lower().lstrip("#")
        choices = [
            app_commands.Choice(name=clip(f"#{c.id} {c.title} ({c.status.value})", CHOICE_MAX), value=c.id)
            for c in found
            if not query or query in c.title.lower() or str(c.id).startswith(query)
        ]
        return choices[:AUTOCOMPLETE_MAX]

    @create.autocomplete("stages")
    async def stages_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Complete the last stage of a comma-separated list."""
        done, _, last = current.rpartition(",")
        prefix = f"{done}, " if done else ""
        options = [s.value for s in Stage if s.value.startswith(last.strip().lower())]
        return [
            app_commands.Choice(name=clip(prefix + o, CHOICE_MAX), value=clip(prefix + o, CHOICE_MAX))
            for o in options
        ]


async def setup(bot: MentorBot) -> None:
    """Add the cog, register the persistent buttons, the step planner and the step handlers."""
    bot.add_dynamic_items(*ui.DYNAMIC_ITEMS)
    runner = ChallengeRunner(bot, bot.storage.challenges)
    runner.register()  # the steps are deliveries on the shared scheduler
    await bot.add_cog(Challenges(bot, runner))
