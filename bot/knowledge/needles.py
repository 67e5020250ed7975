"""What text a regular expression cannot match without: cheap checks that skip a regex search.

The out-of-scope patterns (scope.py) and the contraction rules (text.py) are tried on every question, and
nearly all of them fail. Two analyses read a compiled pattern's structure:
- `needles(pattern)`: necessary conditions as sets of literal substrings, one of which must occur in any
  text the pattern matches ("\\bhow much\\b" cannot match a text without "how much"); a plain `in` test;
- `word_conditions(pattern)`: for texts made of words joined by single spaces (WORDING_RE, how check_scope
  reads a question), sets of words one of which any such text the pattern matches holds entirely as whole
  words ("\\b(which|what) key\\b" needs "which" and "key", or "what" and "key"): set operations on the
  question's words, filed for lookup under one `key_words` word per set.
A pattern whose condition fails is never searched. Both analyses are conservative: whatever they do not
understand (case-insensitive parts, classes, lookarounds, long repeats) adds no condition, so a condition
can only ever rule out texts the pattern could not match, and results stay exactly the same.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterable, Mapping
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
# A necessary condition on whole words: the words of one of these sets are all words of the text.
WordCondition = frozenset[frozenset[str]]
# The texts word conditions speak about: lower-case ASCII words and digits joined by single spaces.
WORDING_RE = re.compile(r"(?:[a-z0-9]+(?: [a-z0-9]+)*)?")
_WORD_RE = re.compile(r"[a-z0-9]+")
# The strings a fragment can match are listed only up to this many (beyond: unknown, no condition).
_LANGUAGE_CAP = 256
_MAX_LISTED_REPEAT = 3  # a repeat is listed only up to this many times ("s?" is {"", "s"})


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


def word_conditions(pattern: re.Pattern[str] | str, flags: int = 0) -> tuple[WordCondition, ...]:
    """Return what any WORDING_RE text the pattern matches holds as whole words (empty: nothing known).

    Each condition is a set of alternatives, each a set of words: some alternative's words are all whole
    words of the text. Every condition holds for every match. The pattern may be given as its source and
    flags, uncompiled.
    """
    source, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, flags)
    if _p is None or not isinstance(source, str) or flags & (re.IGNORECASE | re.LOCALE):
        return ()
    try:
        return tuple(dict.fromkeys(_word_conditions(list(_p.parse(source, flags)))))
    except Exception:  # an unfamiliar parser: no condition, the pattern is always searched
        return ()


def leading(pattern: re.Pattern[str] | str, flags: int = 0) -> tuple[str, ...] | None:
    """Return strings one of which starts every text a pattern anchored at the start ("^") matches, or None.

    They are the strings of what follows the anchor, as far as those are known ("^(?:hi|hey)( all)?" starts
    with "hi" or "hey"); None for an unanchored pattern or when the text may start with anything.
    """
    source, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, flags)
    if _p is None or not isinstance(source, str) or flags & (re.IGNORECASE | re.LOCALE | re.MULTILINE):
        return None
    try:
        items = _flattened(list(_p.parse(source, flags)))
    except Exception:  # an unfamiliar parser: no condition
        return None
    if not items or items[0] != (_c.AT, _c.AT_BEGINNING):
        return None
    strings = {""}
    for op, av in items[1:]:
        more = _item_language(op, av)
        merged = {a + b for a in strings for b in more} if more is not None else None
        if merged is None or len(merged) > _LANGUAGE_CAP:
            break
        strings = merged
    if "" in strings:
        return None
    # A string another one starts with adds nothing: keep the shortest (the test is the same).
    kept: list[str] = []
    for s in sorted(strings):
        if not kept or not s.startswith(kept[-1]):
            kept.append(s)
    return tuple(kept)


def key_words(
    condition: WordCondition, common: frozenset[str] = frozenset(), counts: Mapping[str, int] | None = None
) -> dict[frozenset[str], str]:
    """Return a key word for each alternative of a condition: the one a question is least likely to hold.

    That is a word not `common` (nor of one or two letters), then the one with the lowest `counts` (how
    often it appears elsewhere, e.g. in other patterns), then the one fewest alternatives share (in
    "(ableton|logic) is better than", "ableton" and "logic", not "better"), then the longest.
    """
    shared: dict[str, int] = {}
    for words in condition:
        for w in words:
            shared[w] = shared.get(w, 0) + 1
    counts = counts or {}
    return {
        words: min(words, key=lambda w: (_usual(w, common), counts.get(w, 0), shared[w], -len(w), w))
        for words in condition
    }


def cheapest(
    conditions: tuple[WordCondition, ...],
    common: frozenset[str] = frozenset(),
    counts: Mapping[str, int] | None = None,
) -> WordCondition:
    """Return the condition whose key words a question is least likely to hold (few common ones, few)."""

    def cost(condition: WordCondition) -> tuple[int, int, int, tuple[str, ...]]:
        keys = set(key_words(condition, common, counts).values())
        usual = sum(_usual(w, common) for w in keys)
        return (usual, sum((counts or {}).get(w, 0) for w in keys), len(keys), tuple(sorted(keys)))

    return min(conditions, key=cost)


def _usual(word: str, common: frozenset[str]) -> bool:
    """Return True for a word many questions hold: a `common` one, or one of one or two letters."""
    return word in common or len(word) <= 2


def _language(items: Iterable[tuple[Any, Any]]) -> set[str] | None:
    """Return every string a parsed sequence can match, or None when unknown or too many."""
    strings = {""}
    for op, av in items:
        more = _item_language(op, av)
        if more is None:
            return None
        strings = {a + b for a in strings for b in more}
        if len(strings) > _LANGUAGE_CAP:
            return None
    return strings


def _item_language(op: Any, av: Any) -> set[str] | None:
    """Return every string one parsed item can match (anchors match the empty string), or None."""
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.AT:
        return {""}  # zero-width: it only narrows where the rest matches
    if op is _c.IN:
        return {chr(code) for _, code in av} if av and all(k is _c.LITERAL for k, _ in av) else None
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _language(sub)
    if op is _c.BRANCH:
        strings: set[str] = set()
        for alternative in av[1]:
            more = _language(alternative)
            if more is None:
                return None
            strings |= more
        return strings if len(strings) <= _LANGUAGE_CAP else None
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, sub = av
        body = _language(sub) if high <= _MAX_LISTED_REPEAT else None
        if body is None:
            return None
        strings, current = set(), {""}
        for times in range(high + 1):
            if times >= low:
                strings |= current
            current = {a + b for a in current for b in body}
            if len(strings) > _LANGUAGE_CAP:
                return None
        return strings
    return None


def _word_conditions(
    items: list[tuple[Any, Any]], left: bool = False, right: bool = False
) -> list[WordCondition]:
    """Return the word conditions of a parsed sequence (see word_conditions).

    `left` and `right` say whether a word boundary is certain just before and just after the sequence (its
    context, when it is one alternative or group of a longer pattern).
    """
    # Consecutive items whose strings are known merge into one run of strings; anchors stay between runs
    # as what they say about word boundaries, and other items are looked into with their context.
    parts: list[tuple[str, Any]] = []  # ("at", code) | ("run", strings) | ("item", (op, av))
    origins: list[tuple[Any, Any] | None] = []  # the one item a run was made of, if it was one
    for op, av in _flattened(items):
        if op is _c.AT:
            parts.append(("at", av))
            origins.append(None)
            continue
        strings = _item_language(op, av)
        if strings is None:
            parts.append(("item", (op, av)))
            origins.append(None)
            continue
        if parts and parts[-1][0] == "run":
            merged = {a + b for a in parts[-1][1] for b in strings}
            if len(merged) <= _LANGUAGE_CAP:
                parts[-1] = ("run", merged)
                origins[-1] = None
                continue
        parts.append(("run", strings))
        origins.append((op, av))
    found: list[WordCondition] = []
    for k, (kind, value) in enumerate(parts):
        before, after = _bounded(parts, k, -1, left), _bounded(parts, k, 1, right)
        if kind == "item":
            op, av = value
            found.extend(_nested_word_conditions(op, av, before, after))
        elif kind == "run":
            condition = _run_words(value, before, after)
            origin = origins[k]
            if condition:
                found.append(condition)
            if origin is not None:  # a group or alternation may hold anchors its strings do not show
                found.extend(_nested_word_conditions(*origin, before, after))
    return found


def _flattened(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Return a sequence with its groups opened up and the letters before an alternation moved into it.

    Matching is unchanged: "x(?:y z)" is "xy z", and "a(?:bleton|rturia)" (names grouped by first letter)
    is "(?:ableton|arturia)", whose words are then whole.
    """
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is _c.SUBPATTERN and not (av[1] or av[2]):
            out.extend(_flattened(list(av[3])))
            continue
        if op is _c.BRANCH and out and out[-1][0] is _c.LITERAL:
            start = len(out)
            while start and out[start - 1][0] is _c.LITERAL:
                start -= 1
            prefix = out[start:]
            del out[start:]
            av = (av[0], [prefix + list(alternative) for alternative in av[1]])
        out.append((op, av))
    return out


