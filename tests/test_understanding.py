"""Reading a message like a person: backstory, implied topics, doubts, slang and typos (issue 10).

Each table is one kind of message members really send; none of these questions is in a blind set.
"""

from __future__ import annotations

import pytest

from bot.knowledge import SearchIndex, load_knowledge
from bot.knowledge.question import asked_part
from bot.knowledge.search import BACKSTORY_WEIGHT, OUT_OF_SCOPE_MARK


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """Return one index over the shipped knowledge base for the whole module."""
    return SearchIndex(load_knowledge())


def answered_from(index: SearchIndex, question: str) -> str | None:
    """Return the section the engine answers from, or None when it declines or only suggests."""
    result = index.search(question)
    return result.best.entry.section if result.answered and result.best else None


BACKSTORY = [
    (
        "so i dropped out of college last spring and ive been making beats every night since, "
        "what skills should i actually be working on",
        {"skills-and-qualities", "technical-proficiency", "musical-talent"},
    ),
    (
        "bit of context: 22, work in a supermarket, been producing for my mates for a couple of years. "
        "how do people go from that to working in a real studio?",
        {"career-path", "starting-as-an-intern", "hands-on-training"},
    ),
    (
        "my band broke up and now its just me with a laptop making songs, can i still call myself a "
        "producer if i only do my own music",
        {"introduction"},
    ),
]

IMPLIED = [
    ("the bass and kick turn into one big blur in my tracks, what should i study", {"sound-engineering"}),
    ("every beat i start ends up sounding like the last one", {"creativity"}),
    ("i can never tell if my mix is too bright or too dark", {"musical-talent", "sound-engineering"}),
    ("the rapper i work with never likes my suggestions and it kills the vibe", {"collaboration"}),
]

FEELINGS = [
    ("five years in and i'm still not getting anywhere, should i just quit", {"conclusion"}),
    ("how do you stay driven when nobody cares about your beats", {"conclusion"}),
    ("i'm scared im too shy to ever run a session with an artist", {"collaboration"}),
    ("is wanting to be a producer a realistic dream or am i kidding myself", {"conclusion", "introduction"}),
    # "old" carries the question (age), so it is not a stopword: without it this reads as "become producer".
    ("am i too old to become a producer", {"conclusion", "introduction"}),
]

SLANG = [
    ("wat skillz do producers need", {"skills-and-qualities"}),
    ("do i rly need uni 2 be a producer", {"formal-education"}),
    ("hw do i get an internshp at a studoi", {"starting-as-an-intern"}),
    ("r online courses wrth it", {"continuous-learning"}),
    ("how 2 get better at mixin", {"technical-proficiency", "sound-engineering"}),
    # Chat filler ("nah", "sorry", "dumb q", "lurker") carries no topic: it must not weigh like a rare word.
    ("sorry if this is a dumb q but do u need to go to uni to be a producer or nah", {"formal-education"}),
]


@pytest.mark.parametrize(("question", "sections"), BACKSTORY)
def test_question_inside_backstory_is_answered(index: SearchIndex, question: str, sections: set[str]) -> None:
    """A question that comes after personal context is answered from a right section."""
    assert answered_from(index, question) in sections


@pytest.mark.parametrize(("question", "sections"), IMPLIED)
def test_implied_topic_is_answered(index: SearchIndex, question: str, sections: set[str]) -> None:
    """A symptom in everyday words ("a blur", "sounds like the last one") reaches the article's concept."""
    assert answered_from(index, question) in sections


@pytest.mark.parametrize(("question", "sections"), FEELINGS)
def test_doubts_and_feelings_are_answered(index: SearchIndex, question: str, sections: set[str]) -> None:
    """Doubt, discouragement and shyness are questions a mentor answers."""
    assert answered_from(index, question) in sections


@pytest.mark.parametrize(("question", "sections"), SLANG)
def test_slang_and_typos_are_answered(index: SearchIndex, question: str, sections: set[str]) -> None:
    """Chat spellings and slips on short messages are read as the words they stand for."""
    assert answered_from(index, question) in sections


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        (
            "i quit my job last year. should i look for a studio internship?",
            "should i look for a studio internship?",
        ),
        ("been at it for years, is that normal", "is that normal"),
        ("how do i get an internship", None),  # one clause: nothing to set apart
        ("i make beats every night and love it", None),  # no question at all
        ("is uni worth it? my parents say so", "is uni worth it?"),
        # A lead-in before a colon is context, not the question.
        ("for my careers class: why do producers need creativity?", "why do producers need creativity?"),
    ],
)
def test_asked_part_separates_question_from_backstory(message: str, asked: str | None) -> None:
    """The asked clause is found after, before or inside the backstory."""
    found = asked_part(message)
    assert (found.strip() if found else None) == asked


def test_backstory_weighs_less_than_the_question(index: SearchIndex) -> None:
    """With a specific question clause, backstory words count less than the asked words."""
    factors = index._analyse(
        "my mixes sound muddy and i feel lost. how do i get a studio internship?"
    ).factors
    internship, muddy = index.vocabulary.stems(["internship", "muddy"])
    assert factors[internship] == 1.0
    assert factors[muddy] < 1.0


def test_out_of_scope_words_weigh_less_only_in_the_backstory(index: SearchIndex) -> None:
    """Money in the backstory ("rent is due") colours the question like any backstory word; asked, it counts."""
    told = index._analyse(
        "money is tight and the rent is due. how do people get a studio internship?"
    ).factors
    assert told[OUT_OF_SCOPE_MARK + "rent"] == BACKSTORY_WEIGHT
    asked = index._analyse(
        "i finally got a studio internship. do studio interns get a salary or is it unpaid?"
    ).factors
    assert asked[OUT_OF_SCOPE_MARK + "salary"] == 1.0
    assert asked[OUT_OF_SCOPE_MARK + "unpaid"] == 1.0


def test_dropped_g_on_a_stopword_is_not_corrected_into_a_topic(index: SearchIndex) -> None:
    """ "makin" is "making" (no topic), never the nearest topic word ("masking", "miking")."""
    assert index.analyse("i keep makin the same kinda beat over n over") == index.analyse(
        "i keep making the same kinda beat over and over"
    )


@pytest.mark.parametrize(
    "sign_off", ["ty in advance", "thanking you in advance", "thanks so much in advance"]
)
def test_thanks_in_advance_is_not_about_advancing(index: SearchIndex, sign_off: str) -> None:
    """ "ty in advance" is a sign-off: it must not read as advancing (promotion) in a skills question."""
    assert index.analyse(f"what skills do u need to be a producer? {sign_off}") == index.analyse(
        "what skills do u need to be a producer?"
    )
