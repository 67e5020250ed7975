"""/topics: browse the knowledge base section by section, with a section picker and prev/next buttons."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app import MentorBot
from bot.knowledge.model import Entry, KnowledgeBase
from bot.ui import ids
from bot.ui.answers import show_entry
from bot.ui.base import MentorItem
from bot.ui.limits import (
    BRAND_COLOUR,
    EMBED_DESCRIPTION_MAX,
    EMBED_TITLE_MAX,
    SELECT_OPTION_LABEL_MAX,
    SELECT_OPTIONS_MAX,
    clip,
)


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
    view.stop()
    return embed, view


class PageButton(MentorItem[discord.ui.Button[Any]], template=rf"{ids.TOPICS_PAGE}:(?P<page>\d{{1,3}})"):
    """Move /topics to another section."""

    def __init__(self, page: int, *, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or str(page + 1),
                style=discord.ButtonStyle.primary,
                custom_id=f"{ids.TOPICS_PAGE}:{page}",
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

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Show the page."""
        embed, view = topics_page(bot.library.index.kb, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


class SectionSelect(MentorItem[discord.ui.Select[Any]], template=ids.TOPICS_SECTION):
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
            discord.ui.Select(custom_id=ids.TOPICS_SECTION, placeholder="Jump to a section", options=options),
            row=0,
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SectionSelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Show the picked section."""
        kb = bot.library.index.kb
        values = self.item.values or [""]
        slugs = [s.slug for s in kb.sections]
        page = slugs.index(values[0]) if values[0] in slugs else 0
        embed, view = topics_page(kb, page)
        await interaction.response.edit_message(embed=embed, view=view)


class EntrySelect(MentorItem[discord.ui.Select[Any]], template=ids.TOPICS_ENTRY):
    """Show the answer to a question picked in /topics."""

    def __init__(self, entries: list[Entry] | None = None) -> None:
        options = [
            discord.SelectOption(label=clip(e.title, SELECT_OPTION_LABEL_MAX), value=e.id)
            for e in (entries or [])[:SELECT_OPTIONS_MAX]
        ] or [discord.SelectOption(label="-", value="-")]
        super().__init__(
            discord.ui.Select(custom_id=ids.TOPICS_ENTRY, placeholder="Read an answer", options=options),
            row=1,
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> EntrySelect:
        return cls()

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Show the picked entry."""
        values = self.item.values or [""]
        await show_entry(interaction, bot, values[0])


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton, SectionSelect, EntrySelect)
