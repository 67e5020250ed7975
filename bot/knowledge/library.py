"""The live knowledge base: the current index and learning prompts, replaced whole on a successful reload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.knowledge.loader import KnowledgeError, Problem, bundled_knowledge_dir, load_knowledge
from bot.knowledge.prompt_library import PROMPTS_FILE, Prompt, load_prompts
from bot.knowledge.search import SearchIndex


class Library:
    """Holds the search index the bot answers from and the learning prompts; a broken reload keeps both.

    The prompts point at entries, so they are validated against the same knowledge base and swapped with it.
    A custom folder without a prompts file runs without scheduled prompts (`prompt_problems` says why).
    """

    def __init__(self, folder: Path | None = None, index: SearchIndex | None = None) -> None:
        self.folder = folder
        self.index = index or SearchIndex(load_knowledge(folder))
        self.prompts: tuple[Prompt, ...] = ()
        self.prompt_problems: list[Problem] = []
        try:
            self.prompts = load_prompts(folder, known_entries=set(self.index.kb.by_id))
        except KnowledgeError as error:
            self.prompt_problems = error.problems
        # Called with the library after each successful reload (the learning cog swaps its prompts).
        self.on_reload: list[Callable[[Library], None]] = []

    def reload(self) -> list[Problem]:
        """Re-read the folder; swap in the index and prompts only if both are valid; return the problems."""
        try:
            kb = load_knowledge(self.folder)
        except KnowledgeError as exc:
            return exc.problems
        prompts: tuple[Prompt, ...] = ()
        # A folder that never had prompts reloads without them; one that had them must keep valid ones.
        if ((self.folder or bundled_knowledge_dir()) / PROMPTS_FILE).is_file() or self.prompts:
            try:
                prompts = load_prompts(self.folder, known_entries=set(kb.by_id))
            except KnowledgeError as exc:
                return exc.problems
        self.index = SearchIndex(kb)
        self.prompts, self.prompt_problems = prompts, []
        for listener in self.on_reload:
            listener(self)
        return []
