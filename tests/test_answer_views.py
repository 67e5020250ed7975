"""Answer views render exactly what a discord.py View of the card's buttons renders, fresh for every send."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.ui import answers as cards


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """Return the shipped knowledge base."""
    return load_knowledge()


def reference(items: list[discord.ui.Item[Any]]) -> list[dict[str, Any]]:
    """Render items the way discord.py does: added to a View, in order."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view.to_components()


async def test_every_card_renders_what_its_buttons_render(kb: KnowledgeBase) -> None:
    """For each entry, alone, with a next read and with close calls, the payload equals a real View's."""
    entries = list(kb.entries)
    for n, entry in enumerate(entries):
        nxt = entries[(n + 1) % len(entries)]
        also = [entries[(n + 2) % len(entries)], entries[(n + 3) % len(entries)]]
        for card in (
            cards.answer_card(kb, entry),
            cards.answer_card(kb, entry, nxt),
            cards.answer_card(kb, entry, nxt, also),
        ):
            assert card.view().to_components() == reference(card.items())


async def test_suggestions_render_what_their_buttons_render(kb: KnowledgeBase) -> None:
    """A "did you mean" view renders one button per offer, at most SUGGESTIONS_MAX, as a real View would."""
    offers = list(kb.entries[:7])
    rendered = cards.suggestions_view(offers).to_components()
    assert rendered == reference(cards.suggestion_items(offers))
    assert len(rendered[0]["components"]) == cards.SUGGESTIONS_MAX


async def test_nothing_is_shared_between_sends(kb: KnowledgeBase) -> None:
    """Every send gets its own finished view and its own component objects."""
    card = cards.answer_card(kb, kb.entries[0])
    first, second = card.view(), card.view()
    assert first is not second and first.is_finished() and second.is_finished()
    one, other = first.to_components(), second.to_components()
    assert one == other
    assert (
        one is not other
        and one[0] is not other[0]
        and one[0]["components"][0] is not other[0]["components"][0]
    )
    assert card.embed() is not card.embed()
