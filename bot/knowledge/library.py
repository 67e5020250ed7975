"""The live knowledge base: the current index, replaced whole on a successful reload."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.loader import KnowledgeError, Problem, load_knowledge
from bot.knowledge.search import SearchIndex


class Library:
    """Holds the search index the bot answers from; a broken reload keeps the old one."""

    def __init__(self, folder: Path | None = None, index: SearchIndex | None = None) -> None:
        self.folder = folder
        self.index = index or SearchIndex(load_knowledge(folder))

    def reload(self) -> list[Problem]:
        """Re-read the folder; swap in the new index only if it is valid. Return the problems found."""
        try:
            kb = load_knowledge(self.folder)
        except KnowledgeError as exc:
            return exc.problems
        self.index = SearchIndex(kb)
        return []
