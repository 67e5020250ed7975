"""The out-of-scope intents: each is recognised and declined, and on-topic questions stay clear of all of them."""

from __future__ import annotations

import pytest

from bot.knowledge import Confidence, SearchIndex, load_knowledge
from bot.knowledge.scope import INTENTS, check_scope, intent_of
from bot.knowledge.text import words


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """Return one index over the shipped knowledge base for the whole module."""
    return SearchIndex(load_knowledge())


# One or more questions per intent, in the shared vocabulary that makes them traps (never the blind set's).
DECLINED = [
    ("money", "how much does a studio producer make a year"),
    ("money", "what should i charge a rapper for a beat"),
    ("money", "can you make good money producing"),
    ("money", "whats the going rate for an ep"),
    ("selling-and-business", "where do i sell my sample packs"),
    ("legal", "do i need permission to clear a sample from an old record"),
    ("legal", "how do i register my beats with bmi"),
    ("distribution-and-promotion", "how do i get my beats on spotify playlists"),
    ("distribution-and-promotion", "how do i get signed by a label"),
    ("product-choice", "which daw should a beginner use"),
    ("product-choice", "ableton or fl studio for trap?"),
    ("product-choice", "best budget studio monitors"),
    ("named-schools", "is full sail worth it"),
    ("named-schools", "which college in leeds has a good production course"),
    ("other-careers", "how do i become a radio dj"),
    ("other-careers", "how do i get into video game audio"),
    ("technique-how-to", "how do i make a drill beat from scratch"),
    ("technique-how-to", "how do you sidechain a bass"),
    ("technique-how-to", "what bpm is drum and bass"),
    ("chat", "whats up guys"),
    ("chat", "who produced the weeknd's album"),
    ("chat", "rate my beat pls"),
    ("money", "do studio assistants get paid or is it all for exposure"),
    ("money", "how should i negotiate my rate with a rapper"),
    ("money", "how do producer points work on an album"),
    ("legal", "can i legally flip a sample from a 70s soul record"),
    ("distribution-and-promotion", "best way to release my ep on every platform"),
    ("product-choice", "is a macbook air enough for producing"),
    ("product-choice", "plugin recs for a beginner? must haves only"),
    ("named-schools", "is that udemy course on mixing legit"),
    ("other-careers", "how do foh engineers get hired for tours"),
    ("other-careers", "how would someone become a front of house engineer"),
    ("other-careers", "thinking about live sound as my full time job instead, where do i start"),
    ("other-careers", "is sound design for video games a good career"),
    ("named-schools", "does the open university do anything for music tech"),
    ("other-careers", "whats a day like for a radio producer"),
    ("other-careers", "how do session drummers find work these days"),
    ("technique-how-to", "whats a good vocal chain for rap"),
    ("technique-how-to", "how do i make my kick punchier"),
    ("chat", "tell me a joke about bass players"),
    ("chat", "are you a real person or a bot"),
    ("money", "thinking of a kickstarter for my first ep, what rewards should i offer"),
    ("money", "how much should i budget for mixing and mastering an album"),
    ("legal", "whats the process for clearing samples from old vinyl"),
    ("named-schools", "is the timbaland masterclass worth it"),
    ("health", "got tinnitus after a loud gig, will it go away"),
    ("chat", "bot whats your favourite genre"),
    ("statistics", "whats the average age people get their first producer job"),
    ("statistics", "what percentage of interns end up as producers"),
    # Whole categories, not single tuning questions: other brands, platforms, careers and techniques.
    ("money", "is it normal to ask for half the fee upfront before mixing someones ep"),
    ("money", "my clients keep lowballing me, how do i value my work"),
    ("selling-and-business", "how do i start my own record label with two friends"),
    ("selling-and-business", "where should i sell my drum kits and serum presets"),
    ("legal", "someone uploaded my beat under their name, who owns it and can i file a dmca"),
    ("legal", "what goes in a producer agreement with an indie artist"),
    ("distribution-and-promotion", "should i use cd baby or amuse for my first single"),
    ("distribution-and-promotion", "how do i pitch my track to music blogs and curators"),
    ("product-choice", "neumann tlm102 or rode nt1 for a home vocal booth"),
    ("product-choice", "is an ipad pro enough to make full songs on"),
    ("named-schools", "anyone done the abbey road institute diploma"),
    ("named-schools", "which youtube channels are best for learning mixing"),
    ("other-careers", "how do i become a music supervisor for tv shows"),
    ("other-careers", "how do i get into audio post production for films"),
    ("technique-how-to", "how do i make a reese bass in serum"),
    ("technique-how-to", "whats the trick to a good tape stop effect"),
    ("tech-support", "fl studio keeps crashing when i load kontakt"),
    ("tech-support", "getting crackling and audio dropouts on my laptop, asio driver issue?"),
    ("statistics", "how many people apply for each studio internship"),
    ("chat", "can you write me a poem about my cat"),
    ("chat", "happy new year everyone"),
    ("health", "my wrist hurts after long sessions, any ergonomic tips"),
    ("chat", "morning fam, finally bounced my first full ep last night"),
    ("product-choice", "must haves for a home studio on a budget?"),
    ("product-choice", "is a 49 key controller enough or should i go for 61"),
    ("product-choice", "good laptop for music production under a grand?"),
    ("money", "someone finally wants me to mix their ep, what should i even charge them"),
    ("legal", "how do i make sure im credited on apple music for the tracks i made"),
    ("product-choice", "what are some decent cheap midi keyboards"),
    ("technique-how-to", "love that warm tape sound on old records, how do i get it in my daw"),
    ("health", "i have adhd and cant focus on one track, how do i manage it"),
    # Round 2: more brands, platforms, PROs, careers, settings, file moves and chat, in new wording.
    ("money", "how do i bring up payment with a band without sounding greedy"),
    ("selling-and-business", "should i register an llc before i take on mixing clients"),
    ("legal", "do i have to join sesac or gmr to collect as a producer"),
    ("legal", "can i use this loop commercially if i found it online"),
    ("distribution-and-promotion", "is audiomack or boomplay better for reaching listeners in africa"),
    ("distribution-and-promotion", "how do i book my first local gig, i emailed three venues already"),
    ("product-choice", "which daw is easiest for someone who never touched music software"),
    ("product-choice", "reaper or bitwig for a complete beginner on a tiny laptop"),
    ("named-schools", "which universities offer sound engineering in portugal"),
    ("named-schools", "is the sadowick channel a good place to learn"),
    ("other-careers", "how do i get into library music composing for adverts"),
    ("other-careers", "i only want to be a mastering engineer, how do i start that career"),
    ("technique-how-to", "good starting point for reverb settings on a snare"),
    ("tech-support", "how do i move my cubase projects to a new mac"),
    ("tech-support", "there is a ground loop hum whenever my laptop charges"),
    ("statistics", "how big is the global plugin market these days"),
    ("chat", "any singers here looking for beats? hit my dms"),
    ("chat", "did pharrell go to school for music or was he self taught"),
]

