"""Every custom_id prefix the bot uses, in one registry, so two features can never claim the same ids.

A persistent component's custom_id is `sm:<feature>:<what>[:<args>]`. Ids inside a custom_id only say
*what* to act on; who may act and in which server always come from the interaction itself.
"""

from __future__ import annotations

PREFIX = "sm"

SHOW_ENTRY = f"{PREFIX}:show"  # sm:show:<entry>
VOTE = f"{PREFIX}:vote"  # sm:vote:<entry>:<0|1>
TOPICS_PAGE = f"{PREFIX}:topics:page"  # sm:topics:page:<n>
TOPICS_SECTION = f"{PREFIX}:topics:section"
TOPICS_ENTRY = f"{PREFIX}:topics:entry"
LEARNING_DONE = f"{PREFIX}:learn:done"  # sm:learn:done:<delivery id>

REGISTRY: dict[str, str] = {
    SHOW_ENTRY: "answers: show an entry",
    VOTE: "answers: helpful / not helpful",
    TOPICS_PAGE: "topics: change page",
    TOPICS_SECTION: "topics: pick a section",
    TOPICS_ENTRY: "topics: pick an entry",
    LEARNING_DONE: "learning: mark a DM prompt done",
}
