"""Discord's size limits, enforced with the same 400 bodies the real API sends.

A bot that passes against a lenient fake and then fails in production on a 2,001-character answer
is the bug this module exists to catch. Limits: https://discord.com/developers/docs/resources/message
and .../interactions/receiving-and-responding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import empty_message, field_error, invalid_form, merge_errors

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
ROW_COMPONENTS_MAX = 5
V2_COMPONENTS_MAX = 40
SELECT_OPTIONS_MAX = 25
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
CHOICES_MAX = 25
CHOICE_TEXT_MAX = 100
MODAL_TITLE_MAX = 45
FLAG_COMPONENTS_V2 = 1 << 15

Path = list[str | int]


def _too_long(path: Path, limit: int) -> dict[str, Any]:
    return field_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _between(path: Path, low: int, high: int) -> dict[str, Any]:
    return field_error(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def walk_components(components: list[dict[str, Any]], path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Yield every component with its path, through rows, containers, sections and labels."""
    for index, comp in enumerate(components or []):
        here = [*path, index]
        yield here, comp
        yield from walk_components(comp.get("components") or [], [*here, "components"])
        for key in ("accessory", "component"):
            child = comp.get(key)
            if isinstance(child, dict):
                yield [*here, key], child
                yield from walk_components(child.get("components") or [], [*here, key, "components"])


def _embed_errors(embeds: list[dict[str, Any]], path: Path, errors: dict[str, Any]) -> None:
    if len(embeds) > EMBEDS_MAX:
        merge_errors(errors, _too_long([*path, "embeds"], EMBEDS_MAX))
    total = 0
    for i, embed in enumerate(embeds):
        here = [*path, "embeds", i]
        checks: list[tuple[str | None, str, int]] = [
            (embed.get("title"), "title", EMBED_TITLE_MAX),
            (embed.get("description"), "description", EMBED_DESCRIPTION_MAX),
        ]
        for text, key, limit in checks:
            total += len(text or "")
            if text and len(text) > limit:
                merge_errors(errors, _too_long([*here, key], limit))
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        total += len(footer) + len(author)
        if len(footer) > EMBED_FOOTER_MAX:
            merge_errors(errors, _too_long([*here, "footer", "text"], EMBED_FOOTER_MAX))
        if len(author) > EMBED_AUTHOR_MAX:
            merge_errors(errors, _too_long([*here, "author", "name"], EMBED_AUTHOR_MAX))
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            merge_errors(errors, _too_long([*here, "fields"], EMBED_FIELDS_MAX))
        for j, fld in enumerate(fields):
            name, value = str(fld.get("name") or ""), str(fld.get("value") or "")
            total += len(name) + len(value)
            if not 1 <= len(name) <= EMBED_FIELD_NAME_MAX:
                merge_errors(errors, _between([*here, "fields", j, "name"], 1, EMBED_FIELD_NAME_MAX))
            if not 1 <= len(value) <= EMBED_FIELD_VALUE_MAX:
                merge_errors(errors, _between([*here, "fields", j, "value"], 1, EMBED_FIELD_VALUE_MAX))
    if total > EMBED_TOTAL_MAX:
        merge_errors(
            errors,
            field_error(
                [*path, "embeds"],
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
            ),
        )


