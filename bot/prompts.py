"""Choosing the next continuous-learning prompt for a member or a channel (pure rules, no Discord).

Rotation: every prompt in the pool is used once before any is used again, and the choice is a pure function
of its inputs, so a bot that restarts mid-delivery picks the same prompt for the same slot (the delivery
row's unique key then stops a double send).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.knowledge.prompt_library import Prompt
from bot.stages import Stage


def pool_for_stage(
    prompts: Iterable[Prompt], stage: Stage | None, *, skill: str | None = None
) -> tuple[Prompt, ...]:
    """Return the prompts that suit a stage (all of them for None), optionally of one skill, in file order."""
    return tuple(
        p for p in prompts if (stage is None or stage in p.stages) and (skill is None or p.skill == skill)
    )


def _rank(key: str, round_number: int, prompt_id: str) -> bytes:
    """Order prompts by a stable hash: a different shuffle per key and per round, the same after a restart."""
    return hashlib.sha256(f"{key}\x1f{round_number}\x1f{prompt_id}".encode()).digest()


def pick_prompt(pool: Sequence[Prompt], used_ids: Iterable[str], *, key: str) -> Prompt:
    """Pick the next prompt: one used least often so far, in a stable shuffle for `key`.

    `used_ids` is the history of prompt ids already sent to this member or channel, oldest first (ids no
    longer in the pool are ignored). So nothing repeats until the whole pool has been used; then a new round
    starts, and its first pick is never the prompt sent last. New prompts added to the pool come first.
    `key` identifies the audience (e.g. "guild:123:member:456"). Raises ValueError for an empty pool.
    """
    if not pool:
        raise ValueError("the prompt pool is empty")
    ids = {p.id for p in pool}
    history = [i for i in used_ids if i in ids]
    counts = Counter(history)
    fewest = min(counts.get(p.id, 0) for p in pool)
    candidates = [p for p in pool if counts.get(p.id, 0) == fewest]
    if len(candidates) == len(pool) > 1 and history:
        candidates = [p for p in candidates if p.id != history[-1]]  # a new round: don't repeat the last one
    return min(candidates, key=lambda p: _rank(key, fewest, p.id))
