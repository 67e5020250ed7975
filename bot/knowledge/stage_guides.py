"""Load knowledge/stages.toml: one guide per career stage and the "where am I?" quiz, validated.

Like the entry loader, it reports every problem at once, located by file, stage (or quiz question) id and
key, so `studio-mentor kb check` shows an author the whole list in one run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.knowledge.loader import (
    MAX_TITLE_CHARS,
    KnowledgeError,
    Problem,
    _read_toml,
    bundled_knowledge_dir,
    load_knowledge,
)
from bot.stages import (
    LADDER,
    QUIZ_LABEL_MAX,
    QUIZ_MAX_ANSWERS,
    QUIZ_MAX_QUESTIONS,
    QUIZ_MIN_ANSWERS,
    QUIZ_MIN_QUESTIONS,
    QUIZ_QUESTION_MAX,
    STAGE_VALUES,
    QuizAnswer,
    QuizQuestion,
    Stage,
)

STAGES_FILE = "stages.toml"
MIN_CHECKLIST = 3
MAX_CHECKLIST = 6
MAX_LINE_CHARS = 300  # a focus point, sign or milestone is one readable line in an embed field (<= 1,024)
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_STAGE_KEYS = frozenset({"id", "title", "summary", "focus", "ready_when", "checklist", "entries"})
_QUIZ_KEYS = frozenset({"id", "question", "answers"})

Bad = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class ItemProblem(Problem):
    """A problem in curated data that names its item by kind: "stage 'intern'", "prompt 'ear-1'"."""

    kind: str = "item"

    def __str__(self) -> str:
        where = [self.file]
        if self.entry:
            where.append(f"{self.kind} '{self.entry}'")
        if self.key:
            where.append(f"key '{self.key}'")
        return f"{': '.join(where)}: {self.message}"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One milestone on a stage's checklist; its id is what member progress is stored under."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class StageGuide:
    """What a member at one career stage should focus on, how they know they're ready, and what to read."""

    stage: Stage
    title: str
    summary: str
    focus: tuple[str, ...]
    ready_when: tuple[str, ...]  # empty for the last stage: there is no next step
    checklist: tuple[ChecklistItem, ...]
    entries: tuple[str, ...]  # knowledge-base entry ids, most useful first


@dataclass(frozen=True, slots=True)
class StageContent:
    """Everything in stages.toml: the guides in ladder order and the quiz questions in order."""

    guides: tuple[StageGuide, ...]
    quiz: tuple[QuizQuestion, ...]

    def guide(self, stage: Stage) -> StageGuide:
        """Return the guide for one stage (every stage has one once loaded)."""
        return next(g for g in self.guides if g.stage == stage)


def load_stage_content(
    folder: Path | None = None, known_entries: Collection[str] | None = None
) -> StageContent:
    """Load and validate stages.toml; raise KnowledgeError listing every problem.

    `known_entries` are the entry ids guides may point at; by default the folder's knowledge base is loaded.
    """
    folder = folder or bundled_knowledge_dir()
    if known_entries is None:
        known_entries = set(load_knowledge(folder).by_id)
    problems: list[Problem] = []
    path = folder / STAGES_FILE
    if not path.is_file():
        raise KnowledgeError([Problem(STAGES_FILE, "missing: it holds the stage guides and the quiz")])
    data = _read_toml(path, problems)
    if data is None:
        raise KnowledgeError(problems)
    for key in data:
        if key not in ("stage", "quiz"):
            problems.append(Problem(STAGES_FILE, "unknown key", key=key))
    guides = _guides(data.get("stage"), set(known_entries), problems)
    quiz = _quiz(data.get("quiz"), problems)
    if problems:
        raise KnowledgeError(problems)
    return StageContent(guides=guides, quiz=quiz)


def load_stage_guides(
    folder: Path | None = None, known_entries: Collection[str] | None = None
) -> tuple[StageGuide, ...]:
    """Return the validated stage guides in ladder order (see load_stage_content)."""
    return load_stage_content(folder, known_entries).guides


def _text(raw: dict[str, Any], key: str, bad: Bad, limit: int) -> str:
    """Return a required one-line string, recording a problem if missing or too long."""
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        bad(key, "missing or empty")
        return ""
    if len(value.strip()) > limit:
        bad(key, f"{len(value.strip())} characters, the limit is {limit}")
    return value.strip()


