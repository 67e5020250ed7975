"""Text normalisation shared by the index and the queries.

Both sides go through the same pipeline, so whatever a member types ("wat r the daw skilz u need??") and
whatever an author wrote ("What DAW skills do you need?") meet as the same tokens. Pure functions, no I/O.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from bot.knowledge.needles import first_needles

# A question longer than this is cut before matching: nobody's real question needs more, and it bounds the
# work a 10,000-character paste can cause (characters).
MAX_QUERY_CHARS = 400

_WORD_RE = re.compile(r"[a-z0-9]+")
URL_RE = re.compile(
    r"\b(?:https?://|www\.)\S*", re.IGNORECASE
)  # links carry no question: dropped before anything else
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_REPEATS_RE = re.compile(r"(.)\1{2,}")  # "sooooo" -> "soo": three or more of a letter collapse to two

# Contractions are expanded before punctuation is dropped, so "what's" and "whats" both become "what is".
_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\bcan'?t\b", "can not"),
        (r"\bwon'?t\b", "will not"),
        (r"\b(\w+)n't\b", r"\1 not"),
        (r"\b(i)'m\b", r"\1 am"),
        (r"\b(\w+)'re\b", r"\1 are"),
        (r"\b(\w+)'ve\b", r"\1 have"),
        (r"\b(\w+)'ll\b", r"\1 will"),
        (r"\b(\w+)'d\b", r"\1 would"),
        (r"\b(what|that|it|there|who|where|how|he|she|here)'s\b", r"\1 is"),
        (r"\b(thanks|thank you|thank u|thanking you|thx|ty|tia)( so much| a lot)? in advance\b", "thanks"),
        (r"\bw/o\b", "without"),
        (r"\bw/(?=\s)", "with"),
        (r"'s\b", ""),  # possessive: "a producer's job" -> "a producer job"
    )
)


def _needed(pattern: re.Pattern[str]) -> str | None:
    """Return a substring the pattern cannot match without (needles.py), or None to always search."""
    condition = first_needles(pattern)
    return next(iter(condition)) if condition is not None and len(condition) == 1 else None


# Each rule with a substring it cannot match without: nearly every rule needs an apostrophe, so most
# messages skip most searches.
_CONTRACTION_RULES = tuple((pattern, repl, _needed(pattern)) for pattern, repl in _CONTRACTIONS)

# Chat spellings and apostrophe-less contractions, one token to one or more tokens.
CHAT_SPELLINGS: dict[str, str] = {
    "u": "you",
    "theyre": "they are",
    "any1": "anyone",
    "some1": "someone",
    "ya": "you",
    "yu": "you",
    "r": "are",
    "ur": "your",
    "urs": "yours",
    "y": "why",
    "2": "to",
    "4": "for",
    "b4": "before",
    "n": "and",
    "nd": "and",
    "w": "with",
    "wo": "without",
    "pls": "please",
    "plz": "please",
    "pleas": "please",
    "thx": "thanks",
    "ty": "thanks",
    "wat": "what",
    "wut": "what",
    "wot": "what",
    "wht": "what",
    "whats": "what is",
    "hw": "how",
    "hows": "how is",
    "whos": "who is",
    "wheres": "where is",
    "thats": "that is",
    "its": "it is",
    "im": "i am",
    "ive": "i have",
    "ill": "i will",
    "id": "i would",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "isnt": "is not",
    "arent": "are not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "havent": "have not",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "tryna": "trying to",
    "kinda": "kind of",
    "sorta": "sort of",
    "lemme": "let me",
    "gimme": "give me",
    "dunno": "do not know",
    "idk": "i do not know",
    "tbh": "",
    "ngl": "",
    "imo": "",
    "imho": "",
    "lol": "",
    "lmao": "",
    "pls2": "please",
    "rn": "right now",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "cos": "because",
    "coz": "because",
    "tho": "though",
    "thru": "through",
    "smth": "something",
    "sth": "something",
    "sb": "somebody",
    "ppl": "people",
    "prob": "probably",
    "probs": "probably",
    "diff": "different",
    "yr": "year",
    "yrs": "years",
    "gud": "good",
    "gd": "good",
    "b": "be",
    "shld": "should",
    "shud": "should",
    "wud": "would",
    "cud": "could",
    "jus": "just",
    "jst": "just",
    "wrth": "worth",
    "rly": "really",
    "rlly": "really",
    "kno": "know",
    "knw": "know",
    "wen": "when",
    "wit": "with",
    "dat": "that",
    "dis": "this",
    "da": "the",
    "tha": "the",
    "mayb": "maybe",
    "alot": "a lot",
    "prolly": "probably",
    "hav": "have",
    "hv": "have",
    "bout": "about",
    "yall": "you all",
    "aint": "is not",
    "evry": "every",
    "sumthin": "something",
    "nothin": "nothing",
    "iz": "is",
    "becuz": "because",
    "bcuz": "because",
    "bcoz": "because",
    "skillz": "skills",
    "skool": "school",
    "betr": "better",
    "bettr": "better",
    "ned": "need",
}

# Words that carry no topic: dropped before matching so "how do i ..." does not make every question alike.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above again all also always am an and any anything are around as at away be because been being
    below both but by can could did do does doing done down during each either else elses em ever every
    everything few for from further get gets getting got had has have having he her here hers him his how
    however i if in into is it its itself just let lets like me might mine more most much must my myself
    need needs needed no nor not now of off on once only or other others ought our ours out over pretty
    probably quite rather really right shall she should so some something somebody such than thank
    thanks that the their theirs them then there these they thing things this those though through thru to
    too under until up upon us very want wants wanted wanna was way we were what whats when where whether
    which while who whom whose why will with within would yeah yes yet you your yours yourself yourselves
    hey hi hello yo ok okay tell explain know knows kind sort guys guy anyone someone anybody bro dude fam
    pls even still actually actual basically literally honestly seriously totally exactly usually generally
    mean means going go goes gonna one ones stuff im ive id dont doesnt cant whats thats bout em ya lot lots
    bit little big great quick quickly super top real realy point end ends seem seems seemed maybe perhaps
    sure think thinking thought feel feels felt say said says lol lmao haha omg tho though kinda sorta
    already almost enough else besides instead anyway anyways just like yet ago new many several
    question questions ask asking wondering curious help advice tips tip guide
    please fix fixed fixing make makes made making put puts
    matter matters mattered important importance gotta gonna dunno
    idk ngl tbh fr lowkey highkey u r ur
    never since last couple context everyone everybody two three four five six seven eight nine ten twenty
    nah nope yep yup wat wats da q qs random shoutout dumb stupid silly lurking lurker lurked sorry apologies
    btw imo imho tbf rn atm ikr smh fyi lmk plz thx ty cheers appreciate appreciated hope hoping heya hiya
    sup wassup gm gn folks yall um umm uh uhh erm hmm between
    """.split()
)

