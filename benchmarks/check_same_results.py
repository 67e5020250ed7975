"""Dump every search result the engine gives on the labelled questions, to prove a speed-up changes nothing.

For every question of tests/data/*.tsv (and three deterministic slips of it: see variants) and each stage
(none, then the five career stages), writes one line: the question, the stage, the engine's reading
(SearchIndex.analyse), the confidence, the best entry's id and score, the alternatives (ids and scores) and
the out-of-scope intent. Each search runs cold (result cache cleared first); a second, warm pass through the
result cache must give the same lines, or the script fails.

Run it for two code trees on the SAME knowledge folder and compare the dumps byte for byte:

    git archive main | tar -x -C /tmp/base                                     # a pristine main
    PYTHONPATH=/tmp/base python benchmarks/check_same_results.py --kb knowledge -o /tmp/base.txt
    PYTHONPATH=. python benchmarks/check_same_results.py --kb knowledge -o /tmp/new.txt
    cmp /tmp/base.txt /tmp/new.txt

`--synthetic N` grows the base to N entries first (bench_retrieval.synthetic), which exercises candidate
generation past the postings-length limit (SCAN_MIN_POSTINGS) that the shipped base never reaches.
The script imports `bot` from PYTHONPATH (it prints which) and reads the questions from its own tree.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

import bot
from bot.knowledge import SearchIndex, load_knowledge
from bot.knowledge.evaluation import read_labelled

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data"
STAGES = (None, "exploring", "learning", "intern", "assistant-producer", "producer")


def variants(question: str, seed: int) -> list[str]:
    """Return the question and three deterministic slips of it: shouted, a word dropped, two letters swapped.

    They reach the typo correction, the one-word cap and other short-question paths the labelled sets hit
    less often.
    """
    rng = random.Random(seed)
    parts = question.split()
    dropped = " ".join(p for i, p in enumerate(parts) if i != rng.randrange(len(parts))) if parts else ""
    swapped = list(parts)
    long_words = [i for i, p in enumerate(parts) if len(p) >= 4]
    if long_words:
        i = rng.choice(long_words)
        j = rng.randrange(len(parts[i]) - 1)
        w = parts[i]
        swapped[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return [question, question.upper() + "??", dropped, " ".join(swapped)]


def describe(index: SearchIndex, question: str, stage: str | None) -> str:
    """Return one result as a line of text (scores as stored: rounded to 4 places by the engine)."""
    result = index.search(question, stage=stage)
    best = f"{result.best.entry.id} {result.best.score!r}" if result.best else "-"
    alternatives = ",".join(f"{m.entry.id} {m.score!r}" for m in result.alternatives)
    return "\t".join(
        (
            question,
            stage or "-",
            " ".join(index.analyse(question)),
            str(result.confidence),
            best,
            alternatives or "-",
            result.out_of_scope or "-",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kb", type=Path, default=None, help="knowledge folder (default: the bundled one)")
    parser.add_argument("--synthetic", type=int, default=0, help="grow the base to this many entries")
    parser.add_argument("--no-variants", action="store_true", help="only the labelled questions as written")
    parser.add_argument("-o", "--out", type=Path, required=True, help="file to write the dump to")
    args = parser.parse_args()
    print(f"engine: {Path(bot.__file__).parent}", file=sys.stderr)
    kb = load_knowledge(args.kb)
    if args.synthetic:
        sys.path.insert(0, str(HERE))
        from bench_retrieval import synthetic

        kb = synthetic(kb, args.synthetic)
    index = SearchIndex(kb)
    questions = [item.question for path in sorted(DATA.glob("*.tsv")) for item in read_labelled(path)]
    if not args.no_variants:
        questions = [v for n, q in enumerate(questions) for v in variants(q, n)]
    cold: list[str] = []
    for question in questions:
        for stage in STAGES:
            index.clear_cache()
            cold.append(describe(index, question, stage))
    warm = [describe(index, q, s) for q in questions for s in STAGES]
    if warm != cold:
        bad = next(i for i, (a, b) in enumerate(zip(cold, warm, strict=True)) if a != b)
        sys.exit(f"cached result differs from a fresh one:\n  cold {cold[bad]}\n  warm {warm[bad]}")
    text = "\n".join(cold) + "\n"
    args.out.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    print(f"{len(questions)} questions x {len(STAGES)} stages, {len(kb.entries)} entries: sha256 {digest}")


if __name__ == "__main__":
    main()