def _lines(raw: dict[str, Any], key: str, bad: Bad, *, allow_empty: bool = False) -> tuple[str, ...]:
    """Return a list of non-empty strings, recording problems."""
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        bad(key, "missing, or not a list of non-empty strings")
        return ()
    if not value and not allow_empty:
        bad(key, "missing or empty")
    for item in value:
        if len(item.strip()) > MAX_LINE_CHARS:
            bad(
                key,
                f"'{item.strip()[:40]}…' is {len(item.strip())} characters, the limit is {MAX_LINE_CHARS}",
            )
    return tuple(v.strip() for v in value)


def _guides(raw: Any, known_entries: set[str], problems: list[Problem]) -> tuple[StageGuide, ...]:
    """Validate the [[stage]] tables: every stage once, in ladder order, each complete."""
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(STAGES_FILE, "needs one [[stage]] table per stage", key="stage"))
        return ()
    guides: dict[Stage, StageGuide] = {}
    order: list[Stage] = []
    seen_items: dict[str, str] = {}
    for index, item in enumerate(raw):
        guide = _guide(index, item, known_entries, seen_items, problems)
        if guide is None:
            continue
        if guide.stage in guides:
            problems.append(ItemProblem(STAGES_FILE, "duplicate stage", guide.stage.value, "id", "stage"))
            continue
        guides[guide.stage] = guide
        order.append(guide.stage)
    for stage in LADDER:
        if stage not in guides:
            problems.append(Problem(STAGES_FILE, f"no [[stage]] for '{stage.value}'", key="stage"))
    if len(order) == len(LADDER) and tuple(order) != LADDER:
        ladder = ", ".join(s.value for s in LADDER)
        problems.append(Problem(STAGES_FILE, f"stages must be in ladder order: {ladder}", key="stage"))
    last = LADDER[-1]
    for stage, guide in guides.items():
        if stage != last and not guide.ready_when:
            problems.append(
                ItemProblem(
                    STAGES_FILE, "needs signs of readiness for the next step", stage, "ready_when", "stage"
                )
            )
        if stage == last and guide.ready_when:
            problems.append(
                ItemProblem(STAGES_FILE, "the last stage has no next step", stage, "ready_when", "stage")
            )
    return tuple(guides[s] for s in LADDER if s in guides)


def _guide(
    index: int, raw: Any, known_entries: set[str], seen_items: dict[str, str], problems: list[Problem]
) -> StageGuide | None:
    """Validate one [[stage]] table; record problems and return None if it can't name its stage."""
    if not isinstance(raw, dict):
        problems.append(Problem(STAGES_FILE, f"stage #{index + 1} is not a table", key="stage"))
        return None
    stage_id = raw.get("id")
    label = stage_id if isinstance(stage_id, str) and stage_id else f"#{index + 1}"

    def bad(key: str, message: str) -> None:
        problems.append(ItemProblem(STAGES_FILE, message, label, key, "stage"))

    for key in raw:
        if key not in _STAGE_KEYS:
            bad(key, "unknown key")
    title = _text(raw, "title", bad, MAX_TITLE_CHARS)
    summary = _text(raw, "summary", bad, MAX_LINE_CHARS)
    focus = _lines(raw, "focus", bad)
    ready_when = _lines(raw, "ready_when", bad, allow_empty=True)
    checklist = _checklist(raw.get("checklist"), label, seen_items, bad)
    entries = _lines(raw, "entries", bad)
    for entry_id in entries:
        if entry_id not in known_entries:
            bad("entries", f"unknown entry id '{entry_id}'")
    if len(set(entries)) != len(entries):
        bad("entries", "lists an entry twice")
    if not isinstance(stage_id, str) or stage_id not in STAGE_VALUES:
        bad("id", f"unknown stage (use {', '.join(s.value for s in LADDER)})")
        return None
    return StageGuide(Stage(stage_id), title, summary, focus, ready_when, checklist, entries)


def _checklist(raw: Any, stage: str, seen_items: dict[str, str], bad: Bad) -> tuple[ChecklistItem, ...]:
    """Validate a stage's checklist: 3-6 milestones with ids unique across the file."""
    if not isinstance(raw, list):
        bad("checklist", "missing, or not a list of {id, text} tables")
        return ()
    if not MIN_CHECKLIST <= len(raw) <= MAX_CHECKLIST:
        bad("checklist", f"has {len(raw)} milestones, needs {MIN_CHECKLIST} to {MAX_CHECKLIST}")
    items: list[ChecklistItem] = []
    for i, item in enumerate(raw):
        item_id = item.get("id") if isinstance(item, dict) else None
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(item_id, str) or not _ID_RE.match(item_id):
            bad("checklist", f"milestone #{i + 1} needs an id of lower-case letters, digits and hyphens")
            continue
        if not isinstance(text, str) or not text.strip():
            bad("checklist", f"milestone '{item_id}' needs a text")
            continue
        if len(text.strip()) > MAX_LINE_CHARS:
            bad(
                "checklist",
                f"milestone '{item_id}' is {len(text.strip())} characters, the limit is {MAX_LINE_CHARS}",
            )
        if set(item) - {"id", "text"}:
            bad("checklist", f"milestone '{item_id}' has unknown keys {sorted(set(item) - {'id', 'text'})}")
        if item_id in seen_items:
            bad("checklist", f"duplicate milestone id '{item_id}' (also in stage '{seen_items[item_id]}')")
            continue
        seen_items[item_id] = stage
        items.append(ChecklistItem(item_id, text.strip()))
    return tuple(items)


