"""Career stages from the article, in ladder order, and the quiz that suggests one (no Discord here).

The article's path runs from considering the career, through education and training, to intern, assistant
producer and producer. The quiz content lives in knowledge/stages.toml (loaded by
bot.knowledge.stage_guides); this module holds its types and the scoring, so both stay testable without files.
This module must not import bot.knowledge.loader: the loader imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """A member's career stage, in the order the article's career path walks them."""

    EXPLORING = "exploring"
    LEARNING = "learning"
    INTERN = "intern"
    ASSISTANT_PRODUCER = "assistant-producer"
    PRODUCER = "producer"

    @property
    def label(self) -> str:
        """Return a short human label ("Assistant producer") for selects and embeds."""
        return self.value.replace("-", " ").capitalize()


STAGE_VALUES: frozenset[str] = frozenset(s.value for s in Stage)
LADDER: tuple[Stage, ...] = tuple(Stage)  # StrEnum keeps definition order: the ladder order

# Quiz shape: short enough to answer in one go, buttons small enough for Discord (labels <= 80 chars).
QUIZ_MIN_QUESTIONS = 3
QUIZ_MAX_QUESTIONS = 5
QUIZ_MIN_ANSWERS = 2
QUIZ_MAX_ANSWERS = 4
QUIZ_LABEL_MAX = 80  # Discord caps button labels at 80 characters
QUIZ_QUESTION_MAX = 200


def stage_index(stage: Stage) -> int:
    """Return the stage's position on the ladder (exploring is 0)."""
    return LADDER.index(stage)


def next_stage(stage: Stage) -> Stage | None:
    """Return the next step up the ladder, or None at the top (producer)."""
    i = stage_index(stage)
    return LADDER[i + 1] if i + 1 < len(LADDER) else None


def previous_stage(stage: Stage) -> Stage | None:
    """Return the step below, or None at the bottom (exploring)."""
    i = stage_index(stage)
    return LADDER[i - 1] if i > 0 else None


def parse_stage(text: str) -> Stage:
    """Read a stage from a member's or an author's spelling ("Assistant producer", "assistant_producer")."""
    cleaned = "-".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
    try:
        return Stage(cleaned)
    except ValueError:
        names = ", ".join(s.value for s in LADDER)
        raise ValueError(f"unknown stage '{text.strip()}': use one of {names}") from None


@dataclass(frozen=True, slots=True)
class QuizAnswer:
    """One answer to a quiz question and the stages it nudges toward."""

    id: str
    label: str
    stages: tuple[Stage, ...]


@dataclass(frozen=True, slots=True)
class QuizQuestion:
    """One quiz question with its 2-4 answers."""

    id: str
    text: str
    answers: tuple[QuizAnswer, ...]

    def answer(self, answer_id: str) -> QuizAnswer:
        """Return the answer with this id; ValueError if there is none."""
        for answer in self.answers:
            if answer.id == answer_id:
                return answer
        raise ValueError(f"question '{self.id}' has no answer '{answer_id}'")


@dataclass(frozen=True, slots=True)
class QuizResult:
    """The suggested stage, every stage's score, and the answers that pointed to it."""

    stage: Stage
    scores: tuple[tuple[Stage, int], ...]  # ladder order
    because: tuple[str, ...]  # labels of the chosen answers that nudged toward `stage`

    def explain(self) -> str:
        """Say why, in one line: `You said "X", "Y" → Intern`."""
        if not self.because:
            return f"You didn't answer any questions yet, so we start at the beginning → {self.stage.label}"
        said = ", ".join(f'"{label}"' for label in self.because)
        return f"You said {said} → {self.stage.label}"


def score_quiz(questions: Sequence[QuizQuestion], answers: Mapping[str, str]) -> QuizResult:
    """Score answers (question id -> answer id) to a suggested stage.

    Each chosen answer adds one point to every stage it lists; the most points wins. A tie goes to the earlier
    step: it's better to check the foundations than to skip them. Unanswered questions count for nothing,
    so no answers at all suggests exploring. Unknown question or answer ids raise ValueError.
    """
    by_id = {q.id: q for q in questions}
    for question_id in answers:
        if question_id not in by_id:
            raise ValueError(f"unknown quiz question '{question_id}'")
    points = dict.fromkeys(LADDER, 0)
    chosen: list[QuizAnswer] = []
    for question in questions:  # question order, so the explanation reads in the order asked
        if question.id in answers:
            answer = question.answer(answers[question.id])
            chosen.append(answer)
            for stage in answer.stages:
                points[stage] += 1
    best = max(LADDER, key=lambda s: (points[s], -stage_index(s)))
    because = tuple(a.label for a in chosen if best in a.stages)
    return QuizResult(stage=best, scores=tuple(points.items()), because=because)