# Suffixes stripped by the light stemmer, longest first, so "producing", "producer" and "production" meet.
_SUFFIXES: tuple[str, ...] = (
    "ational",
    "ization",
    "ivity",
    "fulness",
    "ousness",
    "iveness",
    "ations",
    "ments",
    "tions",
    "ation",
    "ships",
    "tion",
    "ness",
    "ment",
    "ship",
    "ity",
    "ings",
    "ions",
    "ants",
    "ers",
    "ing",
    "ion",
    "ant",
    "ies",
    "ful",
    "ive",
    "ous",
    "ly",
    "ed",
    "er",
    "es",
    "al",
    "s",
    "e",
    "y",
)
_MIN_STEM = 3  # never cut a word below three letters: "mix", "ear" and "daw" must survive
# Four-letter words may lose only a plural "s" ("mics" ~ "mic"); "care" must not become "car".
_SHORT_WORD_SUFFIXES = ("s",)
# A three-letter base left by "-ing", "-ed" or "-er" that ends consonant-vowel-consonant gets its silent "e"
# back, so "giving"/"give", "making"/"make" and "hired"/"hire" meet ("mixing" -> "mix": x, w, y are exempt).
_SILENT_E_RE = re.compile(r"^[^aeiou][aeiou][^aeiouwxy]$")
# Words the suffix rules would fold onto an unrelated word: "career" is not "care", "hearing" (as in a hearing
# problem) is not "ear", "expectations" are not "expect" (what to expect).
_STEM_EXCEPTIONS: dict[str, str] = {
    "career": "career",
    "careers": "career",
    "hearing": "hearing",
    "expectation": "expectation",
    "expectations": "expectation",
    # "early" is not "ear" + "ly": "hit walls early on" must not match ear training.
    "early": "earli",
}
# A final "s" after these is part of the word, not a plural: "process", "focus", "basis".
_NOT_PLURAL_ENDINGS = ("ss", "us", "is")


