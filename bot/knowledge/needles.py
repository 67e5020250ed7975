"""What text a regular expression cannot match without: cheap substring checks that skip a regex search.

The out-of-scope patterns (scope.py) and the contraction rules (text.py) are tried on every question, and
nearly all of them fail. `needles(pattern)` reads a compiled pattern's structure and returns its necessary
conditions: sets of literal substrings, one of which must occur in any text the pattern matches
("\\bhow much\\b" cannot match a text without "how much"). A plain `in` test on those is far cheaper than
the search, and a pattern whose condition fails is never searched. The analysis is conservative: whatever
it does not understand (case-insensitive parts, classes, lookarounds, optional parts) adds no condition, so
a condition can only ever rule out texts the pattern could not match, and results stay exactly the same.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any


def _parser_modules() -> tuple[Any, Any]:
    """Return the parser behind `re` and its constants (private modules), or Nones if they are missing."""
    try:
        return importlib.import_module("re._parser"), importlib.import_module("re._constants")
    except ImportError:  # another Python: no conditions, every pattern is searched
        return None, None


_p, _c = _parser_modules()

# A necessary condition: at least one of these substrings occurs in every text the pattern matches.
Condition = frozenset[str]


def needles(pattern: re.Pattern[str]) -> tuple[Condition, ...]:
    """Return the necessary conditions of a pattern, most selective first (empty: nothing is known)."""
    if _p is None or not isinstance(pattern.pattern, str) or pattern.flags & (re.IGNORECASE | re.LOCALE):
        return ()
    try:
        found = _conditions(_p.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unfamiliar parser: no conditions, the pattern is always searched
        return ()
    return tuple(sorted(set(found), key=_selectivity, reverse=True))


def first_needles(pattern: re.Pattern[str]) -> Condition | None:
    """Return the pattern's most selective condition, or None when nothing is known (always search)."""
    found = needles(pattern)
    return found[0] if found else None


def _selectivity(condition: Condition) -> tuple[int, int, str]:
    """Longer substrings and fewer alternatives are rarer in a question (ties: a stable order)."""
    return (min(len(n.strip()) for n in condition), -len(condition), min(condition))


def _best(conditions: list[Condition]) -> Condition:
    return max(conditions, key=_selectivity)


def _conditions(items: Iterable[tuple[Any, Any]]) -> list[Condition]:
    """Return the conditions of a parsed sequence: every element of a sequence must match."""
    found: list[Condition] = []
    run: list[str] = []  # consecutive literal characters: that exact string must occur

    def flush() -> None:
        if run:
            found.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if not (add_flags or del_flags):  # a scoped flag (?i:...) may change what a literal matches
                found.extend(_conditions(sub))
        elif op is _c.BRANCH:
            # One alternative matches, so the union of one condition from each holds (if each has one).
            options = [_conditions(alternative) for alternative in av[1]]
            if options and all(options):
                found.append(frozenset().union(*(_best(o) for o in options)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = av
            if low >= 1:  # the body matches at least once
                found.extend(_conditions(sub))
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            found.extend(_conditions(av))
        elif op is _c.IN and av and all(kind is _c.LITERAL for kind, _ in av):
            found.append(frozenset(chr(code) for _, code in av))
        # Anything else (anchors, classes, any character, lookarounds, back-references) adds nothing.
    flush()
    return found
