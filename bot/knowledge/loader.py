"""Load the knowledge folder and validate every file, reporting all problems at once.

`studio-mentor kb check`, the bot's start-up and `/kb reload` all call `load_knowledge`, so an author sees
exactly the messages the bot would refuse the folder with.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.stages import STAGE_VALUES

MAX_ANSWER_CHARS = 1500  # an embed description may hold 4,096; we keep answers readable on a phone
MAX_TITLE_CHARS = 100  # autocomplete choice names and button labels are capped by Discord at 100 / 80
MIN_PHRASINGS = 4
SECTIONS_FILE = "sections.toml"
# Curated data beside the entries that is not an article section: loaded by its own modules.
NOT_SECTION_FILES = frozenset({SECTIONS_FILE, "stages.toml", "prompts.toml"})
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ENTRY_KEYS = frozenset(
    {
        "id",
        "title",
        "stages",
        "related",
        "phrasings",
        "keywords",
        "concepts",
        "synonyms",
        "sections",
        "aliases",
        "answer",
    }
)
_REQUIRED_LISTS = ("stages", "phrasings", "keywords")
_OPTIONAL_LISTS = ("related", "concepts", "sections", "aliases")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the knowledge folder, located by file, entry and key."""

    file: str
    message: str
    entry: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.entry:
            where.append(f"entry '{self.entry}'")
        if self.key:
            where.append(f"key '{self.key}'")
        return f"{': '.join(where)}: {self.message}"


class KnowledgeError(Exception):
    """Raised when the knowledge folder has problems; carries every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def bundled_knowledge_dir() -> Path:
    """Return the knowledge folder that ships with the package, wherever it is installed."""
    return Path(str(resources.files("bot.bundled_knowledge")))


def load_knowledge(folder: Path | None = None) -> KnowledgeBase:
    """Load and validate a knowledge folder; raise KnowledgeError listing every problem."""
    folder = folder or bundled_knowledge_dir()
    problems: list[Problem] = []
    if not folder.is_dir():
        raise KnowledgeError([Problem(str(folder), "is not a folder")])
    article, sections = _load_sections(folder, problems)
    known = {s.slug for s in sections}
    entries: list[Entry] = []
    seen_ids: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name in NOT_SECTION_FILES:
            continue
        data = _read_toml(path, problems)
        if data is None:
            continue
        entries.extend(_file_entries(path.name, data, known, seen_ids, problems))
    present = {e.section for e in entries}
    for section in sections:
        if section.slug not in present:
            problems.append(Problem(f"{section.slug}.toml", "section has no entries"))
    _check_cross_references(entries, problems)
    if problems:
        raise KnowledgeError(problems)
    order = {s.slug: i for i, s in enumerate(sections)}
    entries.sort(key=lambda e: order.get(e.section, len(order)))  # stable: file order within a section
    return KnowledgeBase(article=article, sections=tuple(sections), entries=tuple(entries))


def _read_toml(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """Read one TOML file, recording encoding and syntax errors instead of raising."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path.name, f"not UTF-8 (byte {exc.start}): save the file as UTF-8"))
        return None
    except OSError as exc:
        problems.append(Problem(path.name, f"cannot be read: {exc.strerror}"))
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(path.name, f"invalid TOML: {exc}"))
        return None


def _load_sections(folder: Path, problems: list[Problem]) -> tuple[str, list[Section]]:
    """Read sections.toml: the article's title and its sections in order."""
    path = folder / SECTIONS_FILE
    if not path.is_file():
        problems.append(Problem(SECTIONS_FILE, "missing: it lists the article's sections"))
        return "", []
    data = _read_toml(path, problems)
    if data is None:
        return "", []
    sections: list[Section] = []
    raw = data.get("section")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(SECTIONS_FILE, "needs at least one [[section]] table", key="section"))
        return "", []
    for i, item in enumerate(raw):
        slug, title = (item.get("slug"), item.get("title")) if isinstance(item, dict) else (None, None)
        if not isinstance(slug, str) or not _ID_RE.match(slug) or not isinstance(title, str) or not title:
            problems.append(
                Problem(SECTIONS_FILE, f"section #{i + 1} needs a slug and a title", key="section")
            )
            continue
        text = item.get("text", "")
        if not isinstance(text, str):
            problems.append(Problem(SECTIONS_FILE, f"section '{slug}': text must be a string", key="text"))
            continue
        sections.append(Section(slug=slug, title=title, text=text.strip()))
    article = data.get("article")
    return (article if isinstance(article, str) else ""), sections


def _file_entries(
    name: str, data: dict[str, Any], known: set[str], seen_ids: dict[str, str], problems: list[Problem]
) -> list[Entry]:
    """Validate one section file and return its good entries."""
    section = data.get("section")
    if not isinstance(section, str) or not section:
        problems.append(Problem(name, "missing the section slug", key="section"))
        section = ""
    elif section not in known:
        problems.append(Problem(name, f"unknown section slug '{section}'", key="section"))
    elif name != f"{section}.toml":
        problems.append(Problem(name, f"file should be named {section}.toml", key="section"))
    for key in data:
        if key not in ("section", "entry"):
            problems.append(Problem(name, "unknown key", key=key))
    raw_entries = data.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        problems.append(Problem(name, "has no [[entry]] tables", key="entry"))
        return []
    entries: list[Entry] = []
    for index, raw in enumerate(raw_entries):
        entry = _entry(name, section, index, raw, known, problems)
        if entry is None:
            continue
        if entry.id in seen_ids:
            problems.append(
                Problem(name, f"duplicate id (also in {seen_ids[entry.id]})", entry=entry.id, key="id")
            )
            continue
        seen_ids[entry.id] = name
        for alias in entry.aliases:
            if not _ID_RE.match(alias):
                problems.append(
                    Problem(name, f"alias '{alias}' is not a valid id", entry=entry.id, key="aliases")
                )
            elif alias in seen_ids:
                problems.append(
                    Problem(
                        name,
                        f"alias '{alias}' is already an id (in {seen_ids[alias]})",
                        entry=entry.id,
                        key="aliases",
                    )
                )
            else:
                seen_ids[alias] = name
        entries.append(entry)
    return entries


