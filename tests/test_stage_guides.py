"""Stage guides: the shipped stages.toml loads complete, and every kind of problem is reported precisely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, bundled_knowledge_dir, load_knowledge
from bot.knowledge.stage_guides import (
    MAX_CHECKLIST,
    MIN_CHECKLIST,
    StageGuide,
    load_stage_content,
    load_stage_guides,
)
from bot.stages import LADDER, QUIZ_MAX_QUESTIONS, QUIZ_MIN_QUESTIONS, Stage

SHIPPED = (bundled_knowledge_dir() / "stages.toml").read_text(encoding="utf-8")
KNOWN = set(load_knowledge().by_id)


def problems_of(tmp_path: Path, text: str, known: set[str] | None = None) -> list[str]:
    """Write a stages.toml that must fail to load and return its problems as text."""
    (tmp_path / "stages.toml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_stage_content(tmp_path, KNOWN if known is None else known)
    return [str(p) for p in info.value.problems]


def stage_block(stage: str) -> str:
    """Return one [[stage]] table of the shipped file, up to the next table."""
    start = SHIPPED.index(f'[[stage]]\nid = "{stage}"')
    end = SHIPPED.index("\n[[", start + 1)
    return SHIPPED[start:end]


def test_shipped_guides_load_in_ladder_order_with_every_part() -> None:
    """Each stage has a guide with title, summary, focus, readiness signs, 3-6 milestones and entries."""
    guides = load_stage_guides(None, KNOWN)
    assert tuple(g.stage for g in guides) == LADDER
    for guide in guides:
        assert guide.title and guide.summary and len(guide.focus) >= 3
        assert MIN_CHECKLIST <= len(guide.checklist) <= MAX_CHECKLIST
        assert len(guide.entries) >= 5
        assert bool(guide.ready_when) == (guide.stage != Stage.PRODUCER)
    ids = [item.id for g in guides for item in g.checklist]
    assert len(ids) == len(set(ids)), "checklist ids are unique across stages"


def test_shipped_guides_point_at_existing_entries() -> None:
    """Every entry id a guide names exists in the shipped knowledge base."""
    for guide in load_stage_guides(None, KNOWN):
        assert set(guide.entries) <= KNOWN, guide.stage


def test_shipped_quiz_shape() -> None:
    """The quiz has 3-5 questions of 2-4 answers; every stage can be nudged toward."""
    quiz = load_stage_content(None, KNOWN).quiz
    assert QUIZ_MIN_QUESTIONS <= len(quiz) <= QUIZ_MAX_QUESTIONS
    assert all(2 <= len(q.answers) <= 4 for q in quiz)
    assert {s for q in quiz for a in q.answers for s in a.stages} == set(LADDER)


def test_guide_lookup() -> None:
    """StageContent.guide finds a stage's guide."""
    guide = load_stage_content(None, KNOWN).guide(Stage.INTERN)
    assert isinstance(guide, StageGuide) and guide.stage == Stage.INTERN


