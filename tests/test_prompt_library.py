"""Prompt library: the shipped prompts.toml loads and covers every stage; each kind of problem is reported."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, bundled_knowledge_dir, load_knowledge
from bot.knowledge.prompt_library import MAX_PROMPT_CHARS, MIN_PER_STAGE, SKILLS, load_prompts
from bot.stages import LADDER

KNOWN = set(load_knowledge().by_id)

ONE = """
[[prompt]]
id = "{id}"
skill = "ear-training"
stages = {stages}
entry = "ear-training"
text = "Listen closely to one track and list every instrument you hear."
"""


def small_file(per_stage: int = MIN_PER_STAGE) -> str:
    """A valid prompts.toml with exactly `per_stage` prompts suiting every stage."""
    stages = "[" + ", ".join(f'"{s.value}"' for s in LADDER) + "]"
    return "".join(ONE.format(id=f"p{i}", stages=stages) for i in range(per_stage))


def problems_of(tmp_path: Path, text: str) -> list[str]:
    """Write a prompts.toml that must fail to load and return its problems as text."""
    (tmp_path / "prompts.toml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_prompts(tmp_path, KNOWN)
    return [str(p) for p in info.value.problems]


def test_shipped_prompts_load_and_cover_every_stage() -> None:
    """At least 60 prompts, 10+ per stage, each short, with a known skill and an existing entry."""
    prompts = load_prompts(None, KNOWN)
    assert len(prompts) >= 60
    per_stage = Counter(s for p in prompts for s in p.stages)
    assert all(per_stage[s] >= MIN_PER_STAGE for s in LADDER), per_stage
    assert len({p.id for p in prompts}) == len(prompts)
    for prompt in prompts:
        assert prompt.skill in SKILLS and prompt.entry in KNOWN
        assert 0 < len(prompt.text) <= MAX_PROMPT_CHARS


def test_shipped_prompts_practise_the_articles_habits_and_skills() -> None:
    """The four continuous-learning habits and the named skills each have prompts."""
    skills = Counter(p.skill for p in load_prompts(None, KNOWN))
    for skill in (
        "workshops",
        "online-courses",
        "experimenting",
        "collaboration",
        "music-theory",
        "ear-training",
        "instrument",
        "daw",
        "mixing-mastering",
        "mic-placement",
        "signal-flow",
        "arranging",
        "portfolio",
        "networking",
        "staying-current",
    ):
        assert skills[skill] >= 3, skill


def test_shipped_text_is_one_line() -> None:
    """Whitespace in the text is collapsed, so a wrapped TOML string shows as one paragraph."""
    (prompt,) = [p for p in load_prompts(None, KNOWN) if p.id == "ear-count-the-instruments"]
    assert "\n" not in prompt.text and "  " not in prompt.text and prompt.skill_label == "Ear training"


def test_small_valid_file_loads(tmp_path: Path) -> None:
    """Exactly the minimum per stage is enough."""
    (tmp_path / "prompts.toml").write_text(small_file(), encoding="utf-8")
    assert [p.id for p in load_prompts(tmp_path, KNOWN)][:2] == ["p0", "p1"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda s: s.replace('id = "p1"', 'id = "p0"'),
            ["prompts.toml: prompt 'p0': key 'id': duplicate id"],
        ),
        (
            lambda s: s.replace('"exploring", ', '"rockstar", ', 1),
            [
                "prompts.toml: prompt 'p0': key 'stages': unknown stage 'rockstar'",
                f"prompts.toml: key 'stages': stage 'exploring' has {MIN_PER_STAGE - 1} prompts, needs at least {MIN_PER_STAGE}",
            ],
        ),
        (
            lambda s: s.replace('entry = "ear-training"', 'entry = "ghost"', 1),
            ["prompts.toml: prompt 'p0': key 'entry': unknown entry id 'ghost'"],
        ),
        (
            lambda s: s.replace('entry = "ear-training"\n', "", 1),
            ["prompts.toml: prompt 'p0': key 'entry': missing or empty"],
        ),
        (
            lambda s: s.replace('text = "Listen', 'text = "' + "x" * MAX_PROMPT_CHARS + " Listen", 1),
            [
                f"prompts.toml: prompt 'p0': key 'text': {MAX_PROMPT_CHARS + 64} characters, the limit is {MAX_PROMPT_CHARS}"
            ],
        ),
        (
            lambda s: s.replace(
                'text = "Listen closely to one track and list every instrument you hear."', 'text = "  "', 1
            ),
            ["prompts.toml: prompt 'p0': key 'text': missing or empty"],
        ),
        (
            lambda s: s.replace('skill = "ear-training"', 'skill = "juggling"', 1),
            ["prompts.toml: prompt 'p0': key 'skill': unknown skill 'juggling'"],
        ),
        (
            lambda s: s.replace('id = "p3"', 'id = "P 3"'),
            ["prompts.toml: prompt 'P 3': key 'id': missing, or not lower-case"],
        ),
        (
            lambda s: s.replace('id = "p2"', 'id = "p2"\ntexts = "typo"'),
            ["prompts.toml: prompt 'p2': key 'texts': unknown key"],
        ),
        (lambda s: "extra = 1\n" + s, ["prompts.toml: key 'extra': unknown key"]),
        (
            lambda s: s.replace("[[prompt]]", "[[prompts]]"),
            ["prompts.toml: key 'prompt': has no [[prompt]] tables"],
        ),
        (lambda s: s + "[[prompt]\n", ["prompts.toml: invalid TOML"]),
    ],
)
def test_broken_prompts_report_file_prompt_and_key(tmp_path: Path, edit: object, expected: list[str]) -> None:
    """Each broken prompt is reported with the file, the prompt id and the key."""
    text = edit(small_file())  # type: ignore[operator]
    assert text != small_file()
    problems = problems_of(tmp_path, text)
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)


def test_too_few_for_a_stage(tmp_path: Path) -> None:
    """Fewer than the minimum for a stage is one problem per short stage."""
    problems = problems_of(tmp_path, small_file(MIN_PER_STAGE - 1))
    assert len(problems) == len(LADDER)
    assert (
        problems[0]
        == f"prompts.toml: key 'stages': stage 'exploring' has {MIN_PER_STAGE - 1} prompts, needs at least {MIN_PER_STAGE}"
    )


def test_missing_file_and_default_known_entries(tmp_path: Path) -> None:
    """A folder without prompts.toml is refused; without known_entries the folder's own KB is loaded."""
    with pytest.raises(KnowledgeError, match=r"prompts\.toml: missing"):
        load_prompts(tmp_path, KNOWN)
    (tmp_path / "prompts.toml").write_bytes((bundled_knowledge_dir() / "prompts.toml").read_bytes())
    with pytest.raises(KnowledgeError, match=r"sections\.toml: missing"):
        load_prompts(tmp_path)
