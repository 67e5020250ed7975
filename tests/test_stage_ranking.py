"""Stage-aware ranking: a member's stage settles close calls and picks what to suggest next."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.knowledge import Confidence, SearchIndex, load_knowledge
from bot.knowledge.evaluation import read_labelled
from bot.knowledge.results import STAGE_TIE_BREAK, Match, SearchResult, confidence_of, prefer_stage
from bot.stages import Stage
from tests.kbfactory import ALPHA, BETA, write_kb

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """Return one index over the shipped knowledge base for the whole module."""
    return SearchIndex(load_knowledge())


def result_of(*scored: tuple[str, tuple[str, ...], float]) -> SearchResult:
    """Build a result from (id, stages, score) triples, best first, with the confidence of the best."""
    template = load_knowledge().entries[0]
    matches = [Match(replace(template, id=i, stages=st), score) for i, st, score in scored]
    return SearchResult("q", confidence_of(matches[0].score), matches[0], tuple(matches[1:]))


def test_stage_entry_wins_a_close_call() -> None:
    """Within STAGE_TIE_BREAK of the best, the entry written for the member's stage comes first."""
    close = 0.6 - STAGE_TIE_BREAK / 2
    result = prefer_stage(
        result_of(("general", ("learning",), 0.6), ("for-interns", ("intern",), close)), "intern"
    )
    assert result.best is not None and result.best.entry.id == "for-interns"
    assert [m.entry.id for m in result.alternatives] == ["general"]


def test_stage_never_overturns_a_clear_winner() -> None:
    """An entry for the stage further behind than STAGE_TIE_BREAK stays behind."""
    far = 0.6 - STAGE_TIE_BREAK * 2
    result = prefer_stage(
        result_of(("general", ("learning",), 0.6), ("for-interns", ("intern",), far)), "intern"
    )
    assert result.best is not None and result.best.entry.id == "general"


def test_stage_never_turns_a_weak_match_into_an_answer() -> None:
    """Confidence follows the new best's own score: a stage can lower it, never raise it."""
    result = prefer_stage(
        result_of(("general", ("learning",), 0.33), ("for-interns", ("intern",), 0.31)), "intern"
    )
    assert result.best is not None and result.best.entry.id == "for-interns"
    assert result.confidence is Confidence.WEAK


@pytest.mark.parametrize("stage", [s.value for s in Stage])
def test_no_question_gets_more_confident_with_a_stage(index: SearchIndex, stage: str) -> None:
    """Over the tuning questions, no stage ever answers a question the engine alone would not answer."""
    order = [Confidence.NONE, Confidence.WEAK, Confidence.HIGH]
    for item in read_labelled(DATA / "realistic-tuning-questions.tsv"):
        plain = index.search(item.question)
        staged = index.search(item.question, stage=stage)
        assert order.index(staged.confidence) <= order.index(plain.confidence), item.question


def test_next_for_stage_prefers_the_most_stage_specific_related_entry(tmp_path: Path) -> None:
    """Among related entries for the stage, the one written for fewest stages is suggested."""
    alpha = ALPHA.replace('related = ["second"]', 'related = ["second", "third"]')
    beta = BETA + BETA.replace('id = "second"', 'id = "third"').replace(
        'stages = ["intern", "producer"]', 'stages = ["intern"]'
    ).replace('section = "beta"', "")
    index = SearchIndex(load_knowledge(write_kb(tmp_path, alpha=alpha, beta=beta)))
    assert index.next_for_stage("first", "intern") is not None
    assert index.next_for_stage("first", "intern").id == "third"  # type: ignore[union-attr]
    assert index.next_for_stage("first", "producer").id == "second"  # type: ignore[union-attr]
    assert index.next_for_stage("first", "exploring") is None
    assert index.next_for_stage("no-such-entry", "intern") is None


def test_exploring_members_have_entries(index: SearchIndex) -> None:
    """The exploring stage is tagged on the entries about what the job is and whether it suits you."""
    exploring = {e.id for e in index.kb.entries if "exploring" in e.stages}
    assert {"what-to-expect", "what-does-a-producer-do", "is-it-worth-it", "career-ladder"} <= exploring
