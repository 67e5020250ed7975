"""Stage rules: the ladder, parsing a stage, and scoring the quiz to an explainable suggestion."""

from __future__ import annotations

from functools import cache

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.stage_guides import load_stage_content
from bot.stages import (
    LADDER,
    QuizAnswer,
    QuizQuestion,
    Stage,
    next_stage,
    parse_stage,
    previous_stage,
    score_quiz,
    stage_index,
)

E, L, IN, A, P = Stage.EXPLORING, Stage.LEARNING, Stage.INTERN, Stage.ASSISTANT_PRODUCER, Stage.PRODUCER

QUIZ = (
    QuizQuestion(
        "now",
        "Where are you?",
        (
            QuizAnswer("new", "Just curious", (E,)),
            QuizAnswer("study", "Studying", (L,)),
            QuizAnswer("pro", "Producing", (P,)),
        ),
    ),
    QuizQuestion(
        "studio",
        "Studio work?",
        (
            QuizAnswer("no", "Not yet", (E, L)),
            QuizAnswer("help", "Helping out", (IN,)),
            QuizAnswer("lead", "Leading", (P,)),
        ),
    ),
    QuizQuestion(
        "ideas",
        "Do you pitch ideas?",
        (QuizAnswer("no", "No", (E, L, IN)), QuizAnswer("yes", "Yes, to a senior producer", (A,))),
    ),
)


@cache
def shipped_quiz() -> tuple[QuizQuestion, ...]:
    """The shipped quiz, loaded once against the shipped knowledge base."""
    return load_stage_content(None, set(load_knowledge().by_id)).quiz


def test_ladder_order_and_neighbours() -> None:
    """The ladder runs exploring → producer; next/previous stop at the ends."""
    assert LADDER == (E, L, IN, A, P)
    assert [stage_index(s) for s in LADDER] == [0, 1, 2, 3, 4]
    assert next_stage(IN) == A and next_stage(P) is None
    assert previous_stage(L) == E and previous_stage(E) is None


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("intern", IN),
        ("Assistant producer", A),
        ("assistant_producer", A),
        (" PRODUCER ", P),
        ("assistant - producer", A),
    ],
)
def test_parse_stage_spellings(text: str, stage: Stage) -> None:
    """Members' and authors' spellings of a stage read as the stage."""
    assert parse_stage(text) == stage


def test_parse_stage_unknown_lists_the_stages() -> None:
    """An unknown stage names itself and every valid one."""
    with pytest.raises(ValueError, match=r"unknown stage 'rockstar'.*exploring, learning, intern"):
        parse_stage("rockstar")


def test_stage_label() -> None:
    """Labels read naturally in selects."""
    assert A.label == "Assistant producer" and E.label == "Exploring"


def test_quiz_majority_wins_and_explains() -> None:
    """Two answers pointing at producer beat one elsewhere; the explanation quotes those answers."""
    result = score_quiz(QUIZ, {"now": "pro", "studio": "lead", "ideas": "no"})
    assert result.stage == P
    assert result.because == ("Producing", "Leading")
    assert result.explain() == 'You said "Producing", "Leading" → Producer'
    assert dict(result.scores) == {E: 1, L: 1, IN: 1, A: 0, P: 2}


def test_quiz_tie_goes_to_the_earlier_stage() -> None:
    """Equal points for learning and exploring suggest exploring (check the foundations first)."""
    result = score_quiz(QUIZ, {"studio": "no"})
    assert result.stage == E
    assert result.because == ("Not yet",)


def test_quiz_shared_answers_accumulate() -> None:
    """An answer nudging several stages adds to each: studying + not yet + no ideas → learning."""
    assert score_quiz(QUIZ, {"now": "study", "studio": "no", "ideas": "no"}).stage == L


def test_quiz_no_answers_suggests_exploring() -> None:
    """With nothing answered, the suggestion is the first step and says so."""
    result = score_quiz(QUIZ, {})
    assert result.stage == E and result.because == ()
    assert "didn't answer" in result.explain()


def test_quiz_unknown_ids_raise() -> None:
    """Unknown question or answer ids are refused, not ignored."""
    with pytest.raises(ValueError, match="unknown quiz question 'nope'"):
        score_quiz(QUIZ, {"nope": "x"})
    with pytest.raises(ValueError, match="question 'now' has no answer 'x'"):
        score_quiz(QUIZ, {"now": "x"})


@pytest.mark.parametrize(
    ("answers", "stage"),
    [
        (
            {
                "where-now": "deciding",
                "studio-work": "not-yet",
                "technical": "not-started",
                "portfolio": "none",
                "decisions": "no-projects",
            },
            E,
        ),
        (
            {
                "where-now": "studying",
                "studio-work": "not-yet",
                "technical": "learning",
                "portfolio": "some",
                "decisions": "no-projects",
            },
            L,
        ),
        (
            {
                "where-now": "in-a-studio",
                "studio-work": "helping",
                "technical": "learning",
                "portfolio": "some",
                "decisions": "someone-else",
            },
            IN,
        ),
        (
            {
                "where-now": "in-a-studio",
                "studio-work": "contributing",
                "technical": "solid",
                "portfolio": "body-of-work",
                "decisions": "shared",
            },
            A,
        ),
        (
            {
                "where-now": "producing",
                "studio-work": "running",
                "technical": "solid",
                "portfolio": "body-of-work",
                "decisions": "me",
            },
            P,
        ),
    ],
)
def test_shipped_quiz_reaches_every_stage(answers: dict[str, str], stage: Stage) -> None:
    """A member typical of each stage is placed on it by the shipped quiz."""
    assert score_quiz(shipped_quiz(), answers).stage == stage