def test_known_entries_default_to_the_folders_knowledge_base(tmp_path: Path) -> None:
    """Without known_entries the folder's own knowledge base is loaded (and a missing one is reported)."""
    (tmp_path / "stages.toml").write_text(SHIPPED, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"sections\.toml: missing"):
        load_stage_content(tmp_path)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda s: s.replace('id = "intern"\ntitle = "Interning"', 'id = "rockstar"\ntitle = "Interning"'),
            [
                "stages.toml: stage 'rockstar': key 'id': unknown stage",
                "stages.toml: key 'stage': no [[stage]] for 'intern'",
            ],
        ),
        (
            lambda s: s.replace('  "mic-placement",\n', '  "mic-placement",\n  "no-such-entry",\n'),
            ["stages.toml: stage 'intern': key 'entries': unknown entry id 'no-such-entry'"],
        ),
        (
            lambda s: s.replace('title = "Producer"\n', ""),
            ["stages.toml: stage 'producer': key 'title': missing or empty"],
        ),
        (
            lambda s: s.replace("summary = \"You're interning", "summary = 3 #"),
            ["stages.toml: stage 'intern': key 'summary': missing or empty"],
        ),
        (
            lambda s: s.replace(
                'focus = [\n  "Do the intern', 'focus = "Do the intern"\nold = [\n  "Do the intern'
            ),
            [
                "stages.toml: stage 'intern': key 'focus': missing, or not a list",
                "stages.toml: stage 'intern': key 'old': unknown key",
            ],
        ),
        (
            lambda s: s.replace('{ id = "keep-in-touch"', '{ id = "Keep In Touch"'),
            ["stages.toml: stage 'intern': key 'checklist': milestone #4 needs an id"],
        ),
        (
            lambda s: s.replace('{ id = "keep-in-touch"', '{ id = "set-up-a-session"'),
            [
                "stages.toml: stage 'intern': key 'checklist': duplicate milestone id 'set-up-a-session' (also in stage 'intern')"
            ],
        ),
        (
            lambda s: s.replace('{ id = "lead-a-project"', '{ id = "finish-a-track"'),
            [
                "stages.toml: stage 'producer': key 'checklist': duplicate milestone id 'finish-a-track' (also in stage 'learning')"
            ],
        ),
        (
            lambda s: re.sub(
                r'  \{ id = "(set-up-a-session|assist-full-session|observe-and-note)".*\n', "", s
            ),
            ["stages.toml: stage 'intern': key 'checklist': has 2 milestones, needs 3 to 6"],
        ),
        (
            lambda s: s + "\n" + stage_block("intern"),
            ["stages.toml: stage 'intern': key 'id': duplicate stage"],
        ),
        (
            lambda s: s.replace("ready_when = []", 'ready_when = ["Never"]'),
            ["stages.toml: stage 'producer': key 'ready_when': the last stage has no next step"],
        ),
        (
            lambda s: re.sub(
                r'(title = "Interning"[\s\S]*?)ready_when = \[[\s\S]*?\]\n',
                r"\1ready_when = []\n",
                s,
                count=1,
            ),
            ["stages.toml: stage 'intern': key 'ready_when': needs signs of readiness"],
        ),
        (
            lambda s: (
                s.replace(stage_block("intern"), "")
                .replace(stage_block("learning"), stage_block("learning") + "\n" + stage_block("intern"))
                .replace(stage_block("exploring"), "")
                + "\n"
                + stage_block("exploring")
            ),
            ["stages.toml: key 'stage': stages must be in ladder order"],
        ),
        (lambda s: "extra = 1\n" + s, ["stages.toml: key 'extra': unknown key"]),
        (
            lambda s: s.replace("[[stage]]", "[[stag]]"),
            ["stages.toml: key 'stage': needs one [[stage]] table", "stages.toml: key 'stag': unknown key"],
        ),
        (lambda s: s + "[[stage]\n", ["stages.toml: invalid TOML"]),
    ],
)
def test_broken_guides_report_file_stage_and_key(tmp_path: Path, edit: object, expected: list[str]) -> None:
    """Each broken guide is reported with the file, the stage id and the key."""
    text = edit(SHIPPED)  # type: ignore[operator]
    assert text != SHIPPED
    problems = problems_of(tmp_path, text)
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda s: s.replace('id = "studio-work"', 'id = "where-now"'),
            "stages.toml: quiz question 'where-now': key 'id': duplicate id",
        ),
        (
            lambda s: s.replace(
                'stages = ["producer"] },\n]\n\n[[quiz]]\nid = "studio-work"',
                'stages = ["rockstar"] },\n]\n\n[[quiz]]\nid = "studio-work"',
            ),
            "stages.toml: quiz question 'where-now': key 'answers': answer producing needs stages",
        ),
        (
            lambda s: s.replace('question = "Do you have a portfolio of work to show?"', 'question = ""'),
            "stages.toml: quiz question 'portfolio': key 'question': missing or empty",
        ),
        (
            lambda s: s.replace(
                '{ id = "none", label = "Not yet"', '{ id = "none", label = "' + "x" * 81 + '"'
            ),
            "stages.toml: quiz question 'portfolio': key 'answers': answer none label is 81 characters, the limit is 80",
        ),
        (
            lambda s: re.sub(
                r'answers = \[\n  \{ id = "no-projects".*\n.*\n.*\n.*\n\]',
                'answers = [\n  { id = "me", label = "Me", stages = ["producer"] },\n]',
                s,
            ),
            "stages.toml: quiz question 'decisions': key 'answers': needs 2 to 4 answers",
        ),
        (
            lambda s: s.replace('{ id = "some", label', '{ id = "none", label'),
            "stages.toml: quiz question 'portfolio': key 'answers': duplicate answer id 'none'",
        ),
        (
            lambda s: s[: s.index('[[quiz]]\nid = "technical"')],
            f"stages.toml: key 'quiz': has 2 [[quiz]] questions, needs {QUIZ_MIN_QUESTIONS} to {QUIZ_MAX_QUESTIONS}",
        ),
    ],
)
def test_broken_quiz_reports_question_and_key(tmp_path: Path, edit: object, expected: str) -> None:
    """Each broken quiz question is reported with the file, its id and the key."""
    text = edit(SHIPPED)  # type: ignore[operator]
    assert text != SHIPPED
    problems = problems_of(tmp_path, text)
    assert any(p.startswith(expected) for p in problems), problems


def test_all_problems_reported_together(tmp_path: Path) -> None:
    """Several mistakes in different stages come back in one error."""
    text = SHIPPED.replace('title = "Producer"\n', "").replace('  "mic-placement",\n', '  "gone",\n')
    problems = problems_of(tmp_path, text)
    assert len(problems) == 2


def test_missing_file(tmp_path: Path) -> None:
    """A folder without stages.toml is refused with one clear problem."""
    with pytest.raises(KnowledgeError, match=r"stages\.toml: missing"):
        load_stage_content(tmp_path, KNOWN)


def test_kb_check_validates_stages_and_prompts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kb check` reports stages.toml and prompts.toml problems with the entry problems, and exits 1."""
    from bot.cli import main

    monkeypatch.delenv("STUDIO_MENTOR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "kb"
    folder.mkdir()
    for path in bundled_knowledge_dir().glob("*.toml"):
        (folder / path.name).write_bytes(path.read_bytes())
    assert main(["kb", "check", "--knowledge", str(folder)]) == 0
    assert "5 stage guides, 5 quiz questions" in capsys.readouterr().out
    (folder / "stages.toml").write_text(
        SHIPPED.replace('  "mic-placement",\n', '  "gone",\n'), encoding="utf-8"
    )
    prompts = (folder / "prompts.toml").read_text(encoding="utf-8")
    (folder / "prompts.toml").write_text(
        prompts.replace('entry = "signal-flow"', 'entry = "gone"', 1), encoding="utf-8"
    )
    assert main(["kb", "check", "--knowledge", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "stages.toml: stage 'intern': key 'entries': unknown entry id 'gone'" in out
    assert "prompts.toml: prompt 'signal-draw-your-setup': key 'entry': unknown entry id 'gone'" in out
    assert "2 problem(s) found" in out