def _entry(
    name: str, section: str, index: int, raw: Any, known: set[str], problems: list[Problem]
) -> Entry | None:
    """Validate one [[entry]] table; record problems and return None if it is unusable."""
    if not isinstance(raw, dict):
        problems.append(Problem(name, f"entry #{index + 1} is not a table"))
        return None
    entry_id = raw.get("id")
    label = entry_id if isinstance(entry_id, str) and entry_id else f"#{index + 1}"

    def bad(key: str, message: str) -> None:
        problems.append(Problem(name, message, entry=label, key=key))

    for key in raw:
        if key not in _ENTRY_KEYS:
            bad(key, "unknown key")
    if not isinstance(entry_id, str) or not entry_id.strip():
        bad("id", "missing or empty")
    elif not _ID_RE.match(entry_id):
        bad("id", "must be lower-case letters, digits and single hyphens")
    for key in ("title", "answer"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            bad(key, "missing or empty")
    title, answer = raw.get("title"), raw.get("answer")
    if isinstance(title, str) and len(title) > MAX_TITLE_CHARS:
        bad("title", f"{len(title)} characters, the limit is {MAX_TITLE_CHARS}")
    if isinstance(answer, str) and len(answer.strip()) > MAX_ANSWER_CHARS:
        bad("answer", f"{len(answer.strip())} characters, the limit is {MAX_ANSWER_CHARS}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in (*_REQUIRED_LISTS, *_OPTIONAL_LISTS):
        value = raw.get(key, [] if key in _OPTIONAL_LISTS else None)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            bad(key, "missing, or not a list of non-empty strings")
            continue
        if key in _REQUIRED_LISTS and not value:
            bad(key, "missing or empty")
        lists[key] = tuple(v.strip() for v in value)
    if len(lists.get("phrasings", ())) < MIN_PHRASINGS and "phrasings" in lists and lists["phrasings"]:
        bad("phrasings", f"has {len(lists['phrasings'])}, needs at least {MIN_PHRASINGS}")
    for stage in lists.get("stages", ()):
        if stage not in STAGE_VALUES:
            bad("stages", f"unknown stage '{stage}' (use {', '.join(sorted(STAGE_VALUES))})")
    sources = lists.get("sections", ())
    _check_sources(section, sources, known, bad)
    synonyms = _synonym_groups(raw.get("synonyms", []), bad)
    if not isinstance(entry_id, str) or not entry_id:
        return None
    # An entry with problems is still returned (the load fails anyway) so that the cross-file checks
    # (duplicate ids, related ids, synonyms) report on it too: an author sees every problem in one run.
    return Entry(
        id=str(entry_id),
        title=str(title or "").strip(),
        section=section,
        stages=lists.get("stages", ()),
        related=lists.get("related", ()),
        phrasings=lists.get("phrasings", ()),
        keywords=lists.get("keywords", ()),
        synonyms=synonyms,
        answer=str(answer or "").strip(),
        source=name,
        concepts=lists.get("concepts", ()),
        sources=sources,
        aliases=lists.get("aliases", ()),
    )


def _check_sources(section: str, sources: tuple[str, ...], known: set[str], bad: Any) -> None:
    """Validate `sections`: known slugs, no repeats, the file's own section first."""
    if not sources:
        return
    for slug in sources:
        if slug not in known:
            bad("sections", f"unknown section slug '{slug}'")
    if len(set(sources)) != len(sources):
        bad("sections", "lists a section twice")
    if section and sources[0] != section:
        bad("sections", f"must start with the entry's own section '{section}' (the primary source)")


def _synonym_groups(value: Any, bad: Any) -> tuple[tuple[str, ...], ...]:
    """Validate `synonyms`: a list of groups of single lower-case words."""
    if not isinstance(value, list):
        bad("synonyms", 'must be a list of word groups, e.g. [["degree", "uni"]]')
        return ()
    groups: list[tuple[str, ...]] = []
    for group in value:
        if (
            not isinstance(group, list)
            or len(group) < 2
            or not all(isinstance(w, str) and re.fullmatch(r"[a-z0-9]+", w.strip().lower()) for w in group)
        ):
            bad("synonyms", f"group {group!r} must list two or more single words")
            continue
        groups.append(tuple(w.strip().lower() for w in group))
    return tuple(groups)


def _check_cross_references(entries: list[Entry], problems: list[Problem]) -> None:
    """Check related ids exist and no synonym word maps to two different canonical words."""
    ids = {e.id for e in entries}
    canonical: dict[str, tuple[str, str]] = {}  # word -> (canonical, entry id that said so)
    for entry in entries:
        for rel in entry.related:
            if rel == entry.id:
                problems.append(Problem(entry.source, "lists itself", entry=entry.id, key="related"))
            elif rel not in ids:
                problems.append(Problem(entry.source, f"unknown id '{rel}'", entry=entry.id, key="related"))
        for group in entry.synonyms:
            head = group[0]
            for word in group:
                seen = canonical.get(word)
                if seen and seen[0] != head:
                    problems.append(
                        Problem(
                            entry.source,
                            f"word '{word}' maps to '{head}' here but to '{seen[0]}' in entry '{seen[1]}'",
                            entry=entry.id,
                            key="synonyms",
                        )
                    )
                elif not seen:
                    canonical[word] = (head, entry.id)
