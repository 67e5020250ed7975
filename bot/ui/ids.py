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
STAGE_NEXT = f"{PREFIX}:stage:next"  # sm:stage:next:<owner>
STAGE_CHECK = f"{PREFIX}:stage:check"  # sm:stage:check:<owner>:<milestone>
STAGE_QUIZ = f"{PREFIX}:stage:quiz"  # sm:stage:quiz:<owner>:<answer index per question so far>
STAGE_QUIZ_SET = f"{PREFIX}:stage:quizset"  # sm:stage:quizset:<owner>:<stage>
MYDATA_FORGET = f"{PREFIX}:mydata:forget"  # sm:mydata:forget:<owner>:<expires, unix seconds>
MYDATA_CANCEL = f"{PREFIX}:mydata:cancel"  # sm:mydata:cancel:<owner>
LEARNING_DONE = f"{PREFIX}:learn:done"  # sm:learn:done:<delivery id>
CHALLENGE_JOIN = f"{PREFIX}:ch:join"  # sm:ch:join:<challenge>
CHALLENGE_SUBMIT = f"{PREFIX}:ch:submit"  # sm:ch:submit:<challenge>
CHALLENGE_VOTE = f"{PREFIX}:ch:vote"  # sm:ch:vote:<challenge>:<submission>
CHALLENGE_PAGE = f"{PREFIX}:ch:page"  # sm:ch:page:<challenge>:<page>
CHALLENGE_FORM = f"{PREFIX}:ch:form"  # modals: sm:ch:form:create, sm:ch:form:edit:<id>, sm:ch:form:entry:<id>
CHALLENGE_RETRY = f"{PREFIX}:ch:retry"  # the "edit and try again" button under a refused form
HELP_AREA = f"{PREFIX}:help:area"  # the /help area picker (the area is the selected value)
SETUP = f"{PREFIX}:setup"  # sm:setup:<step>:<what> (the /mentor setup wizard)

REGISTRY: dict[str, str] = {
    SHOW_ENTRY: "answers: show an entry",
    VOTE: "answers: helpful / not helpful",
    TOPICS_PAGE: "topics: change page",
    TOPICS_SECTION: "topics: pick a section",
    TOPICS_ENTRY: "topics: pick an entry",
    STAGE_NEXT: "stages: show what's next (as /stage next)",
    STAGE_CHECK: "stages: tick or untick a checklist milestone",
    STAGE_QUIZ: "stages: answer a quiz question",
    STAGE_QUIZ_SET: "stages: set the stage the quiz suggested",
    MYDATA_FORGET: "mydata: confirm deleting my data",
    MYDATA_CANCEL: "mydata: keep my data",
    LEARNING_DONE: "learning: mark a DM prompt done",
    CHALLENGE_JOIN: "challenges: join from the announcement",
    CHALLENGE_SUBMIT: "challenges: submit from the announcement (opens a form)",
    CHALLENGE_VOTE: "challenges: vote for a submission",
    CHALLENGE_PAGE: "challenges: page through submissions (moderators)",
    CHALLENGE_FORM: "challenges: the create / edit / entry forms",
    CHALLENGE_RETRY: "challenges: reopen a refused form with what was typed",
    HELP_AREA: "help: narrow /help to one area",
    SETUP: "setup: the /mentor setup wizard's selects and buttons",
}
