"""Fuzzy retrieval over the knowledge base: rank entries for a member's question, or decline.

How a question is scored (all pure, no I/O after the index is built):
1. Normalise (text.py); check it against the out-of-scope intents (scope.py): a whole-intent match ("how much
   do producers make") is declined outright, out-of-scope words weigh heavily against answering.
2. Find what is asked (question.py): when a chatty message's question clause says enough on its own, the
   backstory's words weigh BACKSTORY_WEIGHT.
3. Map every word through the knowledge base's synonym groups and correct typos against its own vocabulary
   (vocabulary.py), then stem.
4. Candidate entries are those sharing a stem with the question (an inverted index keeps this cheap at
   10,000 entries). Each gets three signals, each in [0, 1]:
   - coverage: the share of the question's information (IDF weight) that the entry's words explain.
     Words the knowledge base has never seen weigh as much as its rarest words, so "how do i become a
     dentist" is mostly unexplained and scores low even though "become" matches.
   - focus: the share of the question's weight found in the entry's title and keywords.
   - phrase: the best rapidfuzz similarity between the question and one of the entry's phrasings or title.
5. A weighted sum of the three is the confidence (results.py holds the thresholds and the stage tie-break).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import OrderedDict, defaultdict

from rapidfuzz import fuzz, process

from bot.knowledge.documents import (
    ANSWER_INDEX_CHARS,
    FIELD_SECTION,
    MARKDOWN_RE,
    Doc,
    Reading,
    build_doc,
    sorted_words,
)
from bot.knowledge.model import Entry, KnowledgeBase
from bot.knowledge.question import asked_part
from bot.knowledge.ranking import MAX_ALTERNATIVES, WEIGHT_COVERAGE, WEIGHT_FOCUS, rank_pool
from bot.knowledge.results import (
    ANSWER_THRESHOLD,
    SUGGEST_THRESHOLD,
    Confidence,
    Match,
    SearchResult,
    confidence_of,
    prefer_stage,
)
from bot.knowledge.scope import BACKSTORY_CHATTER, check_scope, prepare
from bot.knowledge.text import STOPWORDS, clear_words_cache, content_words, document_words, topic_words, words
from bot.knowledge.vocabulary import Vocabulary

__all__ = [
    "ANSWER_THRESHOLD",
    "MAX_ALTERNATIVES",
    "SUGGEST_THRESHOLD",
    "Confidence",
    "Match",
    "SearchIndex",
    "SearchResult",
]

# The fused score's scorers and weights (PHRASE_SCORER, WEIGHT_*, PHRASE_GATE, ONE_WORD_CAP, MAX_ALTERNATIVES)
# live in ranking.py with the pool ranking that applies them.

# Weight of a word the knowledge base has never seen, as a multiple of the rarest known word's IDF.
UNKNOWN_WORD_WEIGHT = 1.0
# Weight of an out-of-scope word (text.OUT_OF_SCOPE_WORDS), as a multiple of the rarest known word's IDF.
OUT_OF_SCOPE_WEIGHT = 2.0
OUT_OF_SCOPE_MARK = "!"  # prefixes out-of-scope words in analyse(); no stem can start with it
# Candidate generation scans postings lists of at most this many entries (the larger of an absolute floor
# and a share of the base); commoner stems are scored on the rerank pool only.
SCAN_MIN_POSTINGS = 200
SCAN_MAX_SHARE = 0.2
# How many candidates (by coverage) get the costlier phrase scoring; bounds latency on huge bases.
RERANK_POOL = 16
# A question of one or two topic words ties many entries on every cheap signal; only the wording can part
# them, so it gets a wider pool (cheap: its scoring loop is short).
SHORT_QUESTION_STEMS = 2
RERANK_POOL_SHORT = 40
RESULT_CACHE_SIZE = 4096  # recent distinct questions whose results are kept (least recently used go first)
# Weight multiplier (0..1) of the backstory's words when the asked clause holds at least ASKED_MIN_STEMS
# stems the knowledge base knows: "i quit my job to do music full time ... should i be looking at studios" is
# about studios, and the job and the music only colour it; "the singer disappears behind my drums, what do i
# need to learn" asks too little on its own, so its backstory counts in full.
BACKSTORY_WEIGHT = 0.6
ASKED_MIN_STEMS = 2
# The asked clause ranked alone replaces the whole message's ranking when its score times this beats it.
ASKED_ONLY_WEIGHT = 0.9


class SearchIndex:
    """An immutable index over one knowledge base, built once at load."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        prepare()  # the out-of-scope patterns' index, once per process: at load, not at the first question
        self.vocabulary = vocab = Vocabulary(kb)
        section_stems: dict[str, set[str]] = defaultdict(set)
        answer_stems: dict[str, list[str]] = {}
        self._docs: list[Doc] = []
        for entry in kb.entries:
            answer = answer_stems.get(entry.answer)
            if answer is None:  # entries often share an answer text: analyse each text once
                answer = answer_stems[entry.answer] = vocab.stems(
                    content_words(MARKDOWN_RE.sub(" ", entry.answer)[:ANSWER_INDEX_CHARS])
                )
            doc, main = build_doc(vocab, entry, answer)
            self._docs.append(doc)
            section_stems[entry.section].update(main, answer)
        for section in kb.sections:  # the article's own words for each section: evidence for its entries
            if section.slug in section_stems:
                section_stems[section.slug].update(vocab.stems(document_words(section.text)))
        self._section_stems = {slug: frozenset(stems) for slug, stems in section_stems.items()}
        # The same by position, for the ranking: each entry's section, and the sections holding a stem.
        slugs = list(self._section_stems)
        self._sections = [self._section_stems[slug] for slug in slugs]
        self._doc_section = [slugs.index(entry.section) for entry in kb.entries]
        stem_sections: dict[str, list[int]] = defaultdict(list)
        for k, sec in enumerate(self._sections):
            for st in sec:
                stem_sections[st].append(k)
        self._stem_sections = {st: tuple(ks) for st, ks in stem_sections.items()}
        # Postings: the entries holding each stem, in entry order (candidates are met in that order), and
        # the same grouped by the stem's field weight in them (one product per group when scoring).
        holders: dict[str, list[int]] = defaultdict(list)
        by_weight: dict[str, dict[float, list[int]]] = defaultdict(lambda: defaultdict(list))
        focus_postings: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(self._docs):
            for st, weight in doc.fields.items():
                holders[st].append(i)
                by_weight[st][weight].append(i)
            for st in doc.focus_stems:
                focus_postings[st].append(i)
        self._postings = {st: tuple(docs) for st, docs in holders.items()}
        self._weighted_postings = {
            st: tuple((weight, tuple(docs)) for weight, docs in groups.items())
            for st, groups in by_weight.items()
        }
        self._focus_postings = {st: tuple(docs) for st, docs in focus_postings.items()}
        n = max(len(self._docs), 1)
        # Smoothed IDF, 0..~log(n), over the entries' own fields: a stem in every entry weighs ~0, a stem in
        # one entry weighs the most. A stem only the section evidence knows weighs as if in that section's
        # entries.
        self._idf = {st: math.log(1 + n / len(ids)) for st, ids in self._postings.items()}
        per_section = {slug: sum(1 for e in kb.entries if e.section == slug) for slug in self._section_stems}
        for slug, stems in self._section_stems.items():
            for st in stems:
                self._idf.setdefault(st, math.log(1 + n / per_section[slug]))
        # An unseen word counts as more than the rarest known one: a question about something the knowledge
        # base never mentions ("dentist", "royalties") should not be answered from its familiar words.
        self._unknown_idf = UNKNOWN_WORD_WEIGHT * math.log(1 + n)
        self._off_idf = OUT_OF_SCOPE_WEIGHT * math.log(1 + n)
        self._scan_limit = max(SCAN_MIN_POSTINGS, int(SCAN_MAX_SHARE * n))
        self._results: OrderedDict[tuple[object, ...], SearchResult] = OrderedDict()
        self._by_text: OrderedDict[str, SearchResult] = OrderedDict()

    def analyse(self, question: str) -> list[str]:
        """Return the question's stems as the engine sees them (for debugging and tests).

        Out-of-scope words come back marked with OUT_OF_SCOPE_MARK: no entry holds them, and they weigh
        OUT_OF_SCOPE_WEIGHT.
        """
        return list(self._analyse(question).factors)

    def _topic_stems(self, text_words: list[str], skip: set[str]) -> list[str]:
        """Return the corrected, canonical stems of a word list's topic words, skipping some words."""
        vocab = self.vocabulary
        fixed = (vocab.correct(w) for w in topic_words(text_words) if w not in skip)
        return vocab.stems([w for w in fixed if w not in STOPWORDS])  # "makin" -> "making": no topic

    def _analyse(self, question: str) -> Reading:
        """Read a question: its weighted stems, wording, phrase stems, intent, and its asked clause."""
        all_words = words(question)
        scope = check_scope(all_words)
        off_words = {w for hit in scope.marks for w in hit.split("_")}
        stems = self._topic_stems(all_words, off_words)
        factors = dict.fromkeys(stems, 1.0)
        phrase_stems = stems
        asked: Reading | None = None
        asked_text = asked_part(question)
        asked_clause: set[str] | None = None  # the asked clause's words, when its backstory weighs less
        intent = scope.intent
        if asked_text is not None:
            asked_words = words(asked_text)
            asked_stems = self._topic_stems(asked_words, off_words)
            if sum(1 for st in asked_stems if self._known(st)) >= ASKED_MIN_STEMS:
                if intent in BACKSTORY_CHATTER and check_scope(asked_words).intent is None:
                    intent = None  # "sup guys... should i try other genres? ... my cat walked on my keys"
                phrase_stems = asked_stems
                asked_set = set(asked_stems)
                asked_clause = set(asked_words)
                for st in stems:
                    if st not in asked_set:
                        factors[st] = BACKSTORY_WEIGHT
                if not scope.marks and not intent:  # with pay or another career about, rank the whole
                    alone = dict.fromkeys(asked_stems, 1.0)
                    asked = Reading(alone, " ".join(asked_words), asked_stems, None)
        marks = []
        for hit in dict.fromkeys(scope.marks):
            mark = OUT_OF_SCOPE_MARK + hit
            marks.append(mark)
            # Money or another career in the backstory ("45 with a mortgage ... what does the path look like")
            # colours the question like any backstory word; in the asked clause it counts in full.
            told = asked_clause is not None and asked_clause.isdisjoint(hit.split("_"))
            factors[mark] = BACKSTORY_WEIGHT if told else 1.0
        return Reading(factors, " ".join(all_words), phrase_stems + marks, intent, asked)

    def search(self, question: str, *, stage: str | None = None) -> SearchResult:
        """Rank entries for a question; never raises on any text.

        With a stage (bot.stages.Stage value), an entry written for that stage wins a close call
        (results.STAGE_TIE_BREAK); scores never change, so a stage never turns a decline into an answer.

        Members ask the same things over and over ("internship tips?", "Internship tips"): results are
        cached by the question as the engine reads it (its weighted stems and normalised wording), which is
        all the ranking depends on, so a cached answer is exactly the one a fresh search would give.
        """
        result = self._search(question)
        return prefer_stage(result, stage) if stage else result

    def _search(self, question: str) -> SearchResult:
        """Rank entries for a question, with no stage preference (cached)."""
        same_text = self._by_text.get(question)  # the very same text again: skip even the analysis
        if same_text is not None:
            self._by_text.move_to_end(question)
            return same_text
        reading = self._analyse(question)
        if not reading.factors:
            return SearchResult(question, Confidence.NONE, None, (), reading.intent)
        key = reading.key()
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            result = dataclasses.replace(cached, question=question)
        else:
            result = self._results[key] = self._rank_reading(question, reading)
            if len(self._results) > RESULT_CACHE_SIZE:
                self._results.popitem(last=False)
        self._by_text[question] = result
        if len(self._by_text) > RESULT_CACHE_SIZE:
            self._by_text.popitem(last=False)
        return result

    def _rank_reading(self, question: str, reading: Reading) -> SearchResult:
        """Rank the whole message, and its asked clause alone when that says enough; keep the surer one.

        The whole message usually wins (its backstory is evidence too); the asked clause alone wins when
        the backstory is mostly words the knowledge base has never seen ("dropped out last spring ... what
        skills should i be working on"), scaled by ASKED_ONLY_WEIGHT so a tie goes to the whole message.
        """
        whole = self._rank(question, reading.factors, reading.raw, reading.phrase_stems, reading.intent)
        if reading.asked is None or whole.answered:
            return whole
        asked = reading.asked
        alone = self._rank(question, asked.factors, asked.raw, asked.phrase_stems, None)
        if alone.best is None or alone.score * ASKED_ONLY_WEIGHT <= whole.score:
            return whole
        return alone

    def clear_cache(self) -> None:
        """Forget cached results and word splits (benchmarks use it to time cold searches)."""
        self._results.clear()
        self._by_text.clear()
        clear_words_cache()

    def _known(self, st: str) -> bool:
        """Return True when some entry holds the stem (the asked clause says something the base knows)."""
        return st in self._postings

    def _weight(self, st: str) -> float:
        """Return a stem's information weight (IDF scale)."""
        if st.startswith(OUT_OF_SCOPE_MARK):
            return self._off_idf
        return self._idf.get(st, self._unknown_idf)

    def _rank(
        self,
        question: str,
        factors: dict[str, float],
        raw_query: str,
        phrase_stems: list[str],
        intent: str | None,
    ) -> SearchResult:
        """Score the candidate entries of an analysed question and decide how confident we are."""
        stems = list(factors)
        weights = {st: self._weight(st) * f for st, f in factors.items()}
        total = sum(weights.values()) or 1.0
        candidates, prescores = self._prescore(stems, weights, total)
        if not candidates:
            return SearchResult(question, Confidence.NONE, None, (), intent)
        size = RERANK_POOL if len(stems) > SHORT_QUESTION_STEMS else RERANK_POOL_SHORT
        # The best by prescore, ties in candidate order (exactly heapq.nlargest(size, candidates, prescore)).
        ranked = sorted(range(len(candidates)), key=prescores.__getitem__, reverse=True)[:size]
        pool = [candidates[k] for k in ranked]
        top = rank_pool(
            [self._docs[i] for i in pool],
            [self._sections[self._doc_section[i]] for i in pool],
            list(weights.items()),
            total,
            sorted_words(" ".join(phrase_stems)),
            sorted_words(raw_query),
            keep=1 + MAX_ALTERNATIVES,  # the best match and its runners-up
            one_word=len(stems) == 1,
        )
        best = top[0]
        # A whole out-of-scope intent ("how much do producers make") is declined however well its words
        # match: the best entry stays for diagnostics, nothing is offered.
        level = Confidence.NONE if intent else confidence_of(best.score)
        alternatives = tuple(m for m in top[1 : 1 + MAX_ALTERNATIVES] if m.score >= SUGGEST_THRESHOLD)
        return SearchResult(question, level, best, alternatives, intent)

    def _prescore(
        self, stems: list[str], weights: dict[str, float], total: float
    ) -> tuple[list[int], list[float]]:
        """Return the candidate entries (in the order the postings first reach them) and their prescores.

        The prescore is the cheap part of the final score: coverage, title/keyword hits and section evidence.
        Without title/keyword hits, a question of common words ("what does a producer do") ties most
        entries on coverage and the right one can miss the pool.
        """
        # Candidates come from the stems with short postings lists; stems found in most entries add almost
        # nothing to the ranking and would make this loop O(entries), so they are scored on the pool only.
        postings = self._postings
        rare = [st for st in stems if len(postings.get(st, ())) <= self._scan_limit]
        if not rare:
            rare = [min(stems, key=lambda st: len(postings.get(st, ())))]
        candidates = list(dict.fromkeys(itertools.chain.from_iterable(postings.get(st, ()) for st in rare)))
        if not candidates:
            return [], []
        partial = [0.0] * len(self._docs)
        focus_hits = [0.0] * len(self._docs)
        weighted_postings = self._weighted_postings
        focus_postings = self._focus_postings
        for st in rare:
            w = weights[st]
            for fw, docs in weighted_postings.get(st, ()):
                contribution = w * fw
                for i in docs:
                    partial[i] += contribution
            for i in focus_postings.get(st, ()):
                focus_hits[i] += w
        # Each section's share of the question's weight, summed in the question's stem order.
        held: list[list[float]] = [[] for _ in self._sections]
        stem_sections = self._stem_sections
        for st in stems:
            in_sections = stem_sections.get(st)
            if in_sections:
                w = weights[st]
                for k in in_sections:
                    held[k].append(w)
        section_part = [FIELD_SECTION * (sum(ws) / total) for ws in held]  # per section, not per candidate
        doc_section = self._doc_section
        focus_ratio = WEIGHT_FOCUS / WEIGHT_COVERAGE
        prescores = [
            (partial[i] + focus_ratio * focus_hits[i]) / total + section_part[doc_section[i]]
            for i in candidates
        ]
        return candidates, prescores

    def next_for_stage(self, entry_id: str, stage: str) -> Entry | None:
        """Return the related entry that matters most at `stage`, to suggest under an answer, or None.

        Among the entry's related entries written for that stage, the most stage-specific one (fewest
        stages) wins; the author's order of `related` breaks ties. None when the entry is unknown or no
        related entry fits the stage.
        """
        entry = self.kb.by_id.get(entry_id)
        if entry is None:
            return None
        fitting = [
            (len(rel.stages), order, rel)
            for order, rel in enumerate(self.kb.by_id[r] for r in entry.related if r in self.kb.by_id)
            if stage in rel.stages
        ]
        return min(fitting, key=lambda t: (t[0], t[1]))[2] if fitting else None

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
