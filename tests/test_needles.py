"""Necessary substrings of regular expressions: a pattern never matches a text that lacks them."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge.needles import first_needles, needles
from bot.knowledge.scope import INTENTS, check_scope
from bot.knowledge.text import _CONTRACTIONS, words

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


@pytest.mark.parametrize(
    "question",
    [
        "how much do producers make",
        "which daw should i use",
        "fl studio or ableton for trap",
        "good morning everyone",
        "whats the best mic under 100",
        "what bpm is house",
        "do i need a degree to be a producer",
        "who is the best producer of all time",
    ],
)
def test_check_scope_matches_a_plain_search_of_every_pattern(question: str) -> None:
    """Skipping patterns by their needles finds the same intent as searching them all in order."""
    wording = words(question)
    joined = " ".join(wording)
    present = set(wording)
    expected = None
    for intent in INTENTS:
        together = intent.together
        if (together and present & together[0] and present & together[1]) or any(
            p.search(joined) for p in intent.patterns
        ):
            expected = intent.name
            break
    assert check_scope(wording).intent == expected
