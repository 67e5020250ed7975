"""The knowledge base's data types: what a loaded, validated knowledge base holds."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the article; every entry has one primary section and may draw on more."""

    slug: str
    title: str
    text: str = ""  # the article's own text of the section: retrieval evidence, never shown as an answer


@dataclass(frozen=True, slots=True)
class Entry:
    """One curated member question with its answer."""

    id: str
    title: str
    section: str
    stages: tuple[str, ...]
    related: tuple[str, ...]
    phrasings: tuple[str, ...]
    keywords: tuple[str, ...]
    synonyms: tuple[tuple[str, ...], ...]
    answer: str
    source: str = ""  # file name it came from, for error messages and /kb commands
    # Everyday words that imply this entry's topic without naming it ("samey", "crowded", "golden ears"):
    # matched like phrasings, never shown.
    concepts: tuple[str, ...] = ()
    # Every article section the answer draws on, primary (`section`) first: the card cites them all.
    sources: tuple[str, ...] = ()
    # Ids of entries merged into this one: buttons, stats and stage guides that name them still resolve.
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.sources or self.sources[0] != self.section:
            rest = tuple(s for s in self.sources if s != self.section)
            object.__setattr__(self, "sources", (self.section, *rest))


# Identity, not value, equality: caches are keyed by a knowledge base, and hashing every entry would cost more
# than the lookup saves.
@dataclass(frozen=True, slots=True, weakref_slot=True, eq=False)
class KnowledgeBase:
    """A validated knowledge base: sections in article order and entries in file order.

    `by_id` also maps every entry's aliases (ids of entries merged into it) to the entry.
    """

    article: str
    sections: tuple[Section, ...]
    entries: tuple[Entry, ...]
    by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)
    section_by_slug: dict[str, Section] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {alias: e for e in self.entries for alias in e.aliases}
        by_id.update({e.id: e for e in self.entries})
        object.__setattr__(self, "by_id", by_id)
        object.__setattr__(self, "section_by_slug", {s.slug: s for s in self.sections})

    def entries_in(self, slug: str) -> list[Entry]:
        """Return the entries drawn from one article section, in file order."""
        return [e for e in self.entries if e.section == slug]

    def section_title(self, slug: str) -> str:
        """Return a section's title, or the slug itself for an unknown one."""
        section = self.section_by_slug.get(slug)
        return section.title if section else slug
