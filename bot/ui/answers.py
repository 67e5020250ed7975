"""Answer cards, "did you mean" replies and their buttons.

A card is immutable data built once per entry of a knowledge base (cached weakly, so a reloaded knowledge
base drops its cards), its buttons' payload included; every send builds fresh discord.py objects from it
(an Embed, and a SentView that renders the payload), so no Embed or View is ever shared between messages.
"""

from __future__ import annotations

import dataclasses
import json
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import discord

from bot.app import MentorBot
from bot.knowledge.model import Entry, KnowledgeBase
from bot.ui import ids
from bot.ui.base import MentorItem
from bot.ui.limits import (
    BRAND_COLOUR,
    BUTTON_LABEL_MAX,
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_FOOTER_MAX,
    EMBED_TITLE_MAX,
    MESSAGE_MAX,
    clip,
)

DECLINE_TEXT = (
    "I couldn't find that in what I know. I only answer questions about becoming a music producer "
    "(education, skills, the job, the career path). Try `/topics` to browse everything I can help with."
)
# What the article does not cover, per out-of-scope intent (bot.knowledge.scope.INTENTS): a member asking
# about pay hears that the article says nothing about pay, not a bare "I do not know". Chat: the plain one.
NOT_COVERED: dict[str, str] = {
    "money": "pay, rates or money",
    "selling-and-business": "selling beats or running a music business",
    "legal": "legal questions such as contracts, copyright or sample clearance",
    "distribution-and-promotion": "releasing, distributing or promoting music",
    "product-choice": "which gear or software to choose",
    "named-schools": "particular schools, courses or teachers",
    "other-careers": "careers other than music producer",
    "technique-how-to": "step-by-step production or mixing techniques",
    "statistics": "statistics or figures about the industry",
    "tech-support": "fixing computer, software or gear problems",
    "health": "health, hearing or medical questions",
}
RELATED_MAX = 3  # related-topic buttons under an answer (one row, with room to spare)
SUGGESTIONS_MAX = 5  # "did you mean" offers: one row of buttons
ALSO_HEADING = "Or did you mean"  # the field naming an answer's close calls
ROW_WIDTH = 5  # buttons Discord fits in one action row


@dataclass(frozen=True, slots=True)
class AnswerCard:
    """Everything an answer shows, as plain data."""

    entry_id: str
    title: str
    description: str
    footer: str
    related: tuple[tuple[str, str], ...]  # (entry id, button label)
    next_up: tuple[str, str] | None = None  # the related entry that matters most at the asker's stage
    # Close calls on other topics (SearchResult.close_calls): offered beside the answer, "Or did you mean".
    also: tuple[tuple[str, str], ...] = ()
    components: str = ""  # the buttons' payload (rendered(items())), filled in by answer_card

    def embed(self) -> discord.Embed:
        """Build a fresh embed for one send."""
        embed = discord.Embed(title=self.title, description=self.description, colour=BRAND_COLOUR)
        if self.next_up is not None:
            embed.add_field(name="Next for your stage", value=self.next_up[1], inline=False)
        if self.also:
            lines = "\n".join(f"- {label}" for _id, label in self.also)
            embed.add_field(name=ALSO_HEADING, value=clip(lines, EMBED_FIELD_VALUE_MAX), inline=False)
        embed.set_footer(text=self.footer)
        return embed

    def items(self) -> list[discord.ui.Item[Any]]:
        """Build the card's buttons: the stage's next read and related topics, votes, then close calls."""
        items: list[discord.ui.Item[Any]] = []
        if self.next_up is not None:
            entry_id, label = self.next_up
            items.append(ShowEntryButton(entry_id, label=label, row=0, primary=True))
        for entry_id, label in self.related:
            if self.next_up is None or entry_id != self.next_up[0]:
                items.append(ShowEntryButton(entry_id, label=label, row=0))
        for entry_id, label in self.also:
            items.append(ShowEntryButton(entry_id, label=label, row=2))
        items.append(VoteButton(self.entry_id, helpful=True, row=1))
        items.append(VoteButton(self.entry_id, helpful=False, row=1))
        return items

    def view(self) -> discord.ui.View:
        """Build a fresh view for one send, rendering the card's buttons (see SentView)."""
        return SentView(self.components or rendered(self.items()))


class SentView(discord.ui.View):
    """A finished view for one send, rendering components from a JSON payload: no live items.

    Buttons under answers are dispatched by their custom ids (the DynamicItems registered at start-up), so
    a view sent with an answer only ever renders: discord.py asks it for its components and, as it is
    finished, keeps nothing. Each send gets a fresh view and freshly parsed components, so nothing is
    shared between messages, and it costs a View and a JSON parse instead of a discord.py item per button
    (about a tenth). `rendered()` makes the payload from real items, so it is exactly what they render.
    """

    def __init__(self, components: str) -> None:
        super().__init__(timeout=None)
        self._components = components
        self.stop()

    def to_components(self) -> list[dict[str, Any]]:
        """Return this send's components (fresh objects)."""
        components: list[dict[str, Any]] = json.loads(self._components)
        return components


def rendered(items: Sequence[discord.ui.Item[Any]]) -> str:
    """Return, as JSON, the components a discord.ui.View holding these items (rows set) renders.

    As View.to_components: items sorted by row (stably), one action row per row.
    """
    rows: dict[int, list[dict[str, Any]]] = {}
    for item in sorted(items, key=lambda item: item.row or 0):
        rows.setdefault(item.row or 0, []).append(item.to_component_dict())
    if any(len(row) > ROW_WIDTH for row in rows.values()):  # View.add_item would refuse them
        raise ValueError(f"more than {ROW_WIDTH} buttons in one row")
    return json.dumps([{"type": 1, "components": row} for row in rows.values()])


