"""Embeds and components the bot sends: built from plain data, clipped to Discord's limits.

The buttons and selects are DynamicItems: their state lives in the custom_id (`sm:show:<entry>`), so they
keep working after a restart without any view being kept in memory. Ids inside a custom_id only say *what*
to show; authorisation and the server come from the interaction itself.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

import discord

from bot.knowledge.model import Entry, KnowledgeBase

# Discord's limits (https://discord.com/developers/docs/resources/message): clip rather than be refused.
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FOOTER_MAX = 2048
BUTTON_LABEL_MAX = 80
SELECT_OPTION_LABEL_MAX = 100
SELECT_OPTIONS_MAX = 25
MESSAGE_MAX = 2000

BRAND_COLOUR = discord.Colour(0x7C5CFF)
DECLINE_TEXT = (
    "I couldn't find that in what I know. I only answer questions about becoming a music producer "
    "(education, skills, the job, the career path). Try `/topics` to browse everything I can help with."
)


def clip(text: str, limit: int) -> str:
    """Cut text to Discord's limit, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Built once per entry of a knowledge base and reused for every send: an answer's embed and buttons never
# change, and building them is a large share of the work per answer. Keyed weakly, so a reloaded knowledge
# base drops its cards with it. The views are stopped: discord.py only serialises them (never stores a
# finished view), and the buttons in them are dispatched by custom_id.
_CARDS: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, tuple[discord.Embed, discord.ui.View]]] = (
    weakref.WeakKeyDictionary()
)


def answer_card(kb: KnowledgeBase, entry: Entry) -> tuple[discord.Embed, discord.ui.View]:
    """Return the embed and buttons that answer with one entry, built once per knowledge base."""
    cards = _CARDS.setdefault(kb, {})
    card = cards.get(entry.id)
    if card is None:
        view = answer_view(kb, entry)
        view.stop()
        card = cards[entry.id] = (answer_embed(kb, entry), view)
    return card


