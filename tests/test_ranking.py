"""The pool ranking skips phrase and wording comparisons only where they cannot change the results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import process

import bot.knowledge.search as search_module
from bot.knowledge import SearchIndex, load_knowledge
from bot.knowledge.documents import FIELD_SECTION, Doc
from bot.knowledge.evaluation import read_labelled
from bot.knowledge.ranking import (
    ONE_WORD_CAP,
    PHRASE_SCORER,
    WEIGHT_COVERAGE,
    WEIGHT_FOCUS,
    WEIGHT_PHRASE,
    WEIGHT_WORDING,
    rank_pool,
)
from bot.knowledge.results import Match

DATA = Path(__file__).parent / "data"


def reference(
    docs: list[Doc],
    sections: list[frozenset[str]],
    weighted: list[tuple[str, float]],
    total: float,
    phrase: str,
    wording: str,
    *,
    keep: int,
    one_word: bool,
) -> list[Match]:
    """Score every pooled entry in full, as the engine did before it learned to skip: the specification."""
    from bot.knowledge import ranking  # read PHRASE_GATE at call time, as rank_pool does

    scored: list[tuple[float, int]] = []
    for i, doc in enumerate(docs):
        got = matched = focus = 0.0
        for st, w in weighted:
            fw = doc.fields.get(st, 0.0)
            if fw:
                matched += w
                if st in doc.focus_stems:
                    focus += w
            elif st in sections[i]:
                fw = FIELD_SECTION
            got += w * fw
        best = process.extractOne(phrase, doc.phrases, scorer=PHRASE_SCORER)
        similarity = best[1] / 100 if best else 0.0
        similarity *= (matched / total) ** ranking.PHRASE_GATE
        score = WEIGHT_COVERAGE * got / total + WEIGHT_FOCUS * focus / total + WEIGHT_PHRASE * similarity
        if one_word and not focus:
            score = min(score, ONE_WORD_CAP)
        scored.append((score, i))
    top = max(scored)[0]
    matches: list[Match] = []
    for score, i in scored:
        if score >= top - WEIGHT_WORDING:
            raw = process.extractOne(wording, docs[i].raw_phrases, scorer=PHRASE_SCORER)
            score += WEIGHT_WORDING * (raw[1] / 100 if raw else 0.0)
        matches.append(Match(docs[i].entry, round(min(max(score, 0.0), 1.0), 4)))
    matches.sort(key=lambda m: m.score, reverse=True)
    return matches[:keep]


@pytest.fixture(scope="module")
def pools() -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Return the arguments of every pool ranked for the labelled questions (and their shouted forms)."""
    index = SearchIndex(load_knowledge())
    questions = [item.question for path in sorted(DATA.glob("*.tsv")) for item in read_labelled(path)]
    found: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    real = search_module.rank_pool

    def spy(*args: Any, **kwargs: Any) -> list[Match]:
        found.append((args, kwargs))
        return real(*args, **kwargs)

    search_module.rank_pool = spy  # type: ignore[assignment]
    try:
        for question in questions:
            index.search(question)
            index.search(question.upper() + "?")
    finally:
        search_module.rank_pool = real
    return found


def test_pools_rank_as_scoring_every_entry(pools: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> None:
    """Every real pool gets the same best match and runners-up, scores and order, as full scoring."""
    assert len(pools) > 1000
    for args, kwargs in pools:
        assert rank_pool(*args, **kwargs) == reference(*args, **kwargs)


@pytest.mark.parametrize("gate", [0.5, 0.7, 1.0])
def test_pools_rank_the_same_at_every_calibrated_gate(
    pools: list[tuple[tuple[Any, ...], dict[str, Any]]], gate: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The skipping stays exact for each PHRASE_GATE that benchmarks/calibrate_retrieval.py sweeps."""
    from bot.knowledge import ranking

    monkeypatch.setattr(ranking, "PHRASE_GATE", gate)
    for args, kwargs in pools[::7]:
        assert rank_pool(*args, **kwargs) == reference(*args, **kwargs)
