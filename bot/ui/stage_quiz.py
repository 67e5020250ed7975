"""/stage quiz: a few questions with answer buttons, then a suggested stage with a button to set it.

The quiz keeps no state of its own: each button's custom_id carries the answers given so far (one digit per
question: the index of the answer), so a half-finished quiz still works after a restart and costs no rows.
Scoring is `bot.stages.score_quiz`; the questions are in knowledge/stages.toml.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app import MentorBot
from bot.knowledge.stage_guides import StageContent
from bot.stages import QuizQuestion, Stage, score_quiz
from bot.ui import ids
from bot.ui.base import MentorItem
from bot.ui.limits import BRAND_COLOUR, BUTTON_LABEL_MAX, EMBED_DESCRIPTION_MAX, EMBED_TITLE_MAX, clip
from bot.ui.replies import UserError
from bot.ui.stages import change_stage, parse_stage_id, runtime_of

QUIZ_CHANGED = "The quiz changed since you started it. Run `/stage quiz` again."
NOT_YOURS = "This quiz belongs to someone else. Run `/stage quiz` to take your own."


def _answers(questions: tuple[QuizQuestion, ...], digits: str) -> dict[str, str]:
    """Turn the digits of a custom_id into question id -> answer id; refuse digits the quiz can't have."""
    if len(digits) > len(questions):
        raise UserError(QUIZ_CHANGED)
    chosen: dict[str, str] = {}
    for question, digit in zip(questions, digits, strict=False):
        index = int(digit)
        if index >= len(question.answers):
            raise UserError(QUIZ_CHANGED)
        chosen[question.id] = question.answers[index].id
    return chosen


def quiz_message(
    owner_id: int, content: StageContent, digits: str, current: str | None
) -> tuple[discord.Embed, discord.ui.View]:
    """The next question of the quiz, or, once every question is answered, the suggested stage."""
    questions = content.quiz
    chosen = _answers(questions, digits)
    view = discord.ui.View(timeout=None)
    if len(digits) < len(questions):
        question = questions[len(digits)]
        embed = discord.Embed(
            title="Where are you on the path?",
            description=clip(f"**{question.text}**", EMBED_DESCRIPTION_MAX),
            colour=BRAND_COLOUR,
        )
        embed.set_footer(text=f"Question {len(digits) + 1} of {len(questions)} · pick the closest answer")
        for i, answer in enumerate(question.answers):
            view.add_item(QuizButton(owner_id, digits + str(i), label=answer.label, row=i // 2))
        view.stop()
        return embed, view
    result = score_quiz(questions, chosen)
    guide = content.guide(result.stage)
    embed = discord.Embed(
        title=clip(f"You sound like you're at: {guide.title}", EMBED_TITLE_MAX),
        description=clip(f"{guide.summary}\n\n{result.explain()}", EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    if current == result.stage.value:
        embed.add_field(name="Your stage", value="That's the stage you have set already.")
    else:
        embed.add_field(
            name="Your stage",
            value="Set it with the button below, or pick any stage yourself with `/stage set`.",
        )
        view.add_item(QuizSetButton(owner_id, result.stage, label=f"Set my stage: {guide.title}"))
    view.add_item(QuizButton(owner_id, "", label="Start over", style=discord.ButtonStyle.secondary))
    view.stop()
    return embed, view


class QuizButton(
    MentorItem[discord.ui.Button[Any]],
    template=rf"{ids.STAGE_QUIZ}:(?P<owner>\d{{1,20}}):(?P<digits>[0-9]{{0,5}})",
):
    """Answer one quiz question (the custom_id holds every answer so far, this one included)."""

    def __init__(
        self,
        owner_id: int,
        digits: str,
        *,
        label: str = "",
        row: int | None = None,
        style: discord.ButtonStyle = discord.ButtonStyle.primary,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label or "Answer", BUTTON_LABEL_MAX),
                style=style,
                custom_id=f"{ids.STAGE_QUIZ}:{owner_id}:{digits}",
            ),
            row=row,
        )
        self.owner_id = owner_id
        self.digits = digits

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> QuizButton:
        return cls(int(match["owner"]), match["digits"])

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Show the next question, or the result."""
        if interaction.user.id != self.owner_id:
            raise UserError(NOT_YOURS)
        current = bot.storage.stages.current(interaction.guild_id or 0, self.owner_id)
        embed, view = quiz_message(self.owner_id, runtime_of(bot).content(), self.digits, current)
        await interaction.response.edit_message(embed=embed, view=view)


class QuizSetButton(
    MentorItem[discord.ui.Button[Any]],
    template=rf"{ids.STAGE_QUIZ_SET}:(?P<owner>\d{{1,20}}):(?P<stage>[a-z-]{{1,40}})",
):
    """Set the stage the quiz suggested."""

    def __init__(self, owner_id: int, stage: Stage | str, *, label: str = "") -> None:
        value = stage.value if isinstance(stage, Stage) else stage
        super().__init__(
            discord.ui.Button(
                label=clip(label or "Set my stage", BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.success,
                custom_id=f"{ids.STAGE_QUIZ_SET}:{owner_id}:{value}",
            )
        )
        self.owner_id = owner_id
        self.stage = value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> QuizSetButton:
        return cls(int(match["owner"]), match["stage"])

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Save the stage and replace the quiz with the usual /stage set answer."""
        if interaction.user.id != self.owner_id:
            raise UserError(NOT_YOURS)
        await change_stage(interaction, bot, parse_stage_id(self.stage), None, edit=True)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (QuizButton, QuizSetButton)
