"""Load knowledge/prompts.toml: the continuous-learning prompts, validated, each tied to a knowledge entry.

Like the entry loader, it reports every problem at once with file, prompt id and key, so
`studio-mentor kb check` shows an author the whole list in one run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.knowledge.loader import KnowledgeError, Problem, _read_toml, bundled_knowledge_dir, load_knowledge
from bot.knowledge.stage_guides import ItemProblem
from bot.stages import LADDER, STAGE_VALUES, Stage

PROMPTS_FILE = "prompts.toml"
MAX_PROMPT_CHARS = 300  # one short call to action: fits a message with room for the entry link
MIN_PER_STAGE = 10  # enough that a weekly prompt doesn't repeat for a couple of months
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PROMPT_KEYS = frozenset({"id", "skill", "stages", "entry", "text"})

# The skills the article names, and its continuous-learning habits, as prompt categories (id -> label).
SKILLS: dict[str, str] = {
    "music-theory": "Music theory",
    "ear-training": "Ear training",
    "instrument": "Playing an instrument",
    "daw": "DAW fluency",
    "mixing-mastering": "Mixing and mastering",
    "mic-placement": "Microphone placement",
    "signal-flow": "Signal flow",
    "arranging": "Arranging",
    "portfolio": "Building a portfolio",
    "collaboration": "Collaboration",
    "networking": "Networking",
    "workshops": "Workshops and seminars",
    "online-courses": "Online courses",
    "experimenting": "Experimenting with software and equipment",
    "creativity": "Creativity",
    "staying-current": "Staying current",
    "career": "The career and the job",
}


@dataclass(frozen=True, slots=True)
class Prompt:
    """One continuous-learning prompt: a short call to action and the entry to read with it."""

    id: str
    skill: str
    stages: tuple[Stage, ...]
    entry: str
    text: str

    @property
    def skill_label(self) -> str:
        """Return the skill's human label ("Ear training")."""
        return SKILLS.get(self.skill, self.skill)


def load_prompts(
    folder: Path | None = None, known_entries: Collection[str] | None = None
) -> tuple[Prompt, ...]:
    """Load and validate prompts.toml in file order; raise KnowledgeError listing every problem.

    `known_entries` are the entry ids prompts may point at; by default the folder's knowledge base is loaded.
    """
    folder = folder or bundled_knowledge_dir()
    if known_entries is None:
        known_entries = set(load_knowledge(folder).by_id)
    known = set(known_entries)
    path = folder / PROMPTS_FILE
    if not path.is_file():
        raise KnowledgeError([Problem(PROMPTS_FILE, "missing: it holds the continuous-learning prompts")])
    problems: list[Problem] = []
    data = _read_toml(path, problems)
    if data is None:
        raise KnowledgeError(problems)
    for key in data:
        if key != "prompt":
            problems.append(Problem(PROMPTS_FILE, "unknown key", key=key))
    raw = data.get("prompt")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(PROMPTS_FILE, "has no [[prompt]] tables", key="prompt"))
        raise KnowledgeError(problems)
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        prompt = _prompt(index, item, known, problems)
        if prompt is None:
            continue
        if prompt.id in seen:
            problems.append(ItemProblem(PROMPTS_FILE, "duplicate id", prompt.id, "id", "prompt"))
            continue
        seen.add(prompt.id)
        prompts.append(prompt)
    per_stage = Counter(stage for p in prompts for stage in p.stages)
    for stage in LADDER:
        if per_stage[stage] < MIN_PER_STAGE:
            problems.append(
                Problem(
                    PROMPTS_FILE,
                    f"stage '{stage}' has {per_stage[stage]} prompts, needs at least {MIN_PER_STAGE}",
                    key="stages",
                )
            )
    if problems:
        raise KnowledgeError(problems)
    return tuple(prompts)


def _prompt(index: int, raw: Any, known_entries: set[str], problems: list[Problem]) -> Prompt | None:
    """Validate one [[prompt]] table; record problems and return None if it is unusable."""
    if not isinstance(raw, dict):
        problems.append(Problem(PROMPTS_FILE, f"prompt #{index + 1} is not a table", key="prompt"))
        return None
    prompt_id = raw.get("id")
    label = prompt_id if isinstance(prompt_id, str) and prompt_id else f"#{index + 1}"
    before = len(problems)

    def bad(key: str, message: str) -> None:
        problems.append(ItemProblem(PROMPTS_FILE, message, label, key, "prompt"))

    for key in raw:
        if key not in _PROMPT_KEYS:
            bad(key, "unknown key")
    if not isinstance(prompt_id, str) or not _ID_RE.match(prompt_id):
        bad("id", "missing, or not lower-case letters, digits and single hyphens")
    skill = raw.get("skill")
    if not isinstance(skill, str) or skill not in SKILLS:
        bad("skill", f"unknown skill {skill!r} (use {', '.join(SKILLS)})")
    stages = raw.get("stages")
    if not isinstance(stages, list) or not stages or not all(isinstance(s, str) for s in stages):
        bad("stages", "missing, or not a list of stages")
        stages = []
    for stage in stages:
        if stage not in STAGE_VALUES:
            bad("stages", f"unknown stage '{stage}' (use {', '.join(s.value for s in LADDER)})")
    entry = raw.get("entry")
    if not isinstance(entry, str) or not entry:
        bad("entry", "missing or empty")
    elif entry not in known_entries:
        bad("entry", f"unknown entry id '{entry}'")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        bad("text", "missing or empty")
    elif len(text.strip()) > MAX_PROMPT_CHARS:
        bad("text", f"{len(text.strip())} characters, the limit is {MAX_PROMPT_CHARS}")
    if len(problems) > before:
        # Keep the id so duplicates are still found, but a broken prompt never counts toward a stage.
        return Prompt(label, "", (), "", "") if isinstance(prompt_id, str) and prompt_id else None
    return Prompt(
        id=str(prompt_id),
        skill=str(skill),
        stages=tuple(Stage(s) for s in stages),
        entry=str(entry),
        text=" ".join(str(text).split()),
    )