def _component_errors(components: list[dict[str, Any]], v2: bool, path: Path, errors: dict[str, Any]) -> None:
    base = [*path, "components"]
    if not v2 and len(components) > ACTION_ROWS_MAX:
        merge_errors(errors, _too_long(base, ACTION_ROWS_MAX))
    if not v2:
        for i, row in enumerate(components):
            if len(row.get("components") or []) > ROW_COMPONENTS_MAX:
                merge_errors(errors, _too_long([*base, i, "components"], ROW_COMPONENTS_MAX))
    seen: set[str] = set()
    count = 0
    for where, comp in walk_components(components, base):
        count += 1
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            if not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
                merge_errors(errors, _between([*where, "custom_id"], 1, CUSTOM_ID_MAX))
            if custom_id in seen:
                merge_errors(
                    errors,
                    field_error(
                        base, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
                    ),
                )
            seen.add(custom_id)
        if comp.get("type") == 2 and len(comp.get("label") or "") > BUTTON_LABEL_MAX:
            merge_errors(errors, _too_long([*where, "label"], BUTTON_LABEL_MAX))
        if comp.get("type") == 3 and len(comp.get("options") or []) > SELECT_OPTIONS_MAX:
            merge_errors(errors, _too_long([*where, "options"], SELECT_OPTIONS_MAX))
    if v2 and count > V2_COMPONENTS_MAX:
        merge_errors(errors, _too_long(base, V2_COMPONENTS_MAX))


def check_message(
    body: dict[str, Any], *, files: int = 0, require_content: bool = True, path: Path | None = None
) -> None:
    """Raise the RestError Discord would answer for this message body, if any.

    ``require_content`` is False for edits (an edit may touch only some fields); ``path`` prefixes
    error keys (``["data"]`` for interaction callbacks, as Discord reports them).
    """
    path = path or []
    errors: dict[str, Any] = {}
    content = body.get("content")
    flags = int(body.get("flags") or 0)
    v2 = bool(flags & FLAG_COMPONENTS_V2)
    if content is not None and len(str(content)) > CONTENT_MAX:
        merge_errors(errors, _too_long([*path, "content"], CONTENT_MAX))
    if v2 and (content or body.get("embeds")):
        merge_errors(
            errors,
            field_error(
                [*path, "content"] if content else [*path, "embeds"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used when using the IS_COMPONENTS_V2 flag",
            ),
        )
    _embed_errors(body.get("embeds") or [], path, errors)
    _component_errors(body.get("components") or [], v2, path, errors)
    if errors:
        raise invalid_form(errors)
    if require_content and not has_visible_content(body, files):
        raise empty_message()


def has_visible_content(body: dict[str, Any], files: int = 0) -> bool:
    """Whether a message body would show anything (Discord rejects empty messages with 50006)."""
    return bool(
        str(body.get("content") or "").strip()
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or files
        or body.get("attachments")
    )


def check_choices(data: dict[str, Any]) -> None:
    """Validate an autocomplete result (callback type 8): at most 25 choices, names/values <= 100."""
    choices = data.get("choices") or []
    errors: dict[str, Any] = {}
    if len(choices) > CHOICES_MAX:
        merge_errors(errors, _too_long(["data", "choices"], CHOICES_MAX))
    for i, choice in enumerate(choices):
        name = str(choice.get("name") or "")
        if not 1 <= len(name) <= CHOICE_TEXT_MAX:
            merge_errors(errors, _between(["data", "choices", i, "name"], 1, CHOICE_TEXT_MAX))
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_TEXT_MAX:
            merge_errors(errors, _too_long(["data", "choices", i, "value"], CHOICE_TEXT_MAX))
    if errors:
        raise invalid_form(errors)


def check_modal(data: dict[str, Any]) -> None:
    """Validate a modal (callback type 9): title <= 45, custom_id <= 100, 1-5 top-level components."""
    errors: dict[str, Any] = {}
    if not 1 <= len(data.get("title") or "") <= MODAL_TITLE_MAX:
        merge_errors(errors, _between(["data", "title"], 1, MODAL_TITLE_MAX))
    if not 1 <= len(data.get("custom_id") or "") <= CUSTOM_ID_MAX:
        merge_errors(errors, _between(["data", "custom_id"], 1, CUSTOM_ID_MAX))
    if not 1 <= len(data.get("components") or []) <= ACTION_ROWS_MAX:
        merge_errors(errors, _between(["data", "components"], 1, ACTION_ROWS_MAX))
    if errors:
        raise invalid_form(errors)