def clean(text: str) -> str:
    """Return text made safe to process: valid Unicode, no control characters, bounded length."""
    if not isinstance(text, str):
        text = str(text)
    text = text[: MAX_QUERY_CHARS * 2]
    if text.isascii() and text.isprintable():  # nearly every question: skip the per-character pass
        return text[:MAX_QUERY_CHARS]
    # Lone surrogates cannot be encoded; replace them rather than let any later step raise.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:MAX_QUERY_CHARS]


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes ("Café’s" -> "cafe's")."""
    if text.isascii():  # no accents or curly apostrophes to fold
        return text.casefold()
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold()


# Texts whose words are kept (least recently used go first): building an index reads each phrasing and
# answer several times.
WORDS_CACHE_SIZE = 16_384


def words(text: str) -> list[str]:
    """Split folded text into words after expanding contractions and chat spellings."""
    return list(_words(text if isinstance(text, str) else str(text)))


@functools.lru_cache(maxsize=WORDS_CACHE_SIZE)
def _words(text: str) -> tuple[str, ...]:
    """Return words(text) as a tuple (cached: building an index splits the same texts over and over)."""
    text = fold(clean(text))
    if "http" in text or "www." in text:  # folded text is lower-case: no URL without one of these
        text = URL_RE.sub(" ", text)
    for pattern, repl, needed in _CONTRACTION_RULES:
        if needed is None or needed in text:
            text = pattern.sub(repl, text)
    text = text.replace("'", "")
    text = _REPEATS_RE.sub(r"\1\1", text)
    out: list[str] = []
    for word in _WORD_RE.findall(text):
        expanded = CHAT_SPELLINGS.get(word)
        if expanded is None:
            out.append(word)
        elif expanded:
            out.extend(expanded.split())
    return tuple(out)


def clear_words_cache() -> None:
    """Forget cached word splits (benchmarks time cold searches)."""
    _words.cache_clear()


def content_words(text: str) -> list[str]:
    """Return the words of text that can carry a topic (stopwords and plain numbers dropped).

    Numbers are ages, years and counts ("im 17", "5 yrs"): they never name a topic the article covers.
    """
    return topic_words(words(text))


def document_words(text: str) -> list[str]:
    """Return content_words of a text of any length (answers, article sections) for indexing.

    A member's message is cut at MAX_QUERY_CHARS; a document is read in chunks of at most that size, cut at
    spaces, so every word of a long answer or section is indexed, not only its first 400 characters.
    """
    out: list[str] = []
    chunk: list[str] = []
    size = 0
    for token in text.split():
        if chunk and size + len(token) + 1 > MAX_QUERY_CHARS:
            out += content_words(" ".join(chunk))
            chunk, size = [], 0
        chunk.append(token)
        size += len(token) + 1
    if chunk:
        out += content_words(" ".join(chunk))
    return out


def topic_words(all_words: list[str]) -> list[str]:
    """Return the words of a words() list that can carry a topic (see content_words)."""
    return [w for w in all_words if w not in STOPWORDS and not w.isdigit()]


@functools.lru_cache(maxsize=65_536)  # bounded: the same few thousand words recur in every question
def stem(word: str) -> str:
    """Reduce a word to a crude stem so inflections compare equal ("engineering" ~ "engineer")."""
    exception = _STEM_EXCEPTIONS.get(word)
    if exception is not None:
        return exception
    if len(word) == _MIN_STEM + 1:
        # A four-letter word only loses a plural "s", and only once.
        if word.endswith(_SHORT_WORD_SUFFIXES) and not word.endswith(_NOT_PLURAL_ENDINGS):
            return word[:-1]
        return word
    for _ in range(4):  # to a fixed point: "engineering" -> "engineer" -> "engine" -> "engin"
        shorter = _strip_suffix(word)
        if shorter == word:
            break
        word = shorter
    return word


def _strip_suffix(word: str) -> str:
    """Strip one common English suffix; repeated, this makes a stem."""
    if len(word) <= _MIN_STEM + 1 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if suffix == "s" and word.endswith(_NOT_PLURAL_ENDINGS):
            continue
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            base = word[: -len(suffix)]
            # "mixing" -> "mix", but "running" -> "run": undo a doubled final consonant.
            if suffix in ("ing", "ed", "er", "ers"):
                if len(base) > _MIN_STEM and base[-1] == base[-2]:
                    base = base[:-1]
                elif _SILENT_E_RE.match(base):
                    base += "e"
            return base
    return word
