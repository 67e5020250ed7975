"""What the article does not cover: a named list of out-of-scope intents, as data.

The article is about the producer's career path, skills and work. Members also ask, in the same words, about
pay, shopping for gear, choosing software, the law, named schools, promotion and distribution, other careers,
genre or mixing how-tos and plain chat. Each intent below names one such topic and how to spot it:
- `words`: any one of them marks the question (a word the article never uses in its own sense); the engine
  weighs them heavily against answering, but they can be outweighed ("is an internship worth it if it
  isn't paid" is still about internships);
- `pairs`: two adjacent content words that together name the topic although each alone is on-topic;
- `together`: a word from each of two sets anywhere in the question ("best" + "mic");
- `patterns`: regular expressions over the normalised wording (text.words joined by spaces). A pattern is a
  whole intent ("how much do producers make"): the engine declines the question outright.
Add a topic by adding an Intent; tests/test_scope.py holds one example per intent and the on-topic questions
that must stay clear of every intent.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from bot.knowledge.needles import (
    WORDING_RE,
    WordCondition,
    cheapest,
    first_needles,
    key_words,
    word_conditions,
)
from bot.knowledge.text import STOPWORDS


@dataclass(frozen=True, slots=True)
class Intent:
    """One out-of-scope topic and the signals that mark it."""

    name: str
    words: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()
    together: tuple[frozenset[str], frozenset[str]] | None = None
    patterns: tuple[re.Pattern[str], ...] = field(default=())


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _patterns(*sources: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(s) for s in sources)


PRODUCT_NAMES = _words(
    """
    ableton fl flstudio logic protools cubase reaper bitwig garageband reason studioone audacity
    serum nexus kontakt omnisphere waves fabfilter focusrite scarlett yamaha rode shure neumann akai
    novation apollo uad native instruments maschine mpc splice
    """
)
GEAR_WORDS = _words(
    """
    daw daws plugin plugins vst vsts mic mics microphone microphones laptop computer controller
    keyboard interface monitors speakers headphones
    """
)
_PRODUCTS = "fl studio|fl|ableton|logic|logic pro|pro tools|cubase|reaper|bitwig|garageband|studio one"
_GEAR = (
    "daws?|plugins?|vsts?|mics?|microphones?|interfaces?|laptops?|computers?|keyboards?|controllers?|monitors?|"
    "speakers?|headphones"
)
# A place or a name after "uni in" / "college near": anything but the words members use about studying itself.
_PLACE = (
    r"(?!(?:the|a|an|my|your|our|their|this|that|music|production|audio|sound|studio|industry|general|person|"
    r"uni|college|school|order|case|fact)\b)[a-z]+"
)
_GENRES = (
    "trap|drill|lofi|lo fi|house|techno|dubstep|edm|hip hop|boom bap|rnb|r and b|afrobeats?|reggaeton|phonk|"
    "dnb|drum and bass|jersey club|pop punk|k pop|amapiano|hyperpop|synthwave|ambient|trance"
)
_TECHNIQUES = (
    "compress|compressing|eq|sidechain|side chain|autotune|auto tune|quantize|quantise|pan|sample chop|chop|"
    "layer|saturate|distort|tune vocals|pitch correct"
)

INTENTS: tuple[Intent, ...] = (
    Intent(
        "money",
        words=_words(
            """
            salary salaries wage wages earn earns earning earnings income rich paid pay pays paying payment
            payments charging price prices pricing fee fees invoice royalty royalties revenue profit profits
            cost costs tax taxes broke
            """
        ),
        patterns=_patterns(
            r"\bhow much\b(?: [a-z]+){0,4}? (make|makes|earn|earns|charge|charges|cost|costs|paid)\b",
            r"\b(make|making|makes) (good |decent |real |any |enough |a lot of )?(money|bank|bread|cash)\b",
            r"\b(going|fair|hourly|day) rate\b",
            r"\bcharge (a|an|my|for|per|artists?|rappers?|singers?|clients?|bands?)\b",
            r"\brates?\b.*\b(charge|ask)\b|\b(charge|ask)\b.*\brates?\b",
            r"\bper (hour|song|track|beat)\b",
            r"\b(points|percentage|split)\b.*\b(producer|artist|singer|song)\b",
            r"\blive off\b",
        ),
    ),
    Intent(
        "selling-and-business",
        words=_words("sell selling sold buy buying bought purchase cheap cheaper cheapest visa"),
        pairs=frozenset({("sample", "pack"), ("type", "beats"), ("type", "beat")}),
    ),
    Intent(
        "legal",
        words=_words(
            """
            copyright copyrighted trademark lawsuit sue sued licence license licensing clearance contract
            contracts legal law lawyer ethical
            """
        ),
        pairs=frozenset({("clear", "sample"), ("clear", "samples"), ("record", "deal")}),
        patterns=_patterns(
            r"\bregister (my |our |the )?(songs?|beats?|tracks?|music)\b",
            r"\b(ascap|bmi|prs|socan|gema)\b",
        ),
    ),
    Intent(
        "distribution-and-promotion",
        words=_words(
            """
            publishing spotify streams streaming playlist playlists playlisted tiktok instagram twitter
            followers viral algorithm marketing distribution distributor soundcloud bandcamp distrokid
            tunecore promote
            """
        ),
        pairs=frozenset({("record", "label"), ("apple", "music"), ("get", "signed")}),
        patterns=_patterns(
            r"\b(get|getting) signed\b",
            r"\bget (a )?manager\b",
            r"\bsend (my |our )?(beats|tracks|music|songs) to\b",
        ),
    ),
    Intent(
        "product-choice",
        words=_words("headphone headphones interface interfaces monitors speakers synth synths"),
        together=(GEAR_WORDS | PRODUCT_NAMES, _words("vs versus recommend recommended recommendation")),
        patterns=_patterns(
            rf"\b(which|what) ({_GEAR})( should| is best| is better| do you| would you| to (buy|get)| for|"
            r" do i need to run)\b",
            rf"\bshould i (get|buy|use) (an? |the )?({_PRODUCTS}|{_GEAR})\b.*\bor\b",
            rf"\b(which|better|best|should i|vs)\b.*\b({_PRODUCTS}) or ({_PRODUCTS})\b",
            rf"\b({_PRODUCTS}) or ({_PRODUCTS})\b(.*\b(which|better|best)\b|( for [a-z ]+)? *$)",
            rf"\b({_PRODUCTS}) (is )?(better|worse) (than|then)\b",
            rf"\b(best|cheapest|good|decent)( [a-z0-9]+){{0,2}}? ({_GEAR})\b",
            rf"\b(expensive|cheap|budget|pricey) ({_GEAR})\b",
            rf"\bswitch(ing)? (from )?({_PRODUCTS}) to ({_PRODUCTS})\b",
        ),
    ),
    Intent(
        "named-schools",
        words=_words(
            """
            berklee fullsail sae goldsmiths icmp bimm lipa juilliard nyu ucla usc dubspot pointblank abbey
            institute conservatoire
            """
        ),
        pairs=frozenset({("full", "sail"), ("point", "blank")}),
        patterns=_patterns(
            r"\b(berklee|full sail|fullsail|sae|point blank|goldsmiths|icmp|bimm|lipa|juilliard|nyu|ucla|usc|"
            r"dubspot|abbey road|conservatoire)\b",
            r"\b(which|what|best|good|top) (uni|unis|university|universities|college|colleges|school|schools|"
            rf"course|courses)\b.*\b(in|near|around) {_PLACE}",
            rf"\b(uni|university|college|school)s? (in|near) {_PLACE}",
        ),
    ),
    Intent(
        "other-careers",
        words=_words(
            """
            doctor doctors dentist dentists lawyers attorney nurse nurses nursing  teaching
            accountant accountants accounting pilot pilots chef chefs cook plumber electrician architect
            pharmacist vet surgeon therapist psychologist journalist photographer photography filmmaker
            filmmaking film films movie movies tv television podcast podcasts programmer programmers
            programming developer developers coder coding firefighter police cop soldier actor actress
            acting influencer youtuber streamer athlete barber mechanic cashier waiter waitress restaurant
            retail medicine medical hospital banking
            """
        ),
        pairs=frozenset(
            {
                ("software", "engineer"),
                ("software", "engineering"),
                ("software", "engineers"),
                ("software", "developer"),
            }
        ),
        patterns=_patterns(
            r"\bbecome (a |an )?(dj|radio|tour|music manager|manager|a and r|a r|ar|"
            r"session (guitarist|drummer|player|musician)|mastering engineer|live sound|foh|composer|"
            r"film composer|voice|singer|rapper|sound designer|game|songwriter)\b",
            r"\b(game|games|video game) (audio|music|sound)\b",
            r"\blive sound engineer\b.*\btours?\b",
            r"\bbecome (a |an )?(mixing|mastering|audio|foh|live sound|broadcast) engineer\b",
            r"\b(a and r|a r) do\b|\bmusic manager do\b",
            r"\blearn (to|how to) sing\b",
            r"\b(become|be) (a |an )?(music |piano |guitar )?teacher\b|\b(good|great|best|bad) teachers?\b",
        ),
    ),
    Intent(
        "technique-how-to",
        words=_words("808 808s snare snares hihat hihats sidechain sidechaining autotune"),
        patterns=_patterns(
            r"\b(how|way) (do|to|can|should) (i |you |we )?(make|produce|get|do|write) "
            rf"(a |an |my |the |some )?({_GENRES})\b",
            rf"\bhow (do|to|can|should) (i |you |we )?({_TECHNIQUES})\b",
            r"\bwhat key is\b|\bwhich key\b|\b(what|which) (bpm|tempo|scale)\b|\beq settings\b|\bbpm is\b",
            r"\bsoundproof|\blatency\b|\bkeeps? crashing\b",
            r"\btune (my|a|the|your) (guitar|bass|piano|drums|instrument|violin|ukulele)\b",
        ),
    ),
    Intent(
        "chat",
        words=_words("weather recipe football soccer basketball anime netflix fortnite nickname alias"),
        patterns=_patterns(
            r"^(what is |whats )?(good|up|good morning|gm|sup)( (everyone|all|guys|fam|people|yall))?$",
            r"^(good )?(morning|evening|night)( (everyone|all|guys|fam|people|yall))?$",
            r"\bof all time\b",
            r"\b(who is|whos|who are) (the )?(best|greatest|goat|top|hottest)\b",
            r"\b(your|ur) (setup|set up|studio setup|gear)\b",
            r"\b(drop|post|share) (your|ur) (soundcloud|links?|beats|tracks)\b",
            r"\bwho (produced|made|mixed)\b",
            r"\bwho wins\b",
            r"\bfavou?rite (album|song|producer|artist|track)\b",
            r"\b(rate|review|check out|listen to) my (beat|track|song|mix|music)\b",
            r"\banyone (here )?from\b",
            r"\b(this|the) (server|channel|chat) is (so |really |kinda )?"
            r"(dead|fire|great|quiet|cool|amazing|lit)\b",
            r"\bhow (old|rich) (was|is)\b",
            r"\bhow did [a-z]+ [a-z]+ get (famous|big|rich)\b",
            r"\bwhat (plugins|daw|gear|mic) (does|did) (?!(a|an|the|every|my|each)\b)[a-z]+( [a-z]+)? use\b",
            r"\bwhat time is it\b",
            r"\bhours of sleep\b",
            r"\banyone (want|wanna|wants) to\b|\bdoes anyone want to\b",
            r"\bai\b",
        ),
    ),
)

_WORD_INTENT: dict[str, str] = {w: intent.name for intent in INTENTS for w in intent.words}
_PAIR_INTENT: dict[tuple[str, str], str] = {p: intent.name for intent in INTENTS for p in intent.pairs}
_TOGETHER = tuple((k, intent.together) for k, intent in enumerate(INTENTS) if intent.together)


@dataclass(frozen=True, slots=True)
class _PatternIndex:
    """Which out-of-scope patterns can match a question at all (needles.py), so few are ever searched.

    A pattern with word conditions (word_conditions) is filed under key words of one of them and searched
    only when a question holds one and meets all its conditions; one without is filed under substrings one
    of which a question it matches must hold (needles), or else always searched. Checking a question costs
    a set lookup per word, a few set comparisons and an `in` per filed substring; about 2 of 55 patterns
    are searched.
    """

    patterns: tuple[tuple[int, re.Pattern[str]], ...]  # every pattern with its intent's position in INTENTS
    # key word -> (pattern, the words of one alternative of its filed condition that holds that key)
    by_word: dict[str, tuple[tuple[int, frozenset[str]], ...]]
    others: tuple[tuple[WordCondition, ...], ...]  # each pattern's other word conditions
    by_needle: dict[str, frozenset[int]]
    always: frozenset[int]

    @classmethod
    def build(cls) -> _PatternIndex:
        """Index the patterns of INTENTS."""
        patterns = tuple((k, p) for k, intent in enumerate(INTENTS) for p in intent.patterns)
        by_word: dict[str, list[tuple[int, frozenset[str]]]] = {}
        others: list[tuple[WordCondition, ...]] = []
        by_needle: dict[str, set[int]] = {}
        always: set[int] = set()
        for j, (_k, pattern) in enumerate(patterns):
            found = word_conditions(pattern)
            filed = cheapest(found, STOPWORDS) if found else frozenset()
            others.append(tuple(c for c in found if c != filed))
            for words in filed:
                key = next(iter(key_words(frozenset({words}), STOPWORDS)))
                by_word.setdefault(key, []).append((j, words))
            needed = None if found else first_needles(pattern)
            for needle in needed or ():
                by_needle.setdefault(needle, set()).add(j)
            if not found and needed is None:
                always.add(j)
        return cls(
            patterns,
            {w: tuple(entries) for w, entries in by_word.items()},
            tuple(others),
            {n: frozenset(ids) for n, ids in by_needle.items()},
            frozenset(always),
        )

    def candidates(self, wording: str) -> list[int]:
        """Return the patterns that may match a question's words joined by spaces, in INTENTS order."""
        if not WORDING_RE.fullmatch(wording):  # not words as text.words gives them: search everything
            return list(range(len(self.patterns)))
        held = set(wording.split(" "))
        by_word = self.by_word
        filed = {j for w in held if w in by_word for j, words in by_word[w] if words <= held}
        others = self.others
        found = [j for j in filed if all(any(ws <= held for ws in c) for c in others[j])]
        found += self.always
        found += [j for needle, ids in self.by_needle.items() if needle in wording for j in ids]
        return sorted(set(found))


