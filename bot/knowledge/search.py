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

import dataclasses
import heapq
import math
import re
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from bot.knowledge.model import Entry, KnowledgeBase
from bot.knowledge.text import STOPWORDS, content_words, out_of_scope, stem, topic_words, words

_MARKDOWN_RE = re.compile(r"[*_`>#~|]+")  # Discord Markdown marks in answers, dropped before indexing

# --- Scorers and their scales -------------------------------------------------------------------------
# Phrase similarity: rapidfuzz token_sort_ratio over the stemmed content words, 0..100; word order in chat
# is loose, so sorting tokens first beats plain ratio, and unlike token_set_ratio a question is not a perfect
# match just because one of its words is a subset of a phrasing. The index stores every phrasing with its
# words already sorted, and search sorts the question once, so plain fuzz.ratio gives token_sort_ratio's
# exact result without re-splitting every phrasing on every search.
PHRASE_SCORER = fuzz.ratio  # on word-sorted strings: exactly fuzz.token_sort_ratio


def _sorted_words(text: str) -> str:
    """Return text's words in sorted order: what token_sort_ratio compares."""
    return " ".join(sorted(text.split()))


# Typo correction: a question word unknown to the knowledge base is replaced by a known word when their
# normalised Levenshtein similarity (0..1, 1 = identical) is at least this and the edits between them are a
# plausible slip (see _plausible_typo). 0.6 only pre-filters: it lets a swap in six letters ("studoi")
# through.
TYPO_MIN_SIMILARITY = 0.6
TYPO_CANDIDATES = 8  # closest known words checked against the typo rules below, best first
# Edits allowed between a typo and its known word, by the typo's length (letters): one slip up to seven
# letters, two from eight ("proffesional"). A substituted letter counts only from SUBSTITUTION_MIN_LENGTH
# letters, and an extra letter only from EXTRA_LETTER_MIN_LENGTH: short real words differ from known words
# by exactly those edits ("tone"/"tune", "rules"/"roles", "earn"/"ear").
TWO_EDITS_MIN_LENGTH = 8
SUBSTITUTION_MIN_LENGTH = 7
EXTRA_LETTER_MIN_LENGTH = 6
TYPO_MIN_LENGTH = 4  # shorter words are too ambiguous to correct ("eq" must not become "ear")
PREFIX_MIN_LENGTH = 5  # an unknown word this long that starts a known word is read as its clipped form
# Field weights, 0..1: how much a question word found only in that part of an entry counts towards coverage.
# Phrasings, title and keywords are written for matching (1); the answer carries the article's own
# vocabulary but also words about neighbouring topics (0.4); words found only in other entries of the same
# article section are section-level evidence, weak on their own but enough to break ties (0.2).
FIELD_MAIN = 1.0
FIELD_ANSWER = 0.5
FIELD_SECTION = 0.3
# Weight of a word the knowledge base has never seen, as a multiple of the rarest known word's IDF.
UNKNOWN_WORD_WEIGHT = 1.3
# Weight of an out-of-scope word (text.OUT_OF_SCOPE_WORDS), as a multiple of the rarest known word's IDF.
OUT_OF_SCOPE_WEIGHT = 2.0
OUT_OF_SCOPE_MARK = "!"  # prefixes out-of-scope words in analyse(); no stem can start with it
# Candidate generation scans postings lists of at most this many entries (the larger of an absolute floor
# and a share of the base); commoner stems are scored on the rerank pool only.
SCAN_MIN_POSTINGS = 200
SCAN_MAX_SHARE = 0.2
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
# Confidence 0..1. Calibrated on the development questions: on-topic questions' best entries sit above
# ANSWER_THRESHOLD, off-topic ones below it; between the two thresholds an answer is a guess worth offering
# as "did you mean" but never stating.
ANSWER_THRESHOLD = 0.32
SUGGEST_THRESHOLD = 0.22
ONE_WORD_CAP = 0.3  # highest score of a one-word question that misses an entry's title and keywords
MAX_ALTERNATIVES = 3
# How many candidates (by coverage) get the costlier phrase scoring; bounds latency on huge bases.
RERANK_POOL = 16
# A question of one or two topic words ties many entries on every cheap signal; only the wording can part
# them, so it gets a wider pool (cheap: its scoring loop is short).
SHORT_QUESTION_STEMS = 2
RERANK_POOL_SHORT = 40
RESULT_CACHE_SIZE = 4096  # recent distinct questions whose results are kept (least recently used go first)