_CARDS: weakref.WeakKeyDictionary[KnowledgeBase, dict[tuple[str | None, ...], AnswerCard]] = (
    weakref.WeakKeyDictionary()
)


def sources_footer(kb: KnowledgeBase, entry: Entry) -> str:
    """Name every article section an answer draws on, its own section first."""
    titles = [f"“{kb.section_title(slug)}”" for slug in (entry.sources or (entry.section,))]
    label = "section" if len(titles) == 1 else "sections"
    return clip(f"From the article {label} {', '.join(titles)} · {kb.article}", EMBED_FOOTER_MAX)


def answer_card(
    kb: KnowledgeBase, entry: Entry, next_up: Entry | None = None, also: Sequence[Entry] = ()
) -> AnswerCard:
    """Return the card answering with one entry (a stage's next read, close calls), built once per base."""
    cards = _CARDS.setdefault(kb, {})
    key = (entry.id, next_up.id if next_up else None, *(e.id for e in also))
    card = cards.get(key)
    if card is None:
        related = tuple(
            (r.id, clip(r.title, BUTTON_LABEL_MAX))
            for r in (kb.by_id.get(i) for i in entry.related[:RELATED_MAX])
            if r is not None
        )
        card = cards[key] = AnswerCard(
            entry_id=entry.id,
            title=clip(entry.title, EMBED_TITLE_MAX),
            description=clip(entry.answer, EMBED_DESCRIPTION_MAX),
            footer=sources_footer(kb, entry),
            related=related,
            next_up=(next_up.id, clip(next_up.title, BUTTON_LABEL_MAX)) if next_up else None,
            also=tuple((e.id, clip(e.title, BUTTON_LABEL_MAX)) for e in also),
        )
        card = cards[key] = dataclasses.replace(card, components=rendered(card.items()))
    return card


def decline_text(intent: str | None) -> str:
    """The polite decline, naming what the article does not cover when an out-of-scope intent matched."""
    topic = NOT_COVERED.get(intent or "")
    if topic is None:
        return DECLINE_TEXT
    return (
        f"That's outside what I can answer: the article I draw on doesn't cover {topic}. I answer questions "
        "about becoming a music producer (education, skills, the job, the career path). "
        "Try `/topics` to browse everything I can help with."
    )


def suggestion_items(entries: list[Entry]) -> list[discord.ui.Item[Any]]:
    """Buttons for a "did you mean" reply, one per candidate entry."""
    return [
        ShowEntryButton(entry.id, label=clip(entry.title, BUTTON_LABEL_MAX), row=0)
        for entry in entries[:SUGGESTIONS_MAX]
    ]


def suggestions_view(entries: list[Entry]) -> discord.ui.View:
    """A fresh view for one "did you mean" reply (see SentView)."""
    return SentView(rendered(suggestion_items(entries)))


def suggestions_text(entries: list[Entry]) -> str:
    """The text of a "did you mean" reply."""
    lines = ["I'm not sure I understood. Did you mean one of these?"]
    lines += [f"- {e.title}" for e in entries[:SUGGESTIONS_MAX]]
    return clip("\n".join(lines), MESSAGE_MAX)


async def show_entry(interaction: discord.Interaction, bot: MentorBot, entry_id: str) -> None:
    """Answer an interaction privately with one entry, or say it no longer exists."""
    kb = bot.library.index.kb
    entry = kb.by_id.get(entry_id)
    if entry is None:
        await interaction.response.send_message(
            "That topic no longer exists (the knowledge base was updated). Try `/topics`.", ephemeral=True
        )
        return
    card = answer_card(kb, entry)
    await interaction.response.send_message(embed=card.embed(), view=card.view(), ephemeral=True)


class ShowEntryButton(
    MentorItem[discord.ui.Button[Any]], template=rf"{ids.SHOW_ENTRY}:(?P<entry>[a-z0-9-]{{1,80}})"
):
    """Show one entry's answer, privately, to whoever clicks."""

    def __init__(
        self, entry_id: str, *, label: str | None = None, row: int | None = None, primary: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or entry_id,
                style=discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary,
                custom_id=f"{ids.SHOW_ENTRY}:{entry_id}",
            ),
            row=row,
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ShowEntryButton:
        return cls(match["entry"])

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Show the entry."""
        await show_entry(interaction, bot, self.entry_id)


class VoteButton(
    MentorItem[discord.ui.Button[Any]], template=rf"{ids.VOTE}:(?P<entry>[a-z0-9-]{{1,80}}):(?P<v>[01])"
):
    """Record "helpful" or "not helpful" once per member per answer."""

    def __init__(self, entry_id: str, *, helpful: bool, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                emoji="👍" if helpful else "👎",
                style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary,
                custom_id=f"{ids.VOTE}:{entry_id}:{int(helpful)}",
            ),
            row=row,
        )
        self.entry_id = entry_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        return cls(match["entry"], helpful=match["v"] == "1")

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Record the vote, once per member per answer per server."""
        if self.entry_id not in bot.library.index.kb.by_id:
            await interaction.response.send_message("That answer no longer exists.", ephemeral=True)
            return
        recorded = bot.storage.questions.record_feedback(
            guild_id=interaction.guild_id or 0,
            user_id=interaction.user.id,
            entry_id=self.entry_id,
            helpful=self.helpful,
        )
        if not recorded:
            text = "You've already rated this answer. Thanks!"
        elif self.helpful:
            text = "Thanks! Glad it helped."
        else:
            text = "Thanks for telling me. The moderators see answers that didn't help in `/kb gaps`."
        await interaction.response.send_message(text, ephemeral=True)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ShowEntryButton, VoteButton)
