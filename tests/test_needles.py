"""Necessary substrings of regular expressions: a pattern never matches a text that lacks them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge.evaluation import read_labelled
from bot.knowledge.needles import cheapest, first_needles, key_words, leading, needles, word_conditions
from bot.knowledge.scope import INTENTS, check_scope
from bot.knowledge.text import _CONTRACTIONS, STOPWORDS, words

DATA = Path(__file__).parent / "data"
SHIPPED = [p for intent in INTENTS for p in intent.patterns] + [p for p, _ in _CONTRACTIONS]

KNOWN = [
    (r"\bhow much\b", [{"how much"}]),
    (r"\b(get|getting) signed\b", [{" signed"}, {"get"}]),
    (r"^(good )?(morning|evening)$", [{"morning", "evening"}]),
    (r"a+b", [{"b"}, {"a"}]),
    (r"x(?:cat|dog)s?", [{"cat", "dog"}, {"x"}]),
    (r"(?i:how) much", [{" much"}]),  # the case-insensitive part adds nothing
]
NOTHING_KNOWN = [r"(?i)how much", r"[a-z]+", r"a?b*", r"(a|\w)", r"(?!no)\w+", r"(.)\1"]


@pytest.mark.parametrize(("source", "expected"), KNOWN)
def test_conditions_of_simple_patterns(source: str, expected: list[set[str]]) -> None:
    """Literal runs, alternations and repeated bodies give conditions, most selective first."""
    assert [set(c) for c in needles(re.compile(source))] == expected


@pytest.mark.parametrize("source", NOTHING_KNOWN)
def test_case_insensitive_or_optional_parts_give_no_condition(source: str) -> None:
    """Whatever could match without a fixed substring (or ignores case) is always searched."""
    assert first_needles(re.compile(source)) is None


@pytest.mark.parametrize("pattern", SHIPPED, ids=lambda p: p.pattern[:40])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_match_holds_every_condition(pattern: re.Pattern[str], data: st.DataObject) -> None:
    """Any text a shipped pattern matches contains a substring of each of its conditions."""
    text = data.draw(st.from_regex(pattern))
    assert pattern.search(text)
    for condition in needles(pattern):
        assert any(n in text for n in condition), (text, condition)


WORD_CONDITIONS = [
    (r"\bhow much\b", [{frozenset({"how", "much"})}], {"much"}),  # "how" is a stopword: "much" is the key
    (r"\b(which|what) key\b", [{frozenset({"which", "key"}), frozenset({"what", "key"})}], {"key"}),
    (r"\brates?\b", [{frozenset({"rate"}), frozenset({"rates"})}], {"rate", "rates"}),
    (
        r"\bbecome (a |an )?teacher\b",
        [
            {
                frozenset({"become", "teacher"}),
                frozenset({"become", "a", "teacher"}),
                frozenset({"become", "an", "teacher"}),
            }
        ],
        {"teacher"},
    ),
    (
        r"^(good )?(morning|evening)$",
        [
            {
                frozenset({"morning"}),
                frozenset({"evening"}),
                frozenset({"good", "morning"}),
                frozenset({"good", "evening"}),
            }
        ],
        {"morning", "evening"},
    ),
    # The parser factors out the shared "\bwh": read as it stands ("wh" then the rest) and with the letters
    # moved into the alternatives ("what key is" or "which bpm"), both necessary.
    (
        r"\bwhat key is\b|\bwhich bpm\b",
        [
            {frozenset({"what", "key"}), frozenset({"which"})},
            {frozenset({"what", "key", "is"}), frozenset({"which", "bpm"})},
        ],
        {"key", "bpm"},
    ),
]
NO_WORD_CONDITIONS = [
    r"soundproof",
    r"how much",
    r"\bsound",
    r"proof\b",
    r"\b[a-z]+\b",
    r"(?i)\bhow\b",
    r"\ba?\b",
]


@pytest.mark.parametrize(("source", "conditions", "keys"), WORD_CONDITIONS)
def test_word_conditions_of_simple_patterns(
    source: str, conditions: list[set[frozenset[str]]], keys: set[str]
) -> None:
    """A word counts only where word boundaries are certain on both sides; keys are the least common words."""
    found = word_conditions(re.compile(source))
    assert [set(c) for c in found] == conditions
    assert set(key_words(cheapest(found, STOPWORDS), STOPWORDS).values()) == keys


@pytest.mark.parametrize("source", NO_WORD_CONDITIONS)
def test_no_word_conditions_without_certain_boundaries(source: str) -> None:
    """A fragment that may be part of a longer word, or a case-insensitive pattern, gives no condition."""
    assert word_conditions(re.compile(source)) == ()


CONDITIONED = [(p, c) for intent in INTENTS for p in intent.patterns if (c := word_conditions(p))]


@pytest.mark.parametrize(("pattern", "conditions"), CONDITIONED, ids=[p.pattern[:40] for p, _ in CONDITIONED])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_matched_wording_meets_every_word_condition(
    pattern: re.Pattern[str], conditions: tuple[frozenset[frozenset[str]], ...], data: st.DataObject
) -> None:
    """Any question wording (text.words, joined) a shipped pattern matches holds all words of an alternative."""
    wording = " ".join(words(data.draw(st.from_regex(pattern))))
    if pattern.search(wording):  # normalising may undo the match ("u" becomes "you")
        held = set(wording.split(" "))
        for condition in conditions:
            assert any(alternative <= held for alternative in condition), (wording, condition)


def reference_intent(wording: list[str]) -> str | None:
    """Return the intent check_scope must find: every intent in order, every pattern searched."""
    joined = " ".join(wording)
    present = set(wording)
    for intent in INTENTS:
        together = intent.together
        if (together and present & together[0] and present & together[1]) or any(
            p.search(joined) for p in intent.patterns
        ):
            return intent.name
    return None


LABELLED = [item.question for path in sorted(DATA.glob("*.tsv")) for item in read_labelled(path)]
EXTRA = [
    "how much do producers make",
    "which daw should i use",
    "fl studio or ableton for trap",
    "good morning everyone",
    "whats the best mic under 100",
    "what bpm is house",
    "who is the best producer of all time",
    "HOW MUCH do u charge per beat???",
    "",
]


def test_check_scope_matches_searching_every_pattern() -> None:
    """Skipping patterns by their word keys and needles finds the same intent as searching them all."""
    for question in LABELLED + EXTRA:
        wording = words(question)
        assert check_scope(wording).intent == reference_intent(wording), question


@pytest.mark.parametrize("wording", [["How", "much"], ["how much"], ["rate", "", "charge"], ["what's", "up"]])
def test_check_scope_on_words_not_from_text_words(wording: list[str]) -> None:
    """Words that text.words would not give (capitals, spaces, empty) are searched the slow way: same answer."""
    assert check_scope(wording).intent == reference_intent(wording)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"^(?:hi|hey)( all)?", ("hey", "hi")),  # "hi all" starts with "hi": the shortest suffice
        (r"^foo\b", ("foo",)),
        (r"^(a|)b", ("ab", "b")),
        (r"^(?=.*\bvs\b).*", None),  # a lookahead first: the text may start with anything
        (r" (?:foo)", None),  # not anchored
        (r"^(a)?", None),  # may match nothing at all
    ],
)
def test_leading_strings_of_anchored_patterns(source: str, expected: tuple[str, ...] | None) -> None:
    """An anchored pattern's text starts with one of the strings its first known part spells."""
    assert leading(re.compile(source)) == expected


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"^(?:(what is |whats )?(good|up|good morning|gm|sup)( (everyone|all|guys))?$)"))
def test_every_match_of_an_anchored_pattern_starts_with_a_leading_string(text: str) -> None:
    """No text the pattern matches starts otherwise."""
    assert text.startswith(
        leading(re.compile(r"^(?:(what is |whats )?(good|up|good morning|gm|sup)( (everyone|all|guys))?$)"))
        or ()
    )
