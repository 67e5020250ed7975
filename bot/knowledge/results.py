"""What a search returns: ranked matches, how sure the engine is, and the stage tie-break over them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from bot.knowledge.model import Entry

# Confidence 0..1 (the fused score of search.py). Checked by benchmarks/calibrate_retrieval.py on the tuning
# and development questions: on-topic questions' best entries sit above ANSWER_THRESHOLD, traps below it;
# between the two an entry is a guess worth offering as "did you mean" but never stating.
ANSWER_THRESHOLD = 0.36
SUGGEST_THRESHOLD = 0.22
# Stage tie-break, on the same 0..1 scale: an entry written for the member's stage overtakes the best match
# only when it scores within this much of it and cites every section the best match cites (the same topic).
# Small on purpose: it settles close calls between answers on one topic ("how do I get better" for an
# intern vs a producer) and never lifts a score, so it cannot turn a decline into an answer. Measured on the
# tuning questions asked at every stage (benchmarks/quality_retrieval.py): letting it cross to another
# topic's entry cost up to 4 of 177 hits at any size from 0.01; kept within the topic it costs none.
STAGE_TIE_BREAK = 0.04
# An answer whose runner-up on another topic (no article section in common) scores within this much of it is
# a close call: the engine cannot tell the two apart with confidence, so the card also offers the runner-up
# ("Or did you mean"). Measured on tuning set 4 before it was tuned on: a margin of 0.10
# reaches 90.6% of on-topic questions (close calls under 18% of answers), 0.15 reaches 92.7% (29%), 0.20
# reaches 94.0% (41%); 0.15 offers the right entry more often without a second guess under most answers.
CLOSE_CALL_MARGIN = 0.15
CLOSE_CALLS_MAX = 2  # offers under an answer: the card keeps one row for them


class Confidence(StrEnum):
    """How sure the engine is of its best match."""

    HIGH = "high"  # answer it
    WEAK = "weak"  # offer "did you mean"
    NONE = "none"  # decline


def confidence_of(score: float) -> Confidence:
    """Return the confidence band of a fused score."""
    if score >= ANSWER_THRESHOLD:
        return Confidence.HIGH
    if score >= SUGGEST_THRESHOLD:
        return Confidence.WEAK
    return Confidence.NONE


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
    # The out-of-scope intent (scope.INTENTS name, e.g. "money") that made the engine decline, if any: lets
    # the bot say what the article does not cover instead of a bare "I don't know".
    out_of_scope: str | None = None

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
    def close_calls(self) -> list[Entry]:
        """Return runners-up on other topics close enough to the answer to offer beside it (answers only)."""
        if not self.answered or self.best is None:
            return []
        best = self.best
        own = set(best.entry.sources)
        return [
            m.entry
            for m in self.alternatives
            if best.score - m.score <= CLOSE_CALL_MARGIN and own.isdisjoint(m.entry.sources)
        ][:CLOSE_CALLS_MAX]

    @property
    def offers(self) -> list[Entry]:
        """Return every entry offered as "did you mean": a weak match's guesses or an answer's close calls."""
        return self.suggestions or self.close_calls

    @property
    def score(self) -> float:
        """Return the best match's score, 0 when nothing matched."""
        return self.best.score if self.best else 0.0


def prefer_stage(result: SearchResult, stage: str) -> SearchResult:
    """Let an entry on the same topic written for `stage` win a close call; confidence follows its own score.

    Scores are never changed, so the result is at most as confident as before: a decline stays a decline.
    """
    best = result.best
    if best is None or result.confidence is Confidence.NONE or stage in best.entry.stages:
        return result
    ranked = [best, *result.alternatives]
    for i, match in enumerate(ranked[1:], 1):
        if best.score - match.score > STAGE_TIE_BREAK:
            break
        if stage in match.entry.stages and set(best.entry.sources) <= set(match.entry.sources):
            rest = tuple(ranked[:i] + ranked[i + 1 :])
            return dataclasses.replace(
                result, best=match, alternatives=rest, confidence=min_confidence(result, match.score)
            )
    return result


def min_confidence(result: SearchResult, score: float) -> Confidence:
    """Return the lower of a result's confidence and the band of score."""
    order = (Confidence.NONE, Confidence.WEAK, Confidence.HIGH)
    return min(result.confidence, confidence_of(score), key=order.index)
