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
import heapq
import math
from collections import OrderedDict, defaultdict

from rapidfuzz import fuzz, process

from bot.knowledge.documents import (
    ANSWER_INDEX_CHARS,
    FIELD_SECTION,
    MARKDOWN_RE,
    Reading,
    build_doc,
    incidental_stems,
    sorted_words,
)
from bot.knowledge.model import Entry, KnowledgeBase
from bot.knowledge.question import asked_part
from bot.knowledge.results import (
    ANSWER_THRESHOLD,
    SUGGEST_THRESHOLD,
    Confidence,
    Match,
    SearchResult,
    confidence_of,
    prefer_stage,
)
from bot.knowledge.scope import check_scope
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

# --- Scorers and their scales -------------------------------------------------------------------------
# Phrase similarity: rapidfuzz token_sort_ratio over the stemmed content words, 0..100; word order in chat
# is loose, so sorting tokens first beats plain ratio, and unlike token_set_ratio a question is not a perfect
# match just because one of its words is a subset of a phrasing. The index stores every phrasing with its
# words already sorted, and search sorts the question once, so plain fuzz.ratio gives token_sort_ratio's
# exact result without re-splitting every phrasing on every search.
PHRASE_SCORER = fuzz.ratio  # on word-sorted strings: exactly fuzz.token_sort_ratio


