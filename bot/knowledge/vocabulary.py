"""The knowledge base's vocabulary: synonym groups, stems and typo correction against its own words.

Everything here is data-driven: the words come from the entries (phrasings, titles, keywords, concept words,
answers, synonym groups) and the article's section texts, never from code.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from bot.knowledge.model import KnowledgeBase
from bot.knowledge.text import STOPWORDS, content_words, stem

# Typo correction: a question word unknown to the knowledge base is replaced by a known word when their
# normalised Levenshtein similarity (0..1, 1 = identical) is at least this and the edits between them are a
# plausible slip (see plausible_typo). 0.6 only pre-filters: it lets a swap in six letters ("studoi") through.
TYPO_MIN_SIMILARITY = 0.6
TYPO_CANDIDATES = 8  # closest known words checked against the typo rules below, best first
# Edits allowed between a typo and its known word, by the typo's length (letters): one slip up to seven
# letters, two from eight ("proffesional"). A substituted letter counts only from SUBSTITUTION_MIN_LENGTH
# letters, and an extra letter only from EXTRA_LETTER_MIN_LENGTH: short real words differ from known words
# by exactly those edits ("tone"/"tune", "rules"/"roles", "earn"/"ear").
TWO_EDITS_MIN_LENGTH = 8
SUBSTITUTION_MIN_LENGTH = 7
EXTRA_LETTER_MIN_LENGTH = 6
VOWEL_SLIP_MIN_LENGTH = 6
VOWELS = frozenset("aeiou")
TYPO_MIN_LENGTH = 4  # shorter words are too ambiguous to correct ("eq" must not become "ear")
PREFIX_MIN_LENGTH = 5  # an unknown word this long that starts a known word is read as its clipped form
TYPO_CACHE_SIZE = 50_000  # bounded: arbitrary user text must not grow memory forever


def plausible_typo(typed: str, known: str) -> bool:
    """Return True when typed is known with the kind of slip a fast typist makes."""
    allowed = 2 if len(typed) >= TWO_EDITS_MIN_LENGTH else 1
    if OSA.distance(typed, known) > allowed:
        return False
    ops = Levenshtein.editops(typed, known)
    subs = sum(1 for op in ops if op.tag == "replace")
    extra = sum(1 for op in ops if op.tag == "delete")  # a letter in typed that known lacks
    swapped = OSA.distance(typed, known) < Levenshtein.distance(typed, known)
    if subs and not swapped and (subs > 1 or len(typed) < SUBSTITUTION_MIN_LENGTH):
        # Spelling by ear swaps one vowel for another ("talant", "carear", "studeo"): allowed from
        # VOWEL_SLIP_MIN_LENGTH letters, where real words rarely differ by a single vowel.
        vowel_slip = (
            subs == 1
            and len(typed) >= VOWEL_SLIP_MIN_LENGTH
            and all(
                typed[op.src_pos] in VOWELS and known[op.dest_pos] in VOWELS
                for op in ops
                if op.tag == "replace"
            )
        )
        if not vowel_slip:
            return False
    return not (extra and len(typed) < EXTRA_LETTER_MIN_LENGTH)


class Vocabulary:
    """Maps a member's words onto the knowledge base's: synonyms first, then typo correction, then stems."""

    def __init__(self, kb: KnowledgeBase) -> None:
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
        texts = [t for e in kb.entries for t in (*e.phrasings, e.title, *e.keywords, *e.concepts, e.answer)]
        texts += [section.text for section in kb.sections]
        known: set[str] = set()
        for text in texts:
            known.update(content_words(text))
        for word in known:
            st = stem(word)
            if st in self._stem_synonyms and self._synonyms.get(word) != self._stem_synonyms[st]:
                del self._stem_synonyms[st]
        for entry in kb.entries:
            for group in entry.synonyms:
                known.update(w for w in group if w not in STOPWORDS)
        self.words = sorted(known)
        self._known = frozenset(self.words)
        self._known_stems = frozenset(stem(w) for w in self.words)
        by_initial: dict[str, list[str]] = defaultdict(list)
        for w in self.words:
            by_initial[w[0]].append(w)
        self._by_initial = dict(by_initial)
        self._typo_cache: dict[str, str | None] = {}

    def canonical(self, word: str) -> str:
        """Map a word through the synonym groups, or an inflection of one ("clashing" as "clash")."""
        found = self._synonyms.get(word)
        if found is None:
            found = self._stem_synonyms.get(stem(word), word)
        return found

    def stems(self, words: list[str]) -> list[str]:
        """Canonicalise and stem words, dropping duplicates but keeping order."""
        out: list[str] = []
        for w in words:
            s = stem(self.canonical(w))
            if s not in out:
                out.append(s)
        return out

    def correct(self, word: str) -> str:
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
        if word.endswith("in"):  # dropped g: "mixin", "producin"
            variants.insert(0, word + "g")
        for variant in variants:
            if variant in self._known or variant in STOPWORDS:  # "makin" is "making", not "masking"
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
        if len(self._typo_cache) < TYPO_CACHE_SIZE:
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
            if plausible_typo(word, known):
                return known
        return None