_PATTERN_INDEX = _PatternIndex.build()


@dataclass(frozen=True, slots=True)
class ScopeCheck:
    """What out of scope a question touches: marked words (soft evidence) and a whole-intent match."""

    marks: tuple[str, ...]  # words or joined pairs ("clear_sample") that the engine weighs against answering
    intent: str | None  # the intent whose pattern or word combination matched: decline outright


def check_scope(all_words: list[str]) -> ScopeCheck:
    """Return the out-of-scope signals in a question's words (text.words, stopwords included).

    The intent is the first in INTENTS order whose `together` sets or one of whose patterns match.
    """
    marks = [w for w in all_words if w in _WORD_INTENT]
    content = [w for w in all_words if w not in STOPWORDS]
    for pair in itertools.pairwise(content):
        if pair in _PAIR_INTENT:
            marks.append(f"{pair[0]}_{pair[1]}")
    present = set(all_words)
    first = next((k for k, (one, other) in _TOGETHER if present & one and present & other), len(INTENTS))
    wording = " ".join(all_words)
    patterns = _PATTERN_INDEX.patterns
    for j in _PATTERN_INDEX.candidates(wording):
        k, pattern = patterns[j]
        if k >= first:
            break
        if pattern.search(wording):
            first = k
            break
    return ScopeCheck(tuple(marks), INTENTS[first].name if first < len(INTENTS) else None)


def intent_of(mark: str) -> str | None:
    """Return the intent a marked word or pair belongs to."""
    first, _, second = mark.partition("_")
    return _WORD_INTENT.get(mark) or _PAIR_INTENT.get((first, second))