# On-topic questions that use the intents' vocabulary in the article's own sense: none may trip an intent.
CLEAR = [
    "is an internship worth it if i mostly set up gear",
    "how do i handle budgeting and scheduling as a producer",
    "what's the best way to learn a daw",
    "is knowing ableton or fl inside out important",
    "is it better to learn a daw or an instrument first",
    "how much experience do i need to get an internship",
    "how much does music theory matter",
    "what key skills does a producer need",
    "how do i bounce back from rejection",
    "what course should i take for music production",
    "is producing as rewarding as what youtubers say, or is that hype",
    "do you learn much at uni in music production",
    "what daw skills do i need",
    "not sure if this is the right channel but how do i get an internship",
    "how do i get promoted to full producer",
    "can i learn producing from youtube tutorials",
    "do i need a teacher or can i learn alone",
    "how do i make each instrument clear in the mix",
    "what skills does a producer need? thanks in advance",
    "theres no music school near me, how else do producers get trained",
    "does helping out with live sound at concerts count as hands on training",
    "do producers handle the budget and scheduling for a record",
    "is an internship worth it if it pays nothing",
    "how do i keep up with new plugins and trends",
    "love this server! how do producers keep improving once they know the basics",
    "where should i put the mic when recording vocals at home",
    "is a production masterclass worth going to",
    "my brother-in-law runs sound at a small venue, would helping him count as experience",
    "how long does it take to go from intern to producer",
    "do most people who try to become producers make it",
    # The same vocabulary in the article's own sense (gear, software, concerts, sessions, schools, money).
    "how much time does it take to go from intern to producer",
    "is it ok to do unpaid work for local bands to build a portfolio",
    "how do i bounce back after an artist rejects my ideas",
    "is there a shortcut to becoming a producer",
    "i keep freezing up when an artist asks me something in the session, how do i handle the pressure",
    "will interning mean i am just tidying cables and setting up mics",
    "how do i make melodies that stand out instead of sounding like everyone else",
    "is live sound at local gigs good training for producing",
    "i help the sound engineer at concerts on weekends, does that count as experience",
    "how did most producers get started",
    "when are you a real producer",
    "do you think i need a degree to produce",
    "how do i get my tracks to sound professional",
    "is it worth learning new software and equipment as it comes out",
    "should i study audio engineering at a university or learn online",
    "what do i need to know about mixing and mastering as a producer",
    "how do producers hire session musicians and book the studio",
    "i am so tired of getting rejected, should i keep going",
    "how do i keep up with trends without copying everyone",
    "do producers handle the budget for a record",
    # Round 2: the new vocabulary in the article's own sense.
    "my mixes sound muddy and everything clashes, what should i learn",
    "in summary what does it take to make it as a producer",
    "which skills are the most important for a producer",
    "how do i bring up my ideas with an artist without stepping on toes",
    "how did you learn to produce",
    "is teaching myself production at home enough or do i need a course",
    "do i need to know how to back up the artist when the label disagrees",
    "should i learn new software when it comes out or stick with what i know",
    # Round 3: "must have", "good with", "vintage sound" in the article's own sense.
    "what are the must have qualities for someone who wants to produce",
    "im pretty decent with computers but clueless about music, what should a producer learn first",
    "the band wants a vintage sound and i dont know how a producer gets the artist there",
    "my boss says i might get my first production credit soon, what changes when you lead sessions",
    "hey all, first time posting. an assistant producer does what exactly",
    "hi, i need advice on getting an internship at a studio",
]