# Weight of a word the knowledge base has never seen, as a multiple of the rarest known word's IDF.
UNKNOWN_WORD_WEIGHT = 1.0
# Weight of an out-of-scope word (text.OUT_OF_SCOPE_WORDS), as a multiple of the rarest known word's IDF.
OUT_OF_SCOPE_WEIGHT = 2.0
OUT_OF_SCOPE_MARK = "!"  # prefixes out-of-scope words in analyse(); no stem can start with it
# Candidate generation scans postings lists of at most this many entries (the larger of an absolute floor
# and a share of the base); commoner stems are scored on the rerank pool only.
SCAN_MIN_POSTINGS = 200
SCAN_MAX_SHARE = 0.2
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
        self.vocabulary = vocab = Vocabulary(kb)
        main_fields: list[list[str]] = []
        answer_fields: list[list[str]] = []
        section_stems: dict[str, set[str]] = defaultdict(set)
        answer_words: dict[str, list[str]] = {}
        incidental: list[set[str]] = []
        for entry in kb.entries:
            texts = (*entry.phrasings, entry.title, *entry.keywords, *entry.concepts)
            raw = [w for t in texts for w in content_words(t)]
            incidental.append(incidental_stems(vocab, entry))
            answer = answer_words.get(entry.answer)
            if answer is None:  # entries often share an answer text: analyse each text once
                answer = answer_words[entry.answer] = content_words(
                    MARKDOWN_RE.sub(" ", entry.answer)[:ANSWER_INDEX_CHARS]
                )
            main_fields.append(vocab.stems(raw))
            answer_fields.append(vocab.stems(answer))
            section_stems[entry.section].update(main_fields[-1], answer_fields[-1])
        for section in kb.sections:  # the article's own words for each section: evidence for its entries
            if section.slug in section_stems:
                section_stems[section.slug].update(vocab.stems(document_words(section.text)))
        self._section_stems = {slug: frozenset(stems) for slug, stems in section_stems.items()}
        self._docs = [
            build_doc(vocab, entry, main, answer, once)
            for entry, main, answer, once in zip(
                kb.entries, main_fields, answer_fields, incidental, strict=True
            )
        ]
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        focus_postings: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(self._docs):
            for st, weight in doc.fields.items():
                postings[st].append((i, weight))
            for st in doc.focus_stems:
                focus_postings[st].append(i)
        self._postings = dict(postings)
        self._focus_postings = dict(focus_postings)
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
        if asked_text is not None:
            asked_words = words(asked_text)
            asked_stems = self._topic_stems(asked_words, off_words)
            if sum(1 for st in asked_stems if self._known(st)) >= ASKED_MIN_STEMS:
                phrase_stems = asked_stems
                asked_set = set(asked_stems)
                for st in stems:
                    if st not in asked_set:
                        factors[st] = BACKSTORY_WEIGHT
                if not scope.marks and not scope.intent:  # another career or pay in the backstory stays
                    alone = dict.fromkeys(asked_stems, 1.0)
                    asked = Reading(alone, " ".join(asked_words), asked_stems, None)
        marks = [OUT_OF_SCOPE_MARK + hit for hit in dict.fromkeys(scope.marks)]
        factors.update(dict.fromkeys(marks, 1.0))
        return Reading(factors, " ".join(all_words), phrase_stems + marks, scope.intent, asked)

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
        # Candidates come from the stems with short postings lists; stems found in most entries add almost
        # nothing to the ranking and would make this loop O(entries), so they are scored on the pool only.
        rare = [st for st in stems if len(self._postings.get(st, ())) <= self._scan_limit]
        if not rare:
            rare = [min(stems, key=lambda st: len(self._postings.get(st, ())))]
        partial: dict[int, float] = defaultdict(float)
        focus_hits: dict[int, float] = defaultdict(float)
        for st in rare:
            w = weights[st]
            for i, fw in self._postings.get(st, ()):
                partial[i] += w * fw
            for i in self._focus_postings.get(st, ()):
                focus_hits[i] += w
        if not partial:
            return SearchResult(question, Confidence.NONE, None, (), intent)
        section_share = {
            slug: sum(weights[st] for st in stems if st in sec) / total
            for slug, sec in self._section_stems.items()
        }
        docs = self._docs

        def prescore(i: int) -> float:
            # The cheap part of the final score: coverage, title/keyword hits and section evidence. Without
            # title/keyword hits, a question of common words ("what does a producer do") ties most entries
            # on coverage and the right one can miss the pool.
            hits = partial[i] + WEIGHT_FOCUS / WEIGHT_COVERAGE * focus_hits.get(i, 0.0)
            return hits / total + FIELD_SECTION * section_share[docs[i].entry.section]

        size = RERANK_POOL if len(stems) > SHORT_QUESTION_STEMS else RERANK_POOL_SHORT
        pool = heapq.nlargest(size, partial, key=prescore)
        query_phrase = sorted_words(" ".join(phrase_stems))
        raw_sorted = sorted_words(raw_query)
        scored: list[tuple[float, int]] = []
        for i in pool:
            doc = docs[i]
            sec = self._section_stems[doc.entry.section]
            got = matched = focus = 0.0
            for st in stems:
                w = weights[st]
                fw = doc.fields.get(st, 0.0)
                if fw:
                    matched += w
                    if st in doc.focus_stems:
                        focus += w
                elif st in sec:
                    fw = FIELD_SECTION
                got += w * fw
            best_phrase = process.extractOne(query_phrase, doc.phrases, scorer=PHRASE_SCORER)
            phrase = best_phrase[1] / 100 if best_phrase else 0.0
            # Letters alike are not words alike: phrase similarity counts only as far as the entry itself
            # holds the question's words, so "made" is not half a match for "make" in a phrasing.
            phrase *= (matched / total) ** PHRASE_GATE
            score = WEIGHT_COVERAGE * got / total + WEIGHT_FOCUS * focus / total + WEIGHT_PHRASE * phrase
            if len(stems) == 1 and not focus:
                # A one-word question ("r u a real person") names a topic or nothing: unless the word is in
                # the entry's title or keywords, it is at most a guess to offer, never an answer.
                score = min(score, ONE_WORD_CAP)
            scored.append((score, i))
        top = max(scored)[0]
        matches: list[Match] = []
        for score, i in scored:
            if score >= top - WEIGHT_WORDING:  # wording can only reorder entries this close to the top
                raw = process.extractOne(raw_sorted, docs[i].raw_phrases, scorer=PHRASE_SCORER)
                score += WEIGHT_WORDING * (raw[1] / 100 if raw else 0.0)
            matches.append(Match(docs[i].entry, round(min(max(score, 0.0), 1.0), 4)))
        matches.sort(key=lambda m: m.score, reverse=True)
        best = matches[0]
        # A whole out-of-scope intent ("how much do producers make") is declined however well its words
        # match: the best entry stays for diagnostics, nothing is offered.
        level = Confidence.NONE if intent else confidence_of(best.score)
        alternatives = tuple(m for m in matches[1 : 1 + MAX_ALTERNATIVES] if m.score >= SUGGEST_THRESHOLD)
        return SearchResult(question, level, best, alternatives, intent)

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