def _plausible_typo(typed: str, known: str) -> bool:
    """Return True when typed is known with the kind of slip a fast typist makes."""
    allowed = 2 if len(typed) >= TWO_EDITS_MIN_LENGTH else 1
    if OSA.distance(typed, known) > allowed:
        return False
    ops = Levenshtein.editops(typed, known)
    subs = sum(1 for op in ops if op.tag == "replace")
    extra = sum(1 for op in ops if op.tag == "delete")  # a letter in typed that known lacks
    swapped = OSA.distance(typed, known) < Levenshtein.distance(typed, known)
    if subs and not swapped and (subs > 1 or len(typed) < SUBSTITUTION_MIN_LENGTH):
        return False
    return not (extra and len(typed) < EXTRA_LETTER_MIN_LENGTH)


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
    fields: dict[str, float]  # stem -> weight of the best field it occurs in (FIELD_* scale, 0..1)
    focus_stems: frozenset[str]
    phrases: tuple[str, ...]  # stemmed content words of each phrasing and the title, sorted, space-joined
    raw_phrases: tuple[str, ...]  # every word of each phrasing and the title, stopwords kept, sorted


class SearchIndex:
    """An immutable index over one knowledge base, built once at load."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._synonyms: dict[str, str] = {}
        for entry in kb.entries:
            for group in entry.synonyms:
                for word in group:
                    self._synonyms.setdefault(word, group[0])
        # Inflections authors did not list still map: each synonym's stem points at its group's head.
        self._stem_synonyms: dict[str, str] = {}
        for word, head in self._synonyms.items():
            self._stem_synonyms.setdefault(stem(word), head)
        # ...unless the stem also belongs to a word outside the group: "musicality" (a synonym of "talent")
        # stems to "music", and "music" must not become "talent".
        texts = [t for e in kb.entries for t in (*e.phrasings, e.title, *e.keywords, e.answer)]
        texts += [section.text for section in kb.sections]
        for word in {w for t in texts for w in content_words(t)}:
            st = stem(word)
            if st in self._stem_synonyms and self._synonyms.get(word) != self._stem_synonyms[st]:
                del self._stem_synonyms[st]
        vocabulary: set[str] = set()
        main_fields: list[list[str]] = []
        answer_fields: list[list[str]] = []
        section_stems: dict[str, set[str]] = defaultdict(set)
        answer_words: dict[str, list[str]] = {}
        for entry in kb.entries:
            raw = [w for t in (*entry.phrasings, entry.title, *entry.keywords) for w in content_words(t)]
            answer = answer_words.get(entry.answer)
            if answer is None:  # entries often share an answer text: analyse each text once
                answer = answer_words[entry.answer] = content_words(_MARKDOWN_RE.sub(" ", entry.answer))
            vocabulary.update(raw)
            vocabulary.update(answer)
            for group in entry.synonyms:
                vocabulary.update(w for w in group if w not in STOPWORDS)
            main_fields.append(self._stems(raw))
            answer_fields.append(self._stems(answer))
            section_stems[entry.section].update(main_fields[-1], answer_fields[-1])
        for section in kb.sections:  # the article's own words for each section: vocabulary and evidence
            article_words = content_words(section.text)
            vocabulary.update(article_words)
            if section.slug in section_stems:
                section_stems[section.slug].update(self._stems(article_words))
        self._section_stems = {slug: frozenset(stems) for slug, stems in section_stems.items()}
        self._docs: list[_Doc] = []
        for entry, main, answer in zip(kb.entries, main_fields, answer_fields, strict=True):
            fields = dict.fromkeys(answer, FIELD_ANSWER)
            fields.update(dict.fromkeys(main, FIELD_MAIN))
            focus_texts = (entry.title, *entry.keywords)
            self._docs.append(
                _Doc(
                    entry=entry,
                    fields=fields,
                    focus_stems=frozenset(self._stems([w for t in focus_texts for w in content_words(t)])),
                    phrases=tuple(
                        _sorted_words(" ".join(self._stems(content_words(t))))
                        for t in (*entry.phrasings, entry.title)
                    ),
                    raw_phrases=tuple(
                        _sorted_words(" ".join(words(t))) for t in (*entry.phrasings, entry.title)
                    ),
                )
            )
        self._vocabulary = sorted(vocabulary)
        self._known = frozenset(self._vocabulary)
        self._known_stems = frozenset(stem(w) for w in self._vocabulary)
        by_initial: dict[str, list[str]] = defaultdict(list)
        for w in self._vocabulary:
            by_initial[w[0]].append(w)
        self._by_initial = dict(by_initial)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(self._docs):
            for st, weight in doc.fields.items():
                postings[st].append((i, weight))
        self._postings = dict(postings)
        focus_postings: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(self._docs):
            for st in doc.focus_stems:
                focus_postings[st].append(i)
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
        self._typo_cache: dict[str, str | None] = {}
        self._results: OrderedDict[tuple[tuple[str, ...], str], SearchResult] = OrderedDict()
        self._by_text: OrderedDict[str, SearchResult] = OrderedDict()

    def _canonical(self, word: str) -> str:
        """Map a word through the synonym groups, or an inflection of one ("clashing" as "clash")."""
        found = self._synonyms.get(word)
        if found is None:
            found = self._stem_synonyms.get(stem(word), word)
        return found

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
        if stem(word) in self._known_stems or stem(word) in self._stem_synonyms:
            return word  # an inflection of a known word ("clashing"), not a typo
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
            hit = self._closest(variant)
            if hit is not None:
                fixed = hit
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

    def _closest(self, word: str) -> str | None:
        """Return the known word that word is a plausible typo of, or None.

        Real words that merely look alike ("earn"/"ear", "class"/"clash", "charge"/"change") must stay
        unknown, so only the slips people actually make in chat are undone: dropped or doubled letters and
        swapped neighbours anywhere, a wrong letter only in long words.
        """
        candidates = process.extract(
            word,
            self._by_initial.get(word[0], ()),
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=TYPO_MIN_SIMILARITY,
            limit=TYPO_CANDIDATES,
        )
        for known, _score, _i in candidates:
            if _plausible_typo(word, known):
                return known
        return None

    def analyse(self, question: str) -> list[str]:
        """Return the question's stems as the engine sees them (for debugging and tests).

        Out-of-scope words come back marked with OUT_OF_SCOPE_MARK: no entry holds them, and they weigh
        OUT_OF_SCOPE_WEIGHT.
        """
        return self._analyse(question)[0]

    def _analyse(self, question: str) -> tuple[list[str], str]:
        """Return the question's stems and its full wording (all words, space-joined)."""
        all_words = words(question)
        off = out_of_scope(all_words)
        off_words = {w for hit in off for w in hit.split("_")}
        found = [self._correct(w) for w in topic_words(all_words) if w not in off_words]
        stems = self._stems(found) + [OUT_OF_SCOPE_MARK + hit for hit in dict.fromkeys(off)]
        return stems, " ".join(all_words)

    def search(self, question: str) -> SearchResult:
        """Rank entries for a question; never raises on any text.

        Members ask the same things over and over ("internship tips?", "Internship tips"): results are
        cached by the question as the engine reads it (its stems and normalised wording), which is all the
        ranking depends on, so a cached answer is exactly the one a fresh search would give.
        """
        same_text = self._by_text.get(question)  # the very same text again: skip even the analysis
        if same_text is not None:
            self._by_text.move_to_end(question)
            return same_text
        stems, raw_query = self._analyse(question)
        if not stems:
            return SearchResult(question, Confidence.NONE, None, ())
        key = (tuple(stems), raw_query)
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            result = dataclasses.replace(cached, question=question)
        else:
            result = self._results[key] = self._rank(question, stems, raw_query)
            if len(self._results) > RESULT_CACHE_SIZE:
                self._results.popitem(last=False)
        self._by_text[question] = result
        if len(self._by_text) > RESULT_CACHE_SIZE:
            self._by_text.popitem(last=False)
        return result

    def clear_cache(self) -> None:
        """Forget cached results (benchmarks use it to time cold searches)."""
        self._results.clear()
        self._by_text.clear()

    def _rank(self, question: str, stems: list[str], raw_query: str) -> SearchResult:
        """Score the candidate entries of an analysed question and decide how confident we are."""
        weights = {
            st: self._off_idf if st.startswith(OUT_OF_SCOPE_MARK) else self._idf.get(st, self._unknown_idf)
            for st in stems
        }
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
            return SearchResult(question, Confidence.NONE, None, ())
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
        query_phrase = _sorted_words(" ".join(stems))
        raw_sorted = _sorted_words(raw_query)
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
