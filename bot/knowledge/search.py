"""Fuzzy retrieval over the knowledge base: rank entries for a member's question, or decline.

How a question is scored (all pure, no I/O after the index is built):
1. Normalise (text.py), then map every word through the knowledge base's synonym groups and correct typos
   against the knowledge base's own vocabulary (rapidfuzz), then stem.
2. Candidate entries are those sharing a stem with the question (an inverted index keeps this cheap at
   10,000 entries).
3. Each candidate gets three signals, each in [0, 1]:
   - coverage: the share of the question's information (IDF weight) that the entry's words explain.
     Words the knowledge base has never seen weigh as much as its rarest words, so "how do i become a
     dentist" is mostly unexplained and scores low even though "become" matches.
   - focus: the share of the question's weight found in the entry's title and keywords.
   - phrase: the best rapidfuzz similarity between the question and one of the entry's phrasings or title.
4. A weighted sum of the three is the confidence. At or above ANSWER_THRESHOLD the entry is the answer;
   between SUGGEST_THRESHOLD and that, it is only a "did you mean"; below, the question is declined.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.knowledge.model import Entry, KnowledgeBase
from bot.knowledge.text import STOPWORDS, content_words, stem

# --- Scorers and their scales -------------------------------------------------------------------------
# Phrase similarity: rapidfuzz token_sort_ratio over the stemmed content words, 0..100; word order in chat
# is loose, so sorting tokens first beats plain ratio, and unlike token_set_ratio a question is not a perfect
# match just because one of its words is a subset of a phrasing.
PHRASE_SCORER = fuzz.token_sort_ratio
# Typo correction: a question word unknown to the knowledge base is replaced by the closest known word when
# their normalised Levenshtein similarity (0..1, 1 = identical) is at least this. 0.75 accepts one edit in
# a four-letter word ("mixng" -> "mixing") and two in eight ("internshp" -> "internship"), but not
# "doctor" -> "actor".
TYPO_MIN_SIMILARITY = 0.75
TYPO_MIN_LENGTH = 4  # shorter words are too ambiguous to correct ("eq" must not become "ear")
PREFIX_MIN_LENGTH = 5  # an unknown word this long that starts a known word is read as its clipped form
# Weights of the fused confidence (they sum to 1, so the confidence is 0..1 like its parts).
WEIGHT_COVERAGE = 0.5
WEIGHT_FOCUS = 0.15
WEIGHT_PHRASE = 0.35
# Confidence 0..1. Calibrated on the development questions: on-topic questions' best entries sit above
# ANSWER_THRESHOLD, off-topic ones below it; between the two thresholds an answer is a guess worth offering
# as "did you mean" but never stating.
ANSWER_THRESHOLD = 0.52
SUGGEST_THRESHOLD = 0.36
MAX_ALTERNATIVES = 3
# How many candidates (by coverage) get the costlier phrase scoring; bounds latency on huge bases.
RERANK_POOL = 40


class Confidence(StrEnum):
    """How sure the engine is of its best match."""

    HIGH = "high"  # answer it
    WEAK = "weak"  # offer "did you mean"
    NONE = "none"  # decline


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked entry with its fused score (0..1)."""

    entry: Entry
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The outcome of one question: the best match, its alternatives and how sure we are."""

    question: str
    confidence: Confidence
    best: Match | None  # the top-ranked entry, even when declined (for diagnostics); check `confidence`
    alternatives: tuple[Match, ...]  # runners-up above SUGGEST_THRESHOLD

    @property
    def answered(self) -> bool:
        """Return True when the best match is confident enough to answer with."""
        return self.confidence is Confidence.HIGH

    @property
    def suggestions(self) -> list[Entry]:
        """Return the entries to offer as "did you mean": empty unless the match is weak."""
        if self.confidence is not Confidence.WEAK or self.best is None:
            return []
        return [self.best.entry, *(m.entry for m in self.alternatives)]

    @property
    def score(self) -> float:
        """Return the best match's score, 0 when nothing matched."""
        return self.best.score if self.best else 0.0


@dataclass(frozen=True, slots=True)
class _Doc:
    """An entry's precomputed matching data."""

    entry: Entry
    stems: frozenset[str]
    focus_stems: frozenset[str]
    phrases: tuple[str, ...]  # stemmed content words of each phrasing and the title, space-joined


