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
    novation apollo uad native instruments maschine mpc splice macbook imac ipad iphone sm58 sm7b sm7
    at2020 krk genelec beyerdynamic dt770 sennheiser hd600 behringer presonus arturia korg roland moog
    nord launchpad komplete spitfire valhalla soundtoys izotope ozone melodyne antares massive sylenth
    vital ezdrummer audient motu apogee steinberg
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
    r"uni|college|school|order|case|fact|to|me|you|here|home|where|by|enough)\b)[a-z]+"
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
            cost costs tax taxes broke paycheck paycheque financially afford mortgage rent bills dollars bucks
            hourly unpaid crowdfunding crowdfund kickstarter patreon grant grants
            """
        ),
        patterns=_patterns(
            r"\bhow much\b(?: [a-z]+){0,4}? (make|makes|earn|earns|charge|charges|cost|costs|paid)\b",
            r"\b(make|making|makes) (good |decent |real |any |enough |a lot of )?(money|bank|bread|cash)\b",
            r"\b(going|fair|hourly|day) rate\b",
            r"\bcharge (a|an|my|for|per|artists?|rappers?|singers?|clients?|bands?)\b",
            r"\brates?\b.*\b(charge|ask)\b|\b(charge|ask)\b.*\brates?\b",
            r"\bper (hour|song|track|beat)\b",
            r"\b(points|percentage|splits?)\b.*\b(producer|producers|artist|singer|song|record|beat)\b",
            r"\b(producer|producers) points\b|\bpoints (work|worth)\b",
            r"\blive off\b",
            r"\b(get|gets|getting) paid\b|\bpaid (for|per)\b|\bis it (always )?unpaid\b",
            r"\bnegotiate\b|\b(my|your|their|a) rate\b|\brates (for|per)\b|\bdeposit\b",
            r"\bmake (a |my |their )?living\b|\bside hustle\b",
            r"\bhow much (should|do|would|will|can) (i|you|we|they) (budget|spend|ask|set aside|save)\b",
            r"\b(kickstarter|patreon|crowdfund|crowdfunding|gofundme)\b",
        ),
    ),
    Intent(
        "selling-and-business",
        words=_words(
            "sell selling sold buy buying bought purchase cheap cheaper cheapest visa lease leasing leases "
            "beatstars airbit merch"
        ),
        pairs=frozenset({("sample", "pack"), ("type", "beats"), ("type", "beat")}),
    ),
    Intent(
        "legal",
        words=_words(
            """
            copyright copyrighted trademark lawsuit sue sued licence license licensing clearance contract
            contracts legal lawyer ethical legally illegal cracked crack pirated piracy nda masters
            soundexchange sync tracklib
            """
        ),
        pairs=frozenset({("clear", "sample"), ("clear", "samples"), ("record", "deal")}),
        patterns=_patterns(
            r"\bregister (my |our |the )?(songs?|beats?|tracks?|music)\b",
            r"\b(ascap|bmi|prs|socan|gema)\b",
            r"\bclear(ing)? (a |the |my )?samples?\b|\bbooking agents?\b|\bagent\b.*\bmanager\b",
            r"\b(?<!in )laws?\b|\blegally\b|\bwork for hire\b",
            r"\bprotect (my |our |the )?(beats?|songs?|music|tracks?)\b",
            r"\b(beats?|songs?|music|tracks?) (being |getting )?stolen\b",
        ),
    ),
    Intent(
        "distribution-and-promotion",
        words=_words(
            """
            publishing spotify streams streaming playlist playlists playlisted tiktok instagram twitter
            followers viral algorithm marketing distribution distributor soundcloud bandcamp distrokid
            tunecore promote promoting promotion listeners subscribers fanbase reels epk submithub groover
            tidal deezer
            """
        ),
        pairs=frozenset({("record", "label"), ("apple", "music"), ("get", "signed")}),
        patterns=_patterns(
            r"\b(get|getting) signed\b",
            r"\bget (a )?manager\b",
            r"\bsend (my |our )?(beats|tracks|music|songs) to\b",
            r"\brelease (my |our |an? )?(music|songs?|tracks?|beats?|ep|album|single)\b",
            r"\b(drop|release) (singles|an album|my album)\b",
            r"\b(grow|growing) (my |a )?(youtube|channel|fanbase|audience)\b",
        ),
    ),
    Intent(
        "product-choice",
        words=_words(
            "headphone headphones interface interfaces monitors speakers synth synths ram cpu ssd gpu preamp "
            "preamps"
        ),
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
            rf"\b({_GEAR}) (recs|recommendations|must haves)\b|\bmust haves?\b|\bwhat do (the )?pros use\b",
            rf"\bwhat ({_GEAR}) do i need\b|\bmacbook|\bsm ?58\b",
            r"\bis the [a-z0-9]+ good for (vocals|recording|mixing)\b",
        ),
    ),
    Intent(
        "named-schools",
        words=_words(
            """
            berklee fullsail sae goldsmiths icmp bimm lipa juilliard nyu ucla usc dubspot pointblank abbey
            institute conservatoire udemy coursera skillshare domestika tonmeister pyramind mcgill belmont
            """
        ),
        pairs=frozenset({("full", "sail"), ("point", "blank")}),
        patterns=_patterns(
            r"\b(berklee|full sail|fullsail|sae|point blank|goldsmiths|icmp|bimm|lipa|juilliard|nyu|ucla|usc|"
            r"dubspot|abbey road|conservatoire|udemy|coursera|skillshare|domestika|icon collective|"
            r"masterclass com)\b",
            r"\b(?!(a|an|the|any|online|free|paid|this|that|good|music|production|producer|mixing)\b)"
            r"[a-z0-9]+s? masterclass\b",
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
            retail medicine medical hospital banking djing dj djs foley scoring podcasting roadie
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
            r"\b(live sound|foh|front of house)\b.*\b(career|hired|certifications?|tours?|touring|theaters?|"
            r"theatres?)\b",
            r"\b(live sound|foh) (engineer|tech|technician)s? (for|at) (concerts|tours|a theater)\b",
            r"\bradio (producer|station|show|host|presenter)s?\b|\bvideo editor\b",
            r"\bsound design(er)? (for|in) (film|films|movies|games|tv)\b",
            r"\b(audio|sound) for (video )?games\b",
            r"\bsession (guitarist|drummer|bassist|player|musician|singer|keyboardist)s? (find|get|make)\b",
            r"\b(living|career) as a session\b|\b(be|become) (a |an )?(a and r|a r)\b",
            r"\bbecome (a |an )?(mixing|mastering|audio|foh|live sound|broadcast) engineer\b",
            r"\b(a and r|a r) do\b|\bmusic manager do\b",
            r"\blearn (to|how to) sing\b",
            r"\b(become|be) (a |an )?(music |piano |guitar )?teacher\b|\b(good|great|best|bad) teachers?\b",
        ),
    ),
    Intent(
        "technique-how-to",
        words=_words(
            "808 808s snare snares hihat hihats sidechain sidechaining autotune lufs reverb reverbs delay "
            "saturation distortion glide arpeggiator wobble"
        ),
        patterns=_patterns(
            r"\b(how|way) (do|to|can|should) (i |you |we )?(make|produce|get|do|write) "
            rf"(a |an |my |the |some )?({_GENRES})\b",
            rf"\bhow (do|to|can|should) (i |you |we )?({_TECHNIQUES})\b",
            r"\bwhat key is\b|\bwhich key\b|\b(what|which) (bpm|tempo|scale)\b|\beq settings\b|\bbpm is\b",
            r"\bsoundproof|\blatency\b|\bkeeps? crashing\b",
            r"\b(eq|compress|mix|master) (my |the |a )?(vocals?|kick|drums|bass|snare|mix|master)\b"
            r".*\b(frequenc|settings|ratio|sit)",
            r"\bparallel compression\b|\bchord progressions?\b|\bmake a good (kick|snare|808|beat|melody)\b",
            r"\bmake (my |a |the )?(kick|snare|808|bass)( drum)? (punchier|hit|louder|good|better)\b",
            r"\bwhat is (sidechain|parallel|multiband|bus) compression\b",
            r"\b(vocal|mastering|mix) chain\b|\bgain stag|\bsample rate\b|\bbit depth\b|\bbuffer size\b",
            r"\bhow (do|to|can|should) (i |you |we )?"
            r"(flip|chop|resample|automate|tune|de ?ess|mix|master|eq|layer|pan) (a |my |the |this |some )?"
            r"(sample|samples|vocals?|kick|snare|drums|bass|808s?|track|beat|song|synths?)\b",
            r"\b(drum|hi hat|hihat) (pattern|patterns|rolls?)\b|\btype beat\b|\bbeat like\b",
            r"\btune (my|a|the|your) (guitar|bass|piano|drums|instrument|violin|ukulele)\b",
        ),
    ),
    Intent(
        "statistics",
        words=_words("statistics statistic stats percentage percent retire retirement"),
        patterns=_patterns(
            r"\bon average\b|\baverage (salary|age|income|pay|number|length|time|years?|producer)\b",
            r"\b(what|which) percent(age)?\b|\bsuccess rate\b|\bstatistics?\b|\bstats\b",
            r"\bhow many (producers|music producers|people) (are there|work|live)\b",
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
            r"\btinnitus\b|\bhearing (loss|damage)\b|\bears? (ringing|ring)\b",
            r"\bhow many hours (a|per) (week|day)\b|\b(channel|role|bot) (on|in|for) (this|the) server\b",
            r"\b(who is|whos|who s) better\b|\b(your|ur) (favou?rite|fav)\b|\beveryone listening to\b",
            r"\b(tell me|know) a joke\b|\bpizza\b|\bwifi\b|\bmy (cat|dog)\b",
            r"^(thanks|thank you|thx|ty|lol|lmao|haha|nice|cool|ok|okay|bye|gn|good night)( [a-z]+){0,3}$",
            r"\bhow are (you|u)\b|\bwhats your name\b|\bwho (made|built|created|coded) (you|u|this bot)\b",
            r"\bare (you|u) (chatgpt|gpt|an ai|ai)\b|\b(anyone|anybody) (wanna|want to) collab\b",
            r"\b(are you|r u|are u|r you) (a )?(real|human|a person|real person|bot|robot)\b",
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
            for words, key in key_words(filed, STOPWORDS).items():
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
