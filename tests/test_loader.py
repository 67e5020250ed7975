"""The knowledge loader: the shipped base loads clean, and every kind of problem is reported precisely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, load_knowledge
from bot.knowledge.loader import MAX_ANSWER_CHARS
from tests.kbfactory import ALPHA, BETA, write_kb

DATA = Path(__file__).parent / "data"


def problems_of(folder: Path) -> list[str]:
    """Load a folder that must fail and return its problems as text."""
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    return [str(p) for p in info.value.problems]


def test_shipped_knowledge_base_loads_clean() -> None:
    """The bundled knowledge base validates and covers every article section with 40+ entries."""
    kb = load_knowledge()
    assert len(kb.sections) == 18
    assert len(kb.entries) >= 40
    assert {e.section for e in kb.entries} == {s.slug for s in kb.sections}
    for entry in kb.entries:
        assert len(entry.phrasings) >= 4 and entry.keywords and entry.stages
        assert len(entry.answer) <= MAX_ANSWER_CHARS


def test_shipped_sections_match_the_article() -> None:
    """sections.toml lists the article's 18 canonical slugs in order, each with its text verbatim."""
    article = json.loads((DATA / "article-sections.json").read_text(encoding="utf-8"))
    sections = load_knowledge().sections
    assert [s.slug for s in sections] == [s["slug"] for s in article]
    for shipped, original in zip(sections, article, strict=True):
        assert shipped.text == original["text"].strip(), shipped.slug


def test_small_valid_folder_loads(tmp_path: Path) -> None:
    """A minimal valid folder loads with entries in section order."""
    kb = load_knowledge(write_kb(tmp_path))
    assert [e.id for e in kb.entries] == ["first", "second"]
    assert kb.by_id["second"].stages == ("intern", "producer")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"alpha": "section = 'alpha'\n[[entry]\n"}, "alpha.toml: invalid TOML"),
        (
            {"alpha": ALPHA.replace('section = "alpha"', 'section = "gamma"')},
            "alpha.toml: key 'section': unknown section slug 'gamma'",
        ),
        (
            {"beta": BETA.replace('id = "second"', 'id = "first"').replace("related = []", "related = []")},
            "beta.toml: entry 'first': key 'id': duplicate id (also in alpha.toml)",
        ),
        (
            {"alpha": ALPHA.replace('title = "What is the first thing?"', 'title = ""')},
            "alpha.toml: entry 'first': key 'title': missing or empty",
        ),
        (
            {"alpha": ALPHA.replace('keywords = ["first"]', "")},
            "alpha.toml: entry 'first': key 'keywords': missing",
        ),
        (
            {"alpha": ALPHA.replace('"""The first answer."""', '"""' + "x" * (MAX_ANSWER_CHARS + 1) + '"""')},
            f"alpha.toml: entry 'first': key 'answer': {MAX_ANSWER_CHARS + 1} characters, the limit is {MAX_ANSWER_CHARS}",
        ),
        (
            {"alpha": ALPHA.replace('related = ["second"]', 'related = ["nowhere"]')},
            "alpha.toml: entry 'first': key 'related': unknown id 'nowhere'",
        ),
        (
            {"alpha": ALPHA.replace('stages = ["learning"]', 'stages = ["rockstar"]')},
            "alpha.toml: entry 'first': key 'stages': unknown stage 'rockstar'",
        ),
        (
            {"alpha": ALPHA.encode("utf-8").replace(b"first answer", b"first \xff answer")},
            "alpha.toml: not UTF-8",
        ),
        (
            {"alpha": ALPHA.replace('phrasings = ["what is the first thing", ', "phrasings = [")},
            "alpha.toml: entry 'first': key 'phrasings': has 3, needs at least 4",
        ),
        (
            {"alpha": ALPHA.replace('keywords = ["first"]', 'keywords = ["first"]\nphrasing = ["typo"]')},
            "alpha.toml: entry 'first': key 'phrasing': unknown key",
        ),
        (
            {"alpha": ALPHA.replace('id = "first"', 'id = "First Entry"')},
            "alpha.toml: entry 'First Entry': key 'id': must be lower-case",
        ),
        (
            {"beta": BETA.replace("synonyms = []", 'synonyms = [["second", "initial"]]')},
            "beta.toml: entry 'second': key 'synonyms': word 'initial' maps to 'second' here but to 'first'",
        ),
        (
            {"beta": BETA.replace("related = []", 'related = ["second"]')},
            "beta.toml: entry 'second': key 'related': lists itself",
        ),
        ({"beta": 'section = "beta"\n'}, "beta.toml: key 'entry': has no [[entry]] tables"),
        (
            {
                "alpha": ALPHA.replace(
                    'keywords = ["first"]', 'keywords = ["first"]\nsections = ["alpha", "gamma"]'
                )
            },
            "alpha.toml: entry 'first': key 'sections': unknown section slug 'gamma'",
        ),
        (
            {
                "alpha": ALPHA.replace(
                    'keywords = ["first"]', 'keywords = ["first"]\nsections = ["beta", "alpha"]'
                )
            },
            "alpha.toml: entry 'first': key 'sections': must start with the entry's own section 'alpha'",
        ),
        (
            {
                "alpha": ALPHA.replace(
                    'keywords = ["first"]', 'keywords = ["first"]\nsections = ["alpha", "alpha"]'
                )
            },
            "alpha.toml: entry 'first': key 'sections': lists a section twice",
        ),
        (
            {"alpha": ALPHA.replace('keywords = ["first"]', 'keywords = ["first"]\naliases = ["second"]')},
            "beta.toml: entry 'second': key 'id': duplicate id (also in alpha.toml)",
        ),
        (
            {"beta": BETA.replace("synonyms = []", 'synonyms = []\naliases = ["first"]')},
            "beta.toml: entry 'second': key 'aliases': alias 'first' is already an id (in alpha.toml)",
        ),
        (
            {"alpha": ALPHA.replace('keywords = ["first"]', 'keywords = ["first"]\nconcepts = ["ok", ""]')},
            "alpha.toml: entry 'first': key 'concepts': missing, or not a list of non-empty strings",
        ),
    ],
    ids=[
        "bad-toml",
        "unknown-slug",
        "duplicate-id",
        "empty-field",
        "missing-field",
        "answer-too-long",
        "dangling-related",
        "unknown-stage",
        "not-utf8",
        "too-few-phrasings",
        "unknown-key",
        "bad-id",
        "synonym-conflict",
        "self-related",
        "no-entries",
        "unknown-source-section",
        "source-not-primary-first",
        "source-twice",
        "alias-taken-by-later-id",
        "alias-of-existing-id",
        "empty-concept",
    ],
)
def test_each_problem_is_reported_with_file_entry_and_key(
    tmp_path: Path, overrides: dict[str, str], expected: str
) -> None:
    """Every kind of problem names its file, entry and key."""
    problems = problems_of(write_kb(tmp_path, **overrides))
    assert any(p.startswith(expected) for p in problems), problems


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    """Several broken files give several problems, not just the first."""
    folder = write_kb(
        tmp_path,
        alpha=ALPHA.replace('stages = ["learning"]', 'stages = ["nope"]'),
        beta=BETA.replace('"""The second answer."""', '""""""'),
    )
    problems = problems_of(folder)
    assert any("alpha.toml" in p and "stages" in p for p in problems)
    assert any("beta.toml" in p and "answer" in p for p in problems)


