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
STAGE_CHECK = f"{PREFIX}:stage:check"  # sm:stage:check:<owner>:<milestone>
STAGE_QUIZ = f"{PREFIX}:stage:quiz"  # sm:stage:quiz:<owner>:<answer index per question so far>
STAGE_QUIZ_SET = f"{PREFIX}:stage:quizset"  # sm:stage:quizset:<owner>:<stage>
MYDATA_FORGET = f"{PREFIX}:mydata:forget"  # sm:mydata:forget:<owner>:<expires, unix seconds>
MYDATA_CANCEL = f"{PREFIX}:mydata:cancel"  # sm:mydata:cancel:<owner>
LEARNING_DONE = f"{PREFIX}:learn:done"  # sm:learn:done:<delivery id>

REGISTRY: dict[str, str] = {
    SHOW_ENTRY: "answers: show an entry",
    VOTE: "answers: helpful / not helpful",
    TOPICS_PAGE: "topics: change page",
    TOPICS_SECTION: "topics: pick a section",
    TOPICS_ENTRY: "topics: pick an entry",
    STAGE_CHECK: "stages: tick or untick a checklist milestone",
    STAGE_QUIZ: "stages: answer a quiz question",
    STAGE_QUIZ_SET: "stages: set the stage the quiz suggested",
    MYDATA_FORGET: "mydata: confirm deleting my data",
    MYDATA_CANCEL: "mydata: keep my data",
    LEARNING_DONE: "learning: mark a DM prompt done",
}
