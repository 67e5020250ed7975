"""What the index precomputes per entry, and how the engine reads one message: the data search.py ranks.

Kept apart from the ranking so each stays readable: building an entry's matching data (its fields and how
much each counts) here, scoring and deciding in search.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from bot.knowledge.model import Entry
from bot.knowledge.text import content_words, words
from bot.knowledge.vocabulary import Vocabulary

MARKDOWN_RE = re.compile(r"[*_`>#~|]+")  # Discord Markdown marks in answers, dropped before indexing


# Field weights, 0..1: how much a question word found only in that part of an entry counts towards coverage.
# Phrasings, title and keywords are written for matching (1); the answer carries the article's own
# vocabulary but also words about neighbouring topics (0.5); words found only in other entries of the same
# article section are section-level evidence, weak on their own but enough to break ties (0.3).
FIELD_MAIN = 1.0
# A word found in just one of an entry's phrasings (and not in its title, keywords or concepts) is often
# incidental to the topic ("everyone", "waste" in one way of asking): it counts this much.
FIELD_ONE_PHRASING = 0.6
FIELD_ANSWER = 0.5
# How much of an answer is indexed: its lead (the direct answer and first points). The rest of an answer walks
# on to neighbouring topics and next steps; indexing whole answers cost 2-3 points of hit@1 on each tuning set
# at any FIELD_ANSWER from 0.2 to 0.5 (measured with benchmarks/calibrate_retrieval.py's sets). The article's
# section texts, by contrast, are indexed whole (text.document_words).
ANSWER_INDEX_CHARS = 400
FIELD_SECTION = 0.3


def sorted_words(text: str) -> str:
    """Return text's words in sorted order: what token_sort_ratio compares."""
    return " ".join(sorted(text.split()))


@dataclass(frozen=True, slots=True)
class Reading:
    """How the engine reads one message (see SearchIndex._analyse)."""

    factors: dict[str, float]  # stem -> weight multiplier (backstory < 1); out-of-scope marks included
    raw: str  # every word, stopwords kept, space-joined: the wording tie-break compares it
    phrase_stems: list[str]  # what phrase similarity compares: the asked clause when it says enough
    intent: str | None  # a whole out-of-scope intent: decline
    asked: Reading | None = None  # the asked clause alone, when it says enough and nothing is out of scope

    def key(self) -> tuple[object, ...]:
        """Return everything the ranking depends on, as a cache key."""
        alone = self.asked.key() if self.asked else None
        return (tuple(self.factors.items()), self.raw, tuple(self.phrase_stems), self.intent, alone)


@dataclass(frozen=True, slots=True)
class Doc:
    """An entry's precomputed matching data."""

    entry: Entry
    fields: dict[str, float]  # stem -> weight of the best field it occurs in (FIELD_* scale, 0..1)
    focus_stems: frozenset[str]
    phrases: tuple[str, ...]  # stemmed content words of each phrasing and the title, sorted, space-joined
    raw_phrases: tuple[str, ...]  # every word of each phrasing and the title, stopwords kept, sorted
    # (Both without repeats: a similarity is the best over them, which a repeat cannot change.)


def build_doc(vocab: Vocabulary, entry: Entry, answer: list[str]) -> tuple[Doc, list[str]]:
    """Precompute one entry's matching data; return it with the entry's own stems (its main fields).

    `answer` is the stems of the entry's answer text. Each of the entry's texts is read and stemmed once,
    and every field is built from those stems (Vocabulary.stems maps word by word and keeps the first of
    duplicates, so stemming texts one by one and joining is the same as stemming them joined).
    """
    texts = (*entry.phrasings, entry.title, *entry.keywords, *entry.concepts)
    stems_of = {t: vocab.stems(content_words(t)) for t in texts}
    main = list(dict.fromkeys(st for t in texts for st in stems_of[t]))
    # A stem in just one phrasing and nowhere else the entry names its topic is incidental.
    counts: dict[str, int] = defaultdict(int)
    for phrasing in entry.phrasings:
        for st in stems_of[phrasing]:
            counts[st] += 1
    named = {st for t in (entry.title, *entry.keywords, *entry.concepts) for st in stems_of[t]}
    once = {st for st, n in counts.items() if n == 1} - named
    fields = dict.fromkeys(answer, FIELD_ANSWER)
    fields.update(dict.fromkeys(main, FIELD_MAIN))
    fields.update(dict.fromkeys(once, FIELD_ONE_PHRASING))  # above FIELD_ANSWER: still the entry's own words
    matched = (*entry.phrasings, entry.title)
    phrases = tuple(dict.fromkeys(sorted_words(" ".join(stems_of[t])) for t in matched))
    raw_phrases = tuple(dict.fromkeys(sorted_words(" ".join(words(t))) for t in matched))
    doc = Doc(
        entry=entry,
        fields=fields,
        focus_stems=frozenset(st for t in (entry.title, *entry.keywords) for st in stems_of[t]),
        phrases=phrases,
        raw_phrases=raw_phrases,
    )
    return doc, main
