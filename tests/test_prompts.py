"""Prompt rotation: stage pools, no repeats until the pool is used up, deterministic across restarts."""

from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.prompt_library import Prompt, load_prompts
from bot.prompts import pick_prompt, pool_for_stage
from bot.stages import Stage


def prompt(pid: str, *stages: Stage, skill: str = "daw") -> Prompt:
    """A prompt for tests."""
    return Prompt(id=pid, skill=skill, stages=stages, entry="daw-skills", text=f"Do {pid}.")


POOL = tuple(prompt(f"p{i}", Stage.LEARNING) for i in range(6))


def run(
    pool: tuple[Prompt, ...], count: int, key: str = "member:1", history: list[str] | None = None
) -> list[str]:
    """Pick `count` prompts in a row, recording each as used."""
    used = list(history or [])
    for _ in range(count):
        used.append(pick_prompt(pool, used, key=key).id)
    return used[len(history or []) :]


def test_pool_for_stage_and_skill() -> None:
    """A stage's pool holds the prompts that list it, in order; a skill narrows it; None means all."""
    mixed = (
        prompt("a", Stage.LEARNING),
        prompt("b", Stage.INTERN),
        prompt("c", Stage.LEARNING, Stage.INTERN, skill="arranging"),
    )
    assert [p.id for p in pool_for_stage(mixed, Stage.INTERN)] == ["b", "c"]
    assert [p.id for p in pool_for_stage(mixed, Stage.LEARNING, skill="arranging")] == ["c"]
    assert len(pool_for_stage(mixed, None)) == 3


def test_no_repeat_until_the_pool_is_used_up() -> None:
    """Six picks from six prompts use each once; the seventh starts a new round."""
    picks = run(POOL, 12)
    assert sorted(picks[:6]) == sorted(p.id for p in POOL)
    assert sorted(picks[6:]) == sorted(p.id for p in POOL)


def test_new_round_never_repeats_the_last_prompt() -> None:
    """Across many audiences, the first pick of a new round is never the one just sent."""
    for n in range(50):
        picks = run(POOL, 7, key=f"member:{n}")
        assert picks[6] != picks[5]


def test_deterministic_given_inputs() -> None:
    """The same pool, history and key pick the same prompt (a restart picks the same)."""
    history = ["p3", "p1"]
    assert pick_prompt(POOL, history, key="k") == pick_prompt(POOL, list(history), key="k")
    assert run(POOL, 6, key="k") == run(POOL, 6, key="k")


def test_keys_shuffle_differently_and_rounds_reshuffle() -> None:
    """Different audiences get different orders, and one audience's rounds differ from each other."""
    orders = {tuple(run(POOL, 6, key=f"member:{n}")) for n in range(20)}
    assert len(orders) > 10
    picks = run(POOL, 18, key="member:1")
    assert len({tuple(picks[0:6]), tuple(picks[6:12]), tuple(picks[12:18])}) > 1


def test_new_prompts_come_first_and_unknown_history_is_ignored() -> None:
    """A prompt added after a round is picked before any repeat; ids no longer in the pool don't count."""
    history = [p.id for p in POOL] + ["retired"]
    grown = (*POOL, prompt("fresh", Stage.LEARNING))
    assert pick_prompt(grown, history, key="k").id == "fresh"


def test_single_prompt_pool_repeats_and_empty_pool_raises() -> None:
    """A one-prompt pool keeps giving that prompt; an empty pool is a ValueError."""
    assert run(POOL[:1], 3) == ["p0", "p0", "p0"]
    with pytest.raises(ValueError, match="empty"):
        pick_prompt((), [], key="k")


def test_shipped_stage_pool_rotation() -> None:
    """For every stage the shipped pool yields its whole size of distinct prompts before any repeat."""
    prompts = load_prompts(None, set(load_knowledge().by_id))
    for stage in Stage:
        pool = pool_for_stage(prompts, stage)
        picks = run(pool, len(pool), key=f"stage:{stage}")
        assert len(set(picks)) == len(pool) >= 10


def test_retired_ids_do_not_hide_the_last_prompt() -> None:
    """A retired id at the end of the history doesn't let the last real prompt repeat at a new round."""
    for n in range(50):
        key = f"member:{n}"
        history = [*run(POOL, 6, key=key), "retired"]
        assert pick_prompt(POOL, history, key=key).id != history[5]