def _quiz(raw: Any, problems: list[Problem]) -> tuple[QuizQuestion, ...]:
    """Validate the [[quiz]] tables: 3-5 questions, each with 2-4 answers nudging toward known stages."""
    if not isinstance(raw, list) or not QUIZ_MIN_QUESTIONS <= len(raw) <= QUIZ_MAX_QUESTIONS:
        count = len(raw) if isinstance(raw, list) else 0
        problems.append(
            Problem(
                STAGES_FILE,
                f"has {count} [[quiz]] questions, needs {QUIZ_MIN_QUESTIONS} to {QUIZ_MAX_QUESTIONS}",
                key="quiz",
            )
        )
        if not isinstance(raw, list):
            return ()
    questions: list[QuizQuestion] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        question = _question(index, item, problems)
        if question is None:
            continue
        if question.id in seen:
            problems.append(ItemProblem(STAGES_FILE, "duplicate id", question.id, "id", "quiz question"))
            continue
        seen.add(question.id)
        questions.append(question)
    return tuple(questions)


def _question(index: int, raw: Any, problems: list[Problem]) -> QuizQuestion | None:
    """Validate one [[quiz]] question and its answers."""
    if not isinstance(raw, dict):
        problems.append(Problem(STAGES_FILE, f"quiz question #{index + 1} is not a table", key="quiz"))
        return None
    qid = raw.get("id")
    label = qid if isinstance(qid, str) and qid else f"#{index + 1}"

    def bad(key: str, message: str) -> None:
        problems.append(ItemProblem(STAGES_FILE, message, label, key, "quiz question"))

    for key in raw:
        if key not in _QUIZ_KEYS:
            bad(key, "unknown key")
    if not isinstance(qid, str) or not _ID_RE.match(qid):
        bad("id", "missing, or not lower-case letters, digits and hyphens")
    text = _text(raw, "question", bad, QUIZ_QUESTION_MAX)
    answers_raw = raw.get("answers")
    if not isinstance(answers_raw, list) or not QUIZ_MIN_ANSWERS <= len(answers_raw) <= QUIZ_MAX_ANSWERS:
        bad("answers", f"needs {QUIZ_MIN_ANSWERS} to {QUIZ_MAX_ANSWERS} answers")
        if not isinstance(answers_raw, list):
            return None
    answers: list[QuizAnswer] = []
    for i, item in enumerate(answers_raw):
        if not isinstance(item, dict):
            bad("answers", f"answer #{i + 1} is not a table")
            continue
        aid, text_, stages = item.get("id"), item.get("label"), item.get("stages")
        name = aid if isinstance(aid, str) and aid else f"#{i + 1}"
        if not isinstance(aid, str) or not _ID_RE.match(aid):
            bad("answers", f"answer {name} needs an id of lower-case letters, digits and hyphens")
        elif any(a.id == aid for a in answers):
            bad("answers", f"duplicate answer id '{aid}'")
        if not isinstance(text_, str) or not text_.strip():
            bad("answers", f"answer {name} needs a label")
        elif len(text_.strip()) > QUIZ_LABEL_MAX:
            bad(
                "answers",
                f"answer {name} label is {len(text_.strip())} characters, the limit is {QUIZ_LABEL_MAX}",
            )
        if not isinstance(stages, list) or not stages or not all(s in STAGE_VALUES for s in stages):
            bad("answers", f"answer {name} needs stages, from: {', '.join(s.value for s in LADDER)}")
            stages = []
        if set(item) - {"id", "label", "stages"}:
            bad("answers", f"answer {name} has unknown keys {sorted(set(item) - {'id', 'label', 'stages'})}")
        answers.append(QuizAnswer(str(aid), str(text_ or "").strip(), tuple(Stage(s) for s in stages)))
    if not isinstance(qid, str) or not qid:
        return None
    return QuizQuestion(qid, text, tuple(answers))