def test_section_without_entries_is_reported(tmp_path: Path) -> None:
    """A section with no file is a problem: every section needs at least one entry."""
    folder = write_kb(tmp_path)
    (folder / "beta.toml").unlink()
    assert any(p.startswith("beta.toml: section has no entries") for p in problems_of(folder))


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    """A folder that does not exist is one clear problem."""
    assert problems_of(tmp_path / "nope") == [f"{tmp_path / 'nope'}: is not a folder"]


def test_sources_list_every_section_primary_first(tmp_path: Path) -> None:
    """An entry's sources are its own section, then the other sections its answer draws on."""
    alpha = ALPHA.replace('keywords = ["first"]', 'keywords = ["first"]\nsections = ["alpha", "beta"]')
    kb = load_knowledge(write_kb(tmp_path, alpha=alpha))
    assert kb.by_id["first"].sources == ("alpha", "beta")
    assert kb.by_id["second"].sources == ("beta",)


def test_aliases_resolve_to_the_merged_entry(tmp_path: Path) -> None:
    """A merged entry's old id still finds it (buttons, stats and stage guides that name it keep working)."""
    alpha = ALPHA.replace('keywords = ["first"]', 'keywords = ["first"]\naliases = ["old-first"]')
    kb = load_knowledge(write_kb(tmp_path, alpha=alpha))
    assert kb.by_id["old-first"] is kb.by_id["first"]
    assert [e.id for e in kb.entries] == ["first", "second"]


def test_shipped_merged_ids_still_resolve() -> None:
    """Entries merged in issue 10 keep their old ids as aliases of the entry that absorbed them."""
    kb = load_knowledge()
    for old, new in {
        "guiding-recording-sessions": "what-does-a-producer-do",
        "is-producing-just-beats": "what-is-music-production",
        "is-uni-worth-it": "degree-needed",
        "staying-up-to-date": "keep-learning",
    }.items():
        assert kb.by_id[old].id == new