def _nested_word_conditions(op: Any, av: Any, left: bool, right: bool) -> list[WordCondition]:
    """Return the word conditions of an item whose strings are not all known, in its context."""
    if op is _c.SUBPATTERN and not (av[1] or av[2]):
        return _word_conditions(list(av[3]), left, right)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        # One repeat: its body has the context; more: the boundaries between repeats are not known.
        return _word_conditions(list(av[2]), left, right) if av[1] == 1 else _word_conditions(list(av[2]))
    if op is _c.BRANCH:
        options = [_word_conditions(list(alternative), left, right) for alternative in av[1]]
        if options and all(options):
            return [frozenset().union(*(cheapest(tuple(o)) for o in options))]
    return []


def _bounded(parts: list[tuple[str, Any]], k: int, step: int, edge: bool) -> bool:
    """Return True when a word boundary is certain just before (step -1) or after (step 1) part k.

    `edge` says whether one is certain at that end of the whole sequence.
    """
    edge_ats = (
        (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING)
        if step < 0
        else (_c.AT_BOUNDARY, _c.AT_END, _c.AT_END_STRING)
    )
    j = k + step
    while 0 <= j < len(parts):
        kind, value = parts[j]
        if kind == "at":
            return value in edge_ats
        if kind == "item" and value[0] in (_c.ASSERT, _c.ASSERT_NOT):
            j += step  # a lookaround takes no text: the boundary is that of what lies beyond it
            continue
        if kind != "run":
            return False
        spaced = [s for s in value if s]
        if not all((s.endswith(" ") if step < 0 else s.startswith(" ")) for s in spaced):
            return False
        if len(spaced) == len(value):
            return True
        j += step  # the run may match nothing: look further
    return edge


def _run_words(strings: set[str], left: bool, right: bool) -> WordCondition | None:
    """Return the whole words of each string of a run, or None if some string has none."""
    alternatives: set[frozenset[str]] = set()
    for s in strings:
        pieces = s.split(" ")
        whole = frozenset(
            sys.intern(piece)  # the same few words recur in thousands of alternatives
            for i, piece in enumerate(pieces)
            if (i > 0 or left) and (i < len(pieces) - 1 or right) and _WORD_RE.fullmatch(piece)
        )
        if not whole:
            return None
        alternatives.add(whole)
    return frozenset(alternatives)
