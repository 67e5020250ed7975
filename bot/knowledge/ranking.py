"""The fused score of the rerank pool (search.py step 4-5), computed exactly but only where it can matter.

Each pooled entry's score is a weighted sum of coverage, focus and phrase similarity, plus a small wording
tie-break near the top; a search reports the best match and MAX_ALTERNATIVES runners-up. Phrase and wording
similarity (rapidfuzz over every phrasing) are the costly parts, so they are computed best-first and only
while they can still change what is reported:
- every other signal is known first, and the score with a perfect phrase match bounds an entry's score;
- an entry whose bound cannot reach the reported entries (nor set the wording threshold) is not scored;
- rapidfuzz is told the similarity below which an entry cannot matter (`score_cutoff`), so it can skip
  phrasings early; an entry with no phrasing above it is left out like one that was never scored.
Every bound and cutoff is checked with the same float operations as the score itself (and clamping and
rounding keep order), so a skipped entry's score is strictly below every reported one: results are exactly
those of scoring the whole pool.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable

from rapidfuzz import fuzz, process

from bot.knowledge.documents import FIELD_SECTION, Doc
from bot.knowledge.results import Match

# --- Scorers and their scales -------------------------------------------------------------------------
# Phrase similarity: rapidfuzz token_sort_ratio over the stemmed content words, 0..100; word order in chat
# is loose, so sorting tokens first beats plain ratio, and unlike token_set_ratio a question is not a perfect
# match just because one of its words is a subset of a phrasing. The index stores every phrasing with its
# words already sorted, and search sorts the question once, so plain fuzz.ratio gives token_sort_ratio's
# exact result without re-splitting every phrasing on every search.
PHRASE_SCORER = fuzz.ratio  # on word-sorted strings: exactly fuzz.token_sort_ratio
# Exponent on the share of the question's weight an entry holds (0..1) that scales phrase similarity:
# 0 leaves phrase similarity alone, 1 scales it linearly.
PHRASE_GATE = 1.0
# Weights of the fused confidence (they sum to 1, so the confidence is 0..1 like its parts).
WEIGHT_COVERAGE = 0.4
WEIGHT_FOCUS = 0.1
WEIGHT_PHRASE = 0.48
# Similarity of the question's full wording, stopwords included, to a phrasing: it separates entries whose
# topic words tie ("what does a producer do" vs "how competitive is being a producer").
WEIGHT_WORDING = 0.02
ONE_WORD_CAP = 0.3  # highest score of a one-word question that misses an entry's title and keywords
MAX_ALTERNATIVES = 3

# A cutoff is aimed this far (score scale) below the exact limit, then checked: float slack.
_CUTOFF_SLACK = 1e-4
# rapidfuzz compares similarities with score_cutoff on its own 0..1 scale; passing it this much less (0..100
# scale) keeps float error on its side from ever dropping a phrasing at or above our cutoff.
_RAPIDFUZZ_SLACK = 1e-3


def shown(score: float) -> float:
    """Return a fused score as results carry it: clamped to 0..1, rounded to 4 places."""
    return round(min(max(score, 0.0), 1.0), 4)


class PoolRanking:
    """The rerank pool of one search: every signal but phrase similarity at once, the rest on demand."""

    def __init__(
        self,
        docs: list[Doc],
        sections: list[frozenset[str]],
        weighted: list[tuple[str, float]],
        total: float,
        *,
        one_word: bool,
    ) -> None:
        """Take the pooled entries (in pool order), each one's section stems, and the question's weights."""
        self.docs = docs
        self.base: list[float] = []  # coverage and focus parts of the score
        self.gate: list[float] = []  # what phrase similarity is multiplied by (PHRASE_GATE)
        self.bound: list[float] = []  # the score with a perfect phrase match
        self.capped: list[bool] = []  # a one-word question missing the title and keywords (ONE_WORD_CAP)
        for doc, sec in zip(docs, sections, strict=True):
            fields = doc.fields
            focus_stems = doc.focus_stems
            got = matched = focus = 0.0
            for st, w in weighted:
                fw = fields.get(st, 0.0)
                if fw:
                    matched += w
                    if st in focus_stems:
                        focus += w
                    got += w * fw
                elif st in sec:
                    got += w * FIELD_SECTION
            base = WEIGHT_COVERAGE * got / total + WEIGHT_FOCUS * focus / total
            # Letters alike are not words alike: phrase similarity counts only as far as the entry itself
            # holds the question's words, so "made" is not half a match for "make" in a phrasing.
            gate = (matched / total) ** PHRASE_GATE
            # A one-word question ("r u a real person") names a topic or nothing: unless the word is in the
            # entry's title or keywords, it is at most a guess to offer, never an answer.
            capped = one_word and not focus
            self.base.append(base)
            self.gate.append(gate)
            self.capped.append(capped)
            self.bound.append(self._score(len(self.base) - 1, 100.0))
        self.scores: dict[int, float] = {}  # pool position -> score before the wording tie-break

    def _score(self, pos: int, similarity: float) -> float:
        """Return an entry's score for a phrase similarity (0..100), before the wording tie-break."""
        phrase = similarity / 100
        phrase *= self.gate[pos]
        score = self.base[pos] + WEIGHT_PHRASE * phrase
        return min(score, ONE_WORD_CAP) if self.capped[pos] else score

    def _phrase_matters(self, pos: int, best: float, lowest: float, similarity: float) -> bool:
        """Return True when an entry with this phrase similarity could become the best or be shown."""
        score = self._score(pos, similarity)
        return score > best or shown(score + WEIGHT_WORDING) >= lowest

    def score_phrases(self, query_phrase: str, keep: int) -> None:
        """Score by phrase similarity the entries that can reach the `keep` best or the wording threshold."""
        floor: list[float] = []  # min-heap of the `keep` best shown scores so far: lower bounds of finals
        best = -math.inf  # the best score so far: every entry near it gets the wording tie-break
        for pos in sorted(range(len(self.docs)), key=self.bound.__getitem__, reverse=True):
            cutoff = None
            if len(floor) == keep:
                matters = functools.partial(self._phrase_matters, pos, best, floor[0])
                if not matters(100.0):
                    break  # neither this entry nor any with a lower bound can matter
                aim = min(best, floor[0] - WEIGHT_WORDING - _CUTOFF_SLACK) - self.base[pos]
                gate = self.gate[pos]
                cutoff = _cutoff(matters, 100 * aim / (WEIGHT_PHRASE * gate) if gate > 0 else 0.0)
            found = process.extractOne(
                query_phrase, self.docs[pos].phrases, scorer=PHRASE_SCORER, score_cutoff=cutoff
            )
            if found is None and cutoff is not None:
                continue  # every phrasing is below the cutoff: the entry cannot matter
            score = self._score(pos, found[1] if found else 0.0)
            self.scores[pos] = score
            best = max(best, score)
            if len(floor) < keep:
                heapq.heappush(floor, shown(score))
            else:
                heapq.heappushpop(floor, shown(score))

    def top(self, raw_sorted: str, keep: int) -> list[Match]:
        """Return the `keep` best matches after the wording tie-break, ties in pool order."""
        top = max(self.scores.values())
        final = {pos: shown(score) for pos, score in self.scores.items()}  # exact unless near the top
        near = [pos for pos, score in self.scores.items() if score >= top - WEIGHT_WORDING]
        near.sort(key=self.scores.__getitem__, reverse=True)
        floor: list[float] = []  # min-heap of the `keep` best exact finals among the near entries so far
        for pos in near:  # wording can only reorder entries this close to the top
            score = self.scores[pos]
            cutoff = None
            if len(floor) == keep:
                matters = functools.partial(_wording_matters, score, floor[0])
                if not matters(100.0):
                    continue  # below `keep` exact finals whatever its wording: its lower bound stays
                cutoff = _cutoff(matters, 100 * (floor[0] - _CUTOFF_SLACK - score) / WEIGHT_WORDING)
            raw = process.extractOne(
                raw_sorted, self.docs[pos].raw_phrases, scorer=PHRASE_SCORER, score_cutoff=cutoff
            )
            if raw is None and cutoff is not None:
                continue
            final[pos] = shown(score + WEIGHT_WORDING * (raw[1] / 100 if raw else 0.0))
            if len(floor) < keep:
                heapq.heappush(floor, final[pos])
            else:
                heapq.heappushpop(floor, final[pos])
        # An entry left at its lower bound is strictly below `keep` exact finals, so it is never among the
        # first `keep`: sorting by these values (stable, in pool order) gives the exact ranking's head.
        ranked = sorted(sorted(final), key=final.__getitem__, reverse=True)[:keep]
        return [Match(self.docs[pos].entry, final[pos]) for pos in ranked]


def _wording_matters(score: float, lowest: float, similarity: float) -> bool:
    """Return True when an entry with this wording similarity could be among the shown ones."""
    return shown(score + WEIGHT_WORDING * (similarity / 100)) >= lowest


def _cutoff(matters: Callable[[float], bool], aim: float) -> float | None:
    """Return a similarity below which an entry cannot matter (checked exactly), or None for no cutoff.

    `matters` must be monotone in the similarity; `aim` is an estimate of where it turns true. The aim is
    lowered slightly until `matters` is false there: then any lower similarity cannot matter either.
    """
    similarity = min(aim, 100.0)
    for _ in range(3):
        if similarity <= _RAPIDFUZZ_SLACK:
            return None
        if not matters(similarity):
            return similarity - _RAPIDFUZZ_SLACK
        similarity -= 1e-4
    return None
