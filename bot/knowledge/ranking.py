"""The fused score of the rerank pool (search.py step 4-5), computed exactly but only where it can matter.

Each pooled entry's score is a weighted sum of coverage, focus and phrase similarity, plus a small wording
tie-break near the top; a search reports the best match and MAX_ALTERNATIVES runners-up. Phrase and wording
similarity (rapidfuzz over every phrasing) are the costly parts, so they are computed best-first and only
while they can still change what is reported:
- every other signal is known first, and the score with a perfect phrase match bounds an entry's score;
- an entry whose bound cannot reach the reported entries (nor set the wording threshold) is not scored;
- near the top, an entry whose best possible wording cannot lift it among the reported ones keeps its
  score without the wording comparison.
Every bound uses the same float operations as the score itself (and clamping and rounding keep order), so
a skipped entry's score is strictly below every reported one: results are exactly those of scoring the
whole pool.
"""

from __future__ import annotations

import heapq
import math

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
PHRASE_GATE = 0.5
# Weights of the fused confidence (they sum to 1, so the confidence is 0..1 like its parts).
WEIGHT_COVERAGE = 0.4
WEIGHT_FOCUS = 0.1
WEIGHT_PHRASE = 0.48
# Similarity of the question's full wording, stopwords included, to a phrasing: it separates entries whose
# topic words tie ("what does a producer do" vs "how competitive is being a producer").
WEIGHT_WORDING = 0.02
ONE_WORD_CAP = 0.3  # highest score of a one-word question that misses an entry's title and keywords
MAX_ALTERNATIVES = 3

_ROUNDING_GAP = 2e-4  # two units of the 4th decimal place, where shown() rounds


def shown(score: float) -> float:
    """Return a fused score as results carry it: clamped to 0..1, rounded to 4 places."""
    return round(min(max(score, 0.0), 1.0), 4)


def rank_pool(
    docs: list[Doc],
    sections: list[frozenset[str]],
    weighted: list[tuple[str, float]],
    total: float,
    phrase: str,
    wording: str,
    *,
    keep: int,
    one_word: bool,
) -> list[Match]:
    """Return the `keep` best matches of the pooled entries, best first, ties in pool order.

    `docs` are the pooled entries in pool order and `sections` the stems of each one's article section;
    `weighted` holds the question's stems and weights (in the question's order) and `total` their sum;
    `phrase` and `wording` are the question's stems and words, word-sorted, for the two similarities.
    """
    # Every signal but phrase similarity, and the score with a perfect phrase match (similarity 100).
    base: list[float] = []  # coverage and focus parts of the score
    gate: list[float] = []  # what phrase similarity is multiplied by (PHRASE_GATE)
    bound: list[float] = []
    capped: list[bool] = []  # a one-word question missing the title and keywords (ONE_WORD_CAP)
    for doc, sec in zip(docs, sections, strict=True):
        fields = doc.fields
        focus_stems = doc.focus_stems
        got = matched = focus = 0.0
        for st, w in weighted:
            fw = fields.get(st)  # field weights are all above 0
            if fw:
                matched += w
                if st in focus_stems:
                    focus += w
                got += w * fw
            elif st in sec:
                got += w * FIELD_SECTION
        part = WEIGHT_COVERAGE * got / total + WEIGHT_FOCUS * focus / total
        # Letters alike are not words alike: phrase similarity counts only as far as the entry itself
        # holds the question's words, so "made" is not half a match for "make" in a phrasing.
        share = (matched / total) ** PHRASE_GATE
        # A one-word question ("r u a real person") names a topic or nothing: unless the word is in the
        # entry's title or keywords, it is at most a guess to offer, never an answer.
        cap = one_word and not focus
        best_case = part + WEIGHT_PHRASE * share  # similarity 100: 100 / 100 * share is share exactly
        base.append(part)
        gate.append(share)
        capped.append(cap)
        bound.append(min(best_case, ONE_WORD_CAP) if cap else best_case)
    # Phrase similarity, best bound first, while an entry can still be shown or set the wording threshold.
    # Bounds are compared unrounded, with a margin that rounding cannot cross (see _below, inlined here:
    # clamped to 0..1, _ROUNDING_GAP apart).
    extract_one = process.extractOne
    scores: dict[int, float] = {}  # pool position -> score before the wording tie-break
    floor: list[float] = []  # min-heap of the `keep` best scores so far
    best = -math.inf  # the best score so far: entries within WEIGHT_WORDING of it get the tie-break
    for pos in sorted(range(len(docs)), key=bound.__getitem__, reverse=True):
        if (
            len(floor) == keep
            and bound[pos] <= best
            and min(max(bound[pos] + WEIGHT_WORDING, 0.0), 1.0) + _ROUNDING_GAP < min(max(floor[0], 0.0), 1.0)
        ):
            break  # neither this entry nor any with a lower bound can be shown or be the best
        found = extract_one(phrase, docs[pos].phrases, scorer=PHRASE_SCORER)
        similarity = found[1] / 100 if found else 0.0
        similarity *= gate[pos]
        score = base[pos] + WEIGHT_PHRASE * similarity
        if capped[pos]:
            score = min(score, ONE_WORD_CAP)
        scores[pos] = score
        if score > best:
            best = score
        if len(floor) < keep:
            heapq.heappush(floor, score)
        else:
            heapq.heappushpop(floor, score)
    # The wording tie-break, best first, while an entry near the top can still be lifted among the shown.
    threshold = best - WEIGHT_WORDING
    near = [pos for pos, score in scores.items() if score >= threshold]
    if len(near) > keep:
        near.sort(key=scores.__getitem__, reverse=True)
    final = scores.copy()  # unrounded final scores, or lower bounds of them where the tie-break is skipped
    floor = []  # min-heap of the `keep` best finals of near entries so far
    for pos in near:
        score = scores[pos]
        if len(floor) == keep and _below(score + WEIGHT_WORDING, floor[0]):
            continue  # below `keep` finals whatever its wording: it keeps its lower bound
        raw = extract_one(wording, docs[pos].raw_phrases, scorer=PHRASE_SCORER)
        score += WEIGHT_WORDING * (raw[1] / 100 if raw else 0.0)
        final[pos] = score
        if len(floor) < keep:
            heapq.heappush(floor, score)
        else:
            heapq.heappushpop(floor, score)
    # Rounding may tie entries whose unrounded scores differ: the shown order (rounded score, then pool order)
    # is decided among the entries not certainly below the `keep`-th best. An entry left at a lower bound is
    # certainly below `keep` others, so never among the first `keep`.
    kth = sorted(final.values(), reverse=True)[min(keep, len(final)) - 1]
    cut = min(max(kth, 0.0), 1.0)  # _below(score, kth), inlined: clamped score + _ROUNDING_GAP < cut
    contenders = {
        pos: round(min(max(score, 0.0), 1.0), 4)  # shown(score)
        for pos, score in sorted(final.items())
        if not min(max(score, 0.0), 1.0) + _ROUNDING_GAP < cut
    }
    ranked = sorted(contenders, key=contenders.__getitem__, reverse=True)[:keep]
    return [Match(docs[pos].entry, contenders[pos]) for pos in ranked]


def _below(score: float, other: float) -> bool:
    """Return True when score is shown (shown()) strictly below other: clamped, they are 2 units apart.

    round(x, 4) moves x by at most half a unit of the 4th place (plus float error), so clamped values at
    least two units apart round apart.
    """
    return min(max(score, 0.0), 1.0) + _ROUNDING_GAP < min(max(other, 0.0), 1.0)
