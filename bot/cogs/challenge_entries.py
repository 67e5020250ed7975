"""What members do in a challenge (join, leave, submit, vote) and the moderators' submissions list.

Shared by the /challenge commands and the persistent buttons, so a click and a command behave the same.
An attached file is re-posted by the bot (in the challenge's thread when submissions are public, in the
moderators' review channel otherwise) and the submission keeps that message's link, never Discord's
expiring attachment URL.
"""

from __future__ import annotations

import io
import re

import discord

from bot.app import MentorBot
from bot.challenge_runner import QUIET, ChallengeRunner
from bot.challenges import LINK_MAX, NOTE_MAX, Status, Visibility, can_join, can_submit, can_vote
from bot.checks import NOT_MODERATOR, is_moderator
from bot.storage import Challenge, ChallengeStore
from bot.ui import challenges as ui
from bot.ui.replies import UserError

LINK_RE = re.compile(r"^https?://[^\s<>]+$")


class EntryActions:
    """Mixed into the challenges cog: the member-facing actions and the submissions pages."""

    def __init__(self, bot: MentorBot, runner: ChallengeRunner) -> None:
        self.bot = bot
        self.runner = runner
        self.store: ChallengeStore = bot.storage.challenges

    def get(self, interaction: discord.Interaction, challenge_id: int) -> Challenge:
        """Return the challenge if it belongs to this server; otherwise "not found", whoever asks."""
        found = self.store.get(interaction.guild_id or 0, challenge_id)
        if found is None:
            raise UserError(
                f"Challenge #{challenge_id} was not found in this server (see `/challenge list`)."
            )
        return found

    def _closed_reason(self, challenge: Challenge) -> str:
        t = challenge.timeline
        if challenge.status is Status.CANCELLED:
            return f"**{challenge.title}** was cancelled."
        if challenge.status is Status.SCHEDULED and self.bot.clock.now() < t.starts_at:
            return f"**{challenge.title}** opens for submissions {ui.when(t.starts_at)}."
        return f"Submissions for **{challenge.title}** closed at the deadline, {ui.ts(t.deadline)}."

    async def join(self, interaction: discord.Interaction, challenge_id: int) -> None:
        """Join a challenge, privately confirmed."""
        found = self.get(interaction, challenge_id)
        if not can_join(found.status, found.timeline, self.bot.clock.now()):
            raise UserError(self._closed_reason(found))
        new = self.store.join(found.guild_id, found.id, interaction.user.id)
        text = "You're in" if new else "You had already joined"
        await interaction.response.send_message(
            f"{text}: **{found.title}**. Submit before {ui.when(found.timeline.deadline)} with "
            f"`/challenge submit challenge:{found.id}` or the Submit button.",
            ephemeral=True,
        )

    async def leave_challenge(self, interaction: discord.Interaction, challenge_id: int) -> None:
        """Leave before the deadline; a submission is withdrawn with it."""
        found = self.get(interaction, challenge_id)
        if not can_join(found.status, found.timeline, self.bot.clock.now()):
            raise UserError(f"**{found.title}** is past its deadline: entries stay as they are now.")
        had_entry = self.store.submission_of(found.guild_id, found.id, interaction.user.id) is not None
        if not self.store.leave(found.guild_id, found.id, interaction.user.id):
            raise UserError(f"You haven't joined **{found.title}**.")
        extra = " Your submission was withdrawn." if had_entry else ""
        await interaction.response.send_message(f"You left **{found.title}**.{extra}", ephemeral=True)

    async def open_entry_form(self, interaction: discord.Interaction, challenge_id: int) -> None:
        """The Submit button: a form for a link and a note, filled with the member's current entry."""
        found = self.get(interaction, challenge_id)
        if not can_submit(found.status, found.timeline, self.bot.clock.now()):
            raise UserError(self._closed_reason(found))
        current = self.store.submission_of(found.guild_id, found.id, interaction.user.id)

        async def done(modal_interaction: discord.Interaction, link: str, note: str) -> None:
            await self.record_entry(
                modal_interaction, self.get(modal_interaction, found.id), link, note, None
            )

        link, note = (current.link or "", current.note or "") if current else ("", "")
        await interaction.response.send_modal(ui.EntryForm(found, link, note, done))

    async def record_entry(
        self,
        interaction: discord.Interaction,
        challenge: Challenge,
        link: str,
        note: str,
        file: discord.Attachment | None,
    ) -> None:
        """Check and store a submission (re-posting its file), replacing the member's earlier one."""
        if not can_submit(challenge.status, challenge.timeline, self.bot.clock.now()):
            raise UserError(self._closed_reason(challenge))
        link, note = link.strip(), note.strip()
        if not link and file is None:
            raise UserError("Send a link, a file, or both.")
        if link and (len(link) > LINK_MAX or not LINK_RE.match(link)):
            raise UserError(
                f"The link must start with http:// or https:// and be at most {LINK_MAX} characters."
            )
        if len(note) > NOTE_MAX:
            raise UserError(f"The note is {len(note)} characters; the limit is {NOTE_MAX}.")
        file_name = file_message = None
        if file is not None:
            guild = interaction.guild
            if guild is not None and file.size > guild.filesize_limit:
                raise UserError(
                    f"That file is too large for me to re-post here ({guild.filesize_limit // 2**20} MB)."
                )
            await interaction.response.defer(ephemeral=True, thinking=True)  # downloading and re-posting
            file_message = await self._repost(interaction, challenge, file)
            file_name = file.filename
        submission, replaced = self.store.submit(
            challenge.guild_id, challenge.id, interaction.user.id,
            link=link or None, note=note or None, file_name=file_name, file_message=file_message,
        )  # fmt: skip
        seen = "" if challenge.visibility is Visibility.PUBLIC else " Only the moderators will see it."
        text = (
            f"{'Replaced your entry' if replaced else 'Submitted'} for **{challenge.title}** ✅{seen} "
            f"You can send again to replace it until {ui.ts(challenge.timeline.deadline)}."
        )
        embed = discord.Embed(description=ui.entry_text(submission), colour=ui.BRAND_COLOUR)
        if interaction.response.is_done():
            await interaction.followup.send(text, embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(text, embed=embed, ephemeral=True)

    async def _repost(
        self, interaction: discord.Interaction, challenge: Challenge, file: discord.Attachment
    ) -> str:
        """Post the member's file from the bot, where it belongs; return that message's link."""
        public = challenge.visibility is Visibility.PUBLIC
        target = (challenge.thread_id or challenge.channel_id) if public else challenge.review_channel_id
        channel = self.bot.get_channel(target or 0)
        if channel is None and target:
            try:
                channel = await self.bot.fetch_channel(target)
            except discord.HTTPException:
                channel = None
        if not isinstance(channel, discord.abc.Messageable):
            raise UserError("I can't reach the channel for entries; please tell a moderator.")
        data = await file.read()
        try:
            message = await channel.send(
                f"📎 Entry by <@{interaction.user.id}> for **{discord.utils.escape_markdown(challenge.title)}"
                "**",
                file=discord.File(io.BytesIO(data), filename=file.filename),
                allowed_mentions=QUIET,
            )
        except discord.Forbidden:
            raise UserError("I'm not allowed to post your file there; please tell a moderator.") from None
        return message.jump_url

    async def vote(self, interaction: discord.Interaction, challenge_id: int, submission_id: int) -> None:
        """Record a member's one vote in a challenge (moving an earlier one); never for their own entry."""
        found = self.get(interaction, challenge_id)
        if not can_vote(found.status, found.timeline, self.bot.clock.now()):
            raise UserError(f"Voting for **{found.title}** is closed.")
        entry = self.store.submission(found.guild_id, submission_id)
        if entry is None or entry.challenge_id != found.id:
            raise UserError("That entry is no longer in the challenge.")
        if entry.user_id == interaction.user.id:
            raise UserError("You can't vote for your own entry.")
        before = self.store.vote(found.guild_id, found.id, interaction.user.id, entry.id)
        if before == entry.id:
            text = "You had already voted for this entry."
        elif before is not None:
            text = f"Vote moved to <@{entry.user_id}>'s entry."
        else:
            text = f"Your vote for <@{entry.user_id}>'s entry is in. You can move it until voting ends."
        await interaction.response.send_message(text, ephemeral=True)

    async def show_submissions(
        self, interaction: discord.Interaction, challenge_id: int, page: int, *, edit: bool
    ) -> None:
        """One page of submissions, for moderators only (checked again on every page turn)."""
        if not is_moderator(self.bot, interaction):
            raise UserError(NOT_MODERATOR)
        found = self.get(interaction, challenge_id)
        total = self.store.counts(found.guild_id, found.id)[1]
        pages = max((total + ui.PAGE_SIZE - 1) // ui.PAGE_SIZE, 1)
        page = min(max(page, 0), pages - 1)
        entries = self.store.submissions(
            found.guild_id, found.id, offset=page * ui.PAGE_SIZE, limit=ui.PAGE_SIZE
        )
        embed = ui.submissions_embed(found, entries, page, pages, total)
        view = ui.page_view(found.id, page, pages)
        if edit:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