class SearchIndex:
    """An immutable index over one knowledge base, built once at load."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._synonyms: dict[str, str] = {}
        for entry in kb.entries:
            for group in entry.synonyms:
                for word in group:
                    self._synonyms.setdefault(word, group[0])
        vocabulary: set[str] = set()
        self._docs: list[_Doc] = []
        for entry in kb.entries:
            texts = (*entry.phrasings, entry.title)
            focus_texts = (entry.title, *entry.keywords)
            raw = [w for t in (*texts, *entry.keywords) for w in content_words(t)]
            vocabulary.update(raw)
            for group in entry.synonyms:
                vocabulary.update(w for w in group if w not in STOPWORDS)
            phrases = tuple(" ".join(self._stems(content_words(t))) for t in texts)
            self._docs.append(
                _Doc(
                    entry=entry,
                    stems=frozenset(self._stems(raw)),
                    focus_stems=frozenset(self._stems([w for t in focus_texts for w in content_words(t)])),
                    phrases=phrases,
                )
            )
        self._vocabulary = sorted(vocabulary)
        self._known = frozenset(self._vocabulary)
        by_initial: dict[str, list[str]] = defaultdict(list)
        for w in self._vocabulary:
            by_initial[w[0]].append(w)
        self._by_initial = dict(by_initial)
        postings: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(self._docs):
            for s in doc.stems:
                postings[s].append(i)
        self._postings = dict(postings)
        n = max(len(self._docs), 1)
        # Smoothed IDF, 0..~log(n): a stem in every entry weighs ~0, a stem in one entry weighs the most.
        self._idf = {s: math.log(1 + n / len(ids)) for s, ids in self._postings.items()}
        self._unknown_idf = math.log(1 + n)  # an unseen word counts like the rarest known one
        self._typo_cache: dict[str, str | None] = {}

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Return the indexed entries."""
        return self.kb.entries

    def _canonical(self, word: str) -> str:
        """Map a word through the synonym groups."""
        return self._synonyms.get(word, word)

    def _stems(self, words: list[str]) -> list[str]:
        """Canonicalise and stem words, dropping duplicates but keeping order."""
        out: list[str] = []
        for w in words:
            s = stem(self._canonical(w))
            if s not in out:
                out.append(s)
        return out

    def _correct(self, word: str) -> str:
        """Return word, or the known word it is most likely a typo of."""
        if word in self._known or word in self._synonyms or len(word) < TYPO_MIN_LENGTH or word.isdigit():
            return word
        if word in self._typo_cache:
            return self._typo_cache[word] or word
        fixed: str | None = None
        variants = [word]
        if word.endswith("z"):  # chat plurals: "skilz", "beatz"
            variants.insert(0, word[:-1] + "s")
        for variant in variants:
            if variant in self._known:
                fixed = variant
                break
            # Typos rarely hit the first letter, and requiring it keeps "earn" from becoming "learn".
            hit = process.extractOne(
                variant,
                self._by_initial.get(variant[0], ()),
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=TYPO_MIN_SIMILARITY,
            )
            if hit is not None:
                fixed = hit[0]
                break
            # Clipped slang: "collab" for "collaborate", "engin" for "engineering".
            if len(variant) >= PREFIX_MIN_LENGTH:
                longer = [w for w in self._by_initial.get(variant[0], ()) if w.startswith(variant)]
                if longer:
                    fixed = min(longer, key=len)
                    break
        if len(self._typo_cache) < 50_000:  # bounded: arbitrary user text must not grow memory forever
            self._typo_cache[word] = fixed
        return fixed or word

    def analyse(self, question: str) -> list[str]:
        """Return the question's stems as the engine sees them (for debugging and tests)."""
        return self._stems([self._correct(w) for w in content_words(question)])

    def search(self, question: str) -> SearchResult:
        """Rank entries for a question; never raises on any text."""
        stems = self.analyse(question)
        if not stems:
            return SearchResult(question, Confidence.NONE, None, ())
        weights = {s: self._idf.get(s, self._unknown_idf) for s in stems}
        total = sum(weights.values()) or 1.0
        coverage: dict[int, float] = defaultdict(float)
        for s in stems:
            for i in self._postings.get(s, ()):
                coverage[i] += weights[s]
        if not coverage:
            return SearchResult(question, Confidence.NONE, None, ())
        pool = sorted(coverage, key=coverage.__getitem__, reverse=True)[:RERANK_POOL]
        query_phrase = " ".join(stems)
        matches: list[Match] = []
        for i in pool:
            doc = self._docs[i]
            cov = coverage[i] / total
            focus = sum(weights[s] for s in stems if s in doc.focus_stems) / total
            best_phrase = process.extractOne(query_phrase, doc.phrases, scorer=PHRASE_SCORER)
            phrase = best_phrase[1] / 100 if best_phrase else 0.0
            score = WEIGHT_COVERAGE * cov + WEIGHT_FOCUS * focus + WEIGHT_PHRASE * phrase
            matches.append(Match(doc.entry, round(score, 4)))
        matches.sort(key=lambda m: m.score, reverse=True)
        best = matches[0]
        if best.score >= ANSWER_THRESHOLD:
            level = Confidence.HIGH
        elif best.score >= SUGGEST_THRESHOLD:
            level = Confidence.WEAK
        else:
            level = Confidence.NONE
        alternatives = tuple(m for m in matches[1 : 1 + MAX_ALTERNATIVES] if m.score >= SUGGEST_THRESHOLD)
        return SearchResult(question, level, best, alternatives)

    def suggest(self, typed: str, limit: int = 25) -> list[Entry]:
        """Return entries whose titles fit what a member has typed so far (for autocomplete)."""
        typed = typed.strip()
        if not typed:
            return list(self.kb.entries[:limit])
        result = self.search(typed)
        ranked: list[Entry] = []
        if result.best and result.confidence is not Confidence.NONE:
            ranked.extend([result.best.entry, *(m.entry for m in result.alternatives)])
        titles = [e.title for e in self.kb.entries]
        for _title, _score, i in process.extract(
            typed, titles, scorer=fuzz.WRatio, processor=str.lower, limit=limit
        ):
            ranked.append(self.kb.entries[i])
        seen: set[str] = set()
        out: list[Entry] = []
        for entry in ranked:
            if entry.id not in seen:
                seen.add(entry.id)
                out.append(entry)
        return out[:limit]