def test_intent_names_are_unique() -> None:
    """Each intent has its own name: the bot tells members which topic the article does not cover."""
    names = [intent.name for intent in INTENTS]
    assert len(names) == len(set(names))


def test_every_intent_has_a_declined_example() -> None:
    """The table below covers every intent, so a new intent cannot ship untested."""
    assert {name for name, _ in DECLINED} == {intent.name for intent in INTENTS}


@pytest.mark.parametrize(("intent", "question"), DECLINED)
def test_out_of_scope_intents_are_declined(index: SearchIndex, intent: str, question: str) -> None:
    """A question of an out-of-scope intent is neither answered nor offered, and names its intent."""
    result = index.search(question)
    assert result.confidence is Confidence.NONE, (question, result.best)
    hit = check_scope(words(question))
    assert hit.intent == intent or intent in {intent_of(mark) for mark in hit.marks}, hit


@pytest.mark.parametrize("question", CLEAR)
def test_on_topic_questions_trip_no_intent(question: str) -> None:
    """Words like "best", "how much", "uni in", "channel" in an on-topic question do not decline it."""
    assert check_scope(words(question)).intent is None


def test_whole_intent_in_the_asked_sentence_is_not_read_away(index: SearchIndex) -> None:
    """A pay question followed by backstory stays declined: ranking the asked sentence alone keeps the intent."""
    question = (
        "how much does a producer make in a year? trying to work out if i could support my wife and kids "
        "on it before i quit the warehouse job next spring"
    )
    result = index.search(question)
    assert result.confidence is Confidence.NONE
    assert result.out_of_scope == "money"


def test_declined_result_names_the_intent(index: SearchIndex) -> None:
    """SearchResult.out_of_scope names the intent, so the bot can say what the article does not cover."""
    assert index.search("how much do producers make").out_of_scope == "money"
    assert index.search("how do i get an internship").out_of_scope is None


# Chat around a real question is backstory (scope.Intent.declines_from_backstory): the question is answered.
CHAT_AROUND_A_QUESTION = [
    (
        "morning all, my cat is asleep on my keyboard again lol. what does an assistant producer actually do all day?",
        "assistant-producer-role",
    ),
    (
        "my dog keeps barking at my monitors lol. anyway, is a music degree worth it for producers?",
        "formal-education",
    ),
    (
        "ordered pizza, back to the grind. is it normal to feel like a fraud when you start out in production?",
        "conclusion",
    ),
]


@pytest.mark.parametrize(("question", "section"), CHAT_AROUND_A_QUESTION)
def test_chat_in_the_backstory_does_not_decline_the_question(
    index: SearchIndex, question: str, section: str
) -> None:
    """A greeting, a pet or "how are you" beside an on-topic question is chatter, not the question."""
    assert check_scope(words(question)).intent == "chat"  # the whole message does trip the chat intent
    result = index.search(question)
    assert result.out_of_scope is None
    assert result.answered and section in result.best.entry.sources, result.best


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        # The asked part itself is chat: still declined, whatever the backstory says.
        ("i want to be a producer one day. who produced that new kendrick album?", "chat"),
        ("been learning production for a year now. anyone wanna collab on a track?", "chat"),
        # Other intents decline from the backstory too: only chat is chatter.
        (
            "my parents want to know how much producers make before they let me do this. does anyone know?",
            "money",
        ),
        ("got tinnitus last month from loud sessions. should i still try to become a producer?", "health"),
    ],
)
def test_only_chat_is_read_as_backstory(index: SearchIndex, question: str, intent: str) -> None:
    """Chat in the asked part, or any other intent anywhere, still declines the message."""
    result = index.search(question)
    assert result.confidence is Confidence.NONE, result.best
    assert result.out_of_scope == intent


@pytest.mark.parametrize(
    ("question", "marks"),
    [
        ("how long before an assistant gets a promotion to producer", ()),
        ("will the studio ever promote me to producer", ()),
        ("how do i get promotion for my ep", ("promotion",)),
        ("best way to promote my beats online", ("promote",)),
    ],
)
def test_a_promotion_up_the_career_ladder_is_not_promoting_music(
    question: str, marks: tuple[str, ...]
) -> None:
    """'Promotion to producer' is a career step; promoting a release stays an out-of-scope word."""
    assert check_scope(words(question)).marks == marks