def answer_embed(kb: KnowledgeBase, entry: Entry) -> discord.Embed:
    """Build the embed that answers with one entry and names its article section."""
    embed = discord.Embed(
        title=clip(entry.title, EMBED_TITLE_MAX),
        description=clip(entry.answer, EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    embed.set_footer(
        text=clip(
            f"From the article section “{kb.section_title(entry.section)}” · {kb.article}", EMBED_FOOTER_MAX
        )
    )
    return embed


def answer_view(kb: KnowledgeBase, entry: Entry) -> discord.ui.View:
    """Buttons under an answer: up to three related topics, then helpful / not helpful."""
    view = discord.ui.View(timeout=None)
    for related_id in entry.related[:3]:
        related = kb.by_id.get(related_id)
        if related:
            view.add_item(ShowEntryButton(related, row=0))
    view.add_item(VoteButton(entry.id, helpful=True, row=1))
    view.add_item(VoteButton(entry.id, helpful=False, row=1))
    return view


def suggestions_view(entries: list[Entry]) -> discord.ui.View:
    """Buttons for a "did you mean" reply, one per candidate entry."""
    view = discord.ui.View(timeout=None)
    for entry in entries[:5]:
        view.add_item(ShowEntryButton(entry, row=0))
    return view


def suggestions_text(entries: list[Entry]) -> str:
    """The text of a "did you mean" reply."""
    lines = ["I'm not sure I understood. Did you mean one of these?"]
    lines += [f"- {e.title}" for e in entries[:5]]
    return clip("\n".join(lines), MESSAGE_MAX)


def topics_page(kb: KnowledgeBase, page: int) -> tuple[discord.Embed, discord.ui.View]:
    """One page of /topics: an article section with its questions, a section picker and prev/next."""
    page = max(0, min(page, len(kb.sections) - 1))
    section = kb.sections[page]
    entries = kb.entries_in(section.slug)
    lines = [f"**{i}.** {e.title}" for i, e in enumerate(entries, 1)]
    embed = discord.Embed(
        title=clip(f"Topics · {section.title}", EMBED_TITLE_MAX),
        description=clip("\n".join(lines) or "No questions here yet.", EMBED_DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    embed.set_footer(
        text=f"Section {page + 1} of {len(kb.sections)} · pick a question below to read its answer"
    )
    view = discord.ui.View(timeout=None)
    view.add_item(SectionSelect(kb, page))
    if entries:
        view.add_item(EntrySelect(entries))
    view.add_item(PageButton(max(0, page - 1), label="◀ Previous", disabled=page == 0))
    view.add_item(
        PageButton(min(page + 1, len(kb.sections) - 1), label="Next ▶", disabled=page >= len(kb.sections) - 1)
    )
    return embed, view


def _bot(interaction: discord.Interaction) -> Any:
    """Return the MentorBot handling this interaction (its library and storage)."""
    return interaction.client


class ShowEntryButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"sm:show:(?P<entry>[a-z0-9-]{1,80})"
):
    """Show one entry's answer, privately, to whoever clicks."""

    def __init__(self, entry: Entry | str, *, row: int | None = None) -> None:
        entry_id = entry if isinstance(entry, str) else entry.id
        label = entry_id if isinstance(entry, str) else clip(entry.title, BUTTON_LABEL_MAX)
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"sm:show:{entry_id}"
            ),
            row=row,
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ShowEntryButton:
        return cls(match["entry"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await show_entry(interaction, self.entry_id)


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"sm:vote:(?P<entry>[a-z0-9-]{1,80}):(?P<v>[01])"
):
    """Record "helpful" or "not helpful" once per member per answer."""

    def __init__(self, entry_id: str, *, helpful: bool, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                emoji="👍" if helpful else "👎",
                style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary,
                custom_id=f"sm:vote:{entry_id}:{int(helpful)}",
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

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        if self.entry_id not in bot.library.index.kb.by_id:
            await interaction.response.send_message("That answer no longer exists.", ephemeral=True)
            return
        recorded = bot.storage.record_feedback(
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


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"sm:topics:page:(?P<page>\d{1,3})"
):
    """Move /topics to another section."""

    def __init__(self, page: int, *, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or str(page + 1),
                style=discord.ButtonStyle.primary,
                custom_id=f"sm:topics:page:{page}",
                disabled=disabled,
            ),
            row=2,
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PageButton:
        return cls(int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        embed, view = topics_page(_bot(interaction).library.index.kb, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


class SectionSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"sm:topics:section"):
    """Jump /topics to a section picked from the list."""

    def __init__(self, kb: KnowledgeBase | None = None, page: int = 0) -> None:
        options = (
            [
                discord.SelectOption(
                    label=clip(s.title, SELECT_OPTION_LABEL_MAX), value=s.slug, default=i == page
                )
                for i, s in enumerate(kb.sections[:SELECT_OPTIONS_MAX])
            ]
            if kb
            else [discord.SelectOption(label="-", value="-")]
        )
        super().__init__(
            discord.ui.Select(
                custom_id="sm:topics:section", placeholder="Jump to a section", options=options
            ),
            row=0,
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SectionSelect:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        kb = _bot(interaction).library.index.kb
        values = self.item.values or [""]
        slugs = [s.slug for s in kb.sections]
        page = slugs.index(values[0]) if values[0] in slugs else 0
        embed, view = topics_page(kb, page)
        await interaction.response.edit_message(embed=embed, view=view)


class EntrySelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"sm:topics:entry"):
    """Show the answer to a question picked in /topics."""

    def __init__(self, entries: list[Entry] | None = None) -> None:
        options = [
            discord.SelectOption(label=clip(e.title, SELECT_OPTION_LABEL_MAX), value=e.id)
            for e in (entries or [])[:SELECT_OPTIONS_MAX]
        ] or [discord.SelectOption(label="-", value="-")]
        super().__init__(
            discord.ui.Select(custom_id="sm:topics:entry", placeholder="Read an answer", options=options),
            row=1,
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> EntrySelect:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        values = self.item.values or [""]
        await show_entry(interaction, values[0])


async def show_entry(interaction: discord.Interaction, entry_id: str) -> None:
    """Answer an interaction privately with one entry, or say it no longer exists."""
    kb = _bot(interaction).library.index.kb
    entry = kb.by_id.get(entry_id)
    if entry is None:
        await interaction.response.send_message(
            "That topic no longer exists (the knowledge base was updated). Try `/topics`.", ephemeral=True
        )
        return
    embed, view = answer_card(kb, entry)
    await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    ShowEntryButton,
    VoteButton,
    PageButton,
    SectionSelect,
    EntrySelect,
)
