"""/mydata: what the bot holds about a member in a server, and the confirm / cancel buttons of forgetting it.

The summary is generic over `Storage.export_member`'s keys, so a storage area added later (prompts,
challenges) shows up here without a change.
"""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import datetime
from typing import Any

import discord

from bot.app import MentorBot
from bot.stages import STAGE_VALUES, Stage
from bot.ui import ids
from bot.ui.base import MentorItem
from bot.ui.limits import BRAND_COLOUR, EMBED_DESCRIPTION_MAX, MESSAGE_MAX, clip
from bot.ui.replies import UserError
from bot.ui.stage_roles import apply_stage_roles, plan_stage_roles

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 300  # a forget button older than this asks the member to start again
INLINE_JSON_MAX = 1_500  # longer exports go as a file (a message holds 2,000 characters)
JSON_FILENAME = "studio-mentor-my-data.json"
NOT_YOURS = "Only the member who asked can confirm this."
# How each export key and table reads to a member; unknown ones (a new area) show their own name.
LABELS = {
    "stage": "Career stage",
    "stage_history": "Stage changes",
    "stage_checklist": "Checklist milestones ticked",
    "questions": "Questions you asked",
    "votes": "Helpful / not helpful votes",
    "member_stages": "Career stage",
    "feedback": "Helpful / not helpful votes",
}


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def _count(value: Any) -> int:
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def summary_lines(data: dict[str, Any], *, skip_empty: bool = False) -> list[str]:
    """One line per kind of data: what it is and how many records."""
    lines = []
    for key, value in data.items():
        if key == "stage" and value and value.get("stage"):
            shown = "visible to others" if value.get("visible_to_others") else "private"
            stage = value["stage"]
            label = Stage(stage).label if stage in STAGE_VALUES else stage
            lines.append(f"**{_label(key)}:** {label} ({shown})")
        elif _count(value) or not skip_empty:
            lines.append(f"**{_label(key)}:** {_count(value)}")
    return lines


def export_reply(
    guild_name: str, guild_id: int, user_id: int, data: dict[str, Any], now: datetime
) -> tuple[str | None, discord.Embed, discord.File | None]:
    """The /mydata show reply: a summary embed, and the full export inline (short) or as a JSON file."""
    document = {"server_id": str(guild_id), "user_id": str(user_id), "exported_at": now.isoformat(), **data}
    text = json.dumps(document, indent=2, ensure_ascii=False)
    total = sum(_count(v) for v in data.values())
    embed = discord.Embed(
        title=clip(f"What I hold about you in {guild_name}", 256),
        description=clip("\n".join(summary_lines(data)), EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    embed.set_footer(text="Only you see this. /mydata forget deletes all of it.")
    if total == 0:
        embed.description = "Nothing: I hold no data about you in this server."
        return None, embed, None
    if len(text) <= INLINE_JSON_MAX and "```" not in text:
        return clip(f"```json\n{text}\n```", MESSAGE_MAX), embed, None
    return None, embed, discord.File(io.BytesIO(text.encode("utf-8")), filename=JSON_FILENAME)


def forget_prompt(owner_id: int, data: dict[str, Any], expires: int) -> tuple[str, discord.ui.View | None]:
    """The confirmation: what would go, and the buttons (none when there is nothing to delete)."""
    if sum(_count(v) for v in data.values()) == 0:
        return "I hold no data about you in this server: there's nothing to delete.", None
    listing = "\n".join(f"- {line}" for line in summary_lines(data, skip_empty=True))
    text = (
        "This deletes everything I hold about you in this server, and can't be undone:\n"
        f"{listing}\nThe buttons expire <t:{expires}:R>."
    )
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton(owner_id, expires))
    view.add_item(CancelForgetButton(owner_id))
    view.stop()
    return clip(text, MESSAGE_MAX), view


def forgotten_text(removed: dict[str, int]) -> str:
    """What went, per kind of data."""
    gone: dict[str, int] = {}
    for table, count in removed.items():
        if count:
            gone[_label(table)] = gone.get(_label(table), 0) + count
    if not gone:
        return "Done: there was nothing to delete."
    return "Deleted:\n" + "\n".join(f"- {label}: {n}" for label, n in gone.items())


class ForgetButton(
    MentorItem[discord.ui.Button[Any]],
    template=rf"{ids.MYDATA_FORGET}:(?P<owner>\d{{1,20}}):(?P<expires>\d{{1,12}})",
):
    """Delete everything about the member in this server, once they confirm (and before it expires)."""

    def __init__(self, owner_id: int, expires: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Delete my data",
                style=discord.ButtonStyle.danger,
                custom_id=f"{ids.MYDATA_FORGET}:{owner_id}:{expires}",
            )
        )
        self.owner_id = owner_id
        self.expires = expires

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ForgetButton:
        return cls(int(match["owner"]), int(match["expires"]))

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Forget the member in one transaction, say what went, and take their stage roles away."""
        if interaction.user.id != self.owner_id:
            raise UserError(NOT_YOURS)
        if interaction.guild_id is None:
            raise UserError("Your data here belongs to a server: use this in a server.")
        if bot.clock.now().timestamp() > self.expires:
            await interaction.response.edit_message(
                content="This confirmation expired and nothing was deleted. Run `/mydata forget` again.",
                view=None,
            )
            return
        mapping = bot.storage.stages.roles(interaction.guild_id)
        removed = bot.storage.forget_member(interaction.guild_id, self.owner_id)
        await interaction.response.edit_message(content=forgotten_text(removed), view=None)
        if mapping and isinstance(interaction.user, discord.Member):  # their stage role goes with the stage
            plan = plan_stage_roles(interaction.user, "", mapping, interaction.app_permissions)
            plan.add = []
            failure = await apply_stage_roles(interaction.user, plan, reason="Studio Mentor: data forgotten")
            if failure or plan.outcome.problem:
                log.warning(
                    "stage roles in server %s not removed after /mydata forget: %s",
                    interaction.guild_id,
                    failure or plan.outcome.problem,
                )


class CancelForgetButton(
    MentorItem[discord.ui.Button[Any]], template=rf"{ids.MYDATA_CANCEL}:(?P<owner>\d{{1,20}})"
):
    """Keep the data: close the confirmation."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep it",
                style=discord.ButtonStyle.secondary,
                custom_id=f"{ids.MYDATA_CANCEL}:{owner_id}",
            )
        )
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CancelForgetButton:
        return cls(int(match["owner"]))

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Close the confirmation without deleting anything."""
        if interaction.user.id != self.owner_id:
            raise UserError(NOT_YOURS)
        await interaction.response.edit_message(content="Nothing was deleted.", view=None)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ForgetButton, CancelForgetButton)
