"""The retrieval engine on the shipped knowledge base: answers, typos, slang, declines, odd input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge import Confidence, SearchIndex, load_knowledge
from bot.knowledge.evaluation import evaluate, read_labelled
from bot.knowledge.model import Entry
from bot.knowledge.results import CLOSE_CALL_MARGIN, Match, SearchResult, confidence_of
from bot.knowledge.search import ANSWER_THRESHOLD, MAX_ALTERNATIVES
from bot.knowledge.text import MAX_QUERY_CHARS, content_words, document_words, stem, words


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(load_knowledge())


@pytest.mark.parametrize(
    ("question", "sections"),
    [
        ("is a music production degree worth getting", {"formal-education"}),
        ("do i have to go to uni to make it as a producer", {"formal-education"}),
        ("how do i get real studio experience", {"hands-on-training", "starting-as-an-intern"}),
        ("what does an intern do all day at a studio", {"starting-as-an-intern"}),
        ("assistant producer duties", {"assistant-producer-role"}),
        ("how do i move up from assistant to full producer", {"advancing-to-producer", "career-path"}),
        ("do i need to play an instrument", {"musical-talent"}),
        ("how important is music theory", {"musical-talent", "formal-education"}),
        ("which daw skills matter most", {"technical-proficiency", "sound-engineering"}),
        ("where should i put the microphone when recording", {"sound-engineering"}),
        ("how do i stay up to date with new production tech", {"continuous-learning"}),
        ("how do i find my own unique sound", {"creativity"}),
        (
            "what does a producer actually do",
            {"job-responsibilities", "music-production", "advancing-to-producer"},
        ),
        ("how do i work with artists without clashing", {"collaboration"}),
        ("whats the career ladder for producers", {"career-path"}),
    ],
)
def test_plain_questions_are_answered_from_the_right_section(
    index: SearchIndex, question: str, sections: set[str]
) -> None:
    """Everyday phrasings land on an entry from an accepted section, with high confidence."""
    result = index.search(question)
    assert result.confidence is Confidence.HIGH, (question, result)
    assert result.best is not None and result.best.entry.section in sections


@pytest.mark.parametrize(
    ("question", "sections"),
    [
        ("internshp tips pls", {"starting-as-an-intern", "hands-on-training"}),
        ("do u need a degre 2 be a producr", {"formal-education"}),
        (
            "wat r the best ways 2 lern mixing",
            {"technical-proficiency", "sound-engineering", "music-production"},
        ),
        ("MIC PLACEMENT???", {"sound-engineering"}),
        ("ear trainning for producers", {"musical-talent"}),
        ("Whát does an assistânt prodúcer do?", {"assistant-producer-role"}),
    ],
)
def test_typos_slang_case_and_accents_are_tolerated(
    index: SearchIndex, question: str, sections: set[str]
) -> None:
    """Misspellings, chat spellings, shouting and accents still find the answer."""
    result = index.search(question)
    assert result.answered, (question, result)
    assert result.best is not None and result.best.entry.section in sections


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather like tomorrow",
        "how do i cook a good lasagna",
        "how do i become a doctor",
        "do i need a degree to be a nurse",
        "who won the football last night",
        "recommend me a good anime",
        "what is the capital of france",
        "hello",
        "lol",
        "thanks",
    ],
)
def test_off_topic_questions_are_declined(index: SearchIndex, question: str) -> None:
    """Questions the article can't answer get no answer rather than a wrong one."""
    result = index.search(question)
    assert not result.answered, (question, result.best)


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   \t\n ",
        "?!?!...",
        "🎧🎹🔥",
        "a" * 10_000,
        "music " * 2_000,
        "\x00\x00producer\x00",
        "\ud800\udfff intern",
        "¿Cómo me convierto en productor musical?",
        "音楽プロデューサーになるには",
        "<@123> @everyone @here",
    ],
)
def test_odd_input_never_raises(index: SearchIndex, question: str) -> None:
    """Empty, huge, emoji, NUL, surrogate and foreign input give a result, never an exception."""
    result = index.search(question)
    assert result.confidence in set(Confidence)
    if not question.strip() or question in ("?!?!...", "🎧🎹🔥"):
        assert result.confidence is Confidence.NONE


def test_confidence_bands_are_consistent(index: SearchIndex) -> None:
    """An answered result scores at or above the answer threshold and offers at most three alternatives."""
    result = index.search("how do i land an internship at a recording studio")
    assert result.answered and result.score >= ANSWER_THRESHOLD
    assert len(result.alternatives) <= MAX_ALTERNATIVES
    assert result.best is not None
    assert all(m.entry.id != result.best.entry.id for m in result.alternatives)
    assert all(m.score <= result.best.score for m in result.alternatives)


def test_suggest_returns_titles_for_autocomplete(index: SearchIndex) -> None:
    """Autocomplete gets at most 25 entries, relevant ones first, and something for empty input."""
    assert 0 < len(index.suggest("")) <= 25
    hits = index.suggest("intern", limit=25)
    assert len(hits) <= 25
    assert hits[0].section in {"starting-as-an-intern", "hands-on-training", "career-path"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=600))
def test_engine_never_raises_on_arbitrary_text(index: SearchIndex, text: str) -> None:
    """Property: any Unicode text gives a SearchResult with a score in [0, 1]."""
    result = index.search(text)
    assert 0.0 <= result.score <= 1.0
    assert result.answered == (result.confidence is Confidence.HIGH)


def test_normalisation_expands_chat_spellings_and_contractions() -> None:
    """'wat r u' and "what's" are read as plain English."""
    assert words("Wat r u doin'") == ["what", "are", "you", "doin"]
    assert words("What’s a producer's job?") == ["what", "is", "a", "producer", "job"]
    assert content_words("how do i become a producer pls") == ["become", "producer"]
    assert words("hands on w/o school, w/ a laptop") == [
        "hands",
        "on",
        "without",
        "school",
        "with",
        "a",
        "laptop",
    ]
    assert words("any1 know if theyre hiring") == ["anyone", "know", "if", "they", "are", "hiring"]


@pytest.mark.parametrize(
    ("a", "b"),
    [("producer", "production"), ("engineering", "engineer"), ("internships", "intern"), ("mixing", "mix")],
)
def test_stemmer_joins_inflections(a: str, b: str) -> None:
    """Inflections of one word share a stem."""
    assert stem(a) == stem(b)


@pytest.mark.parametrize(
    "question",
    [
        "how much do producers earn",
        "do i need a degree to be a software engineer",
        "how do i get a record deal",
        "fl studio or ableton which is better",
        "best headphones for mixing",
        "how do i get more streams on spotify",
        "good bot",
        "who made u",
    ],
)
def test_out_of_scope_topics_are_declined(index: SearchIndex, question: str) -> None:
    """Pay, other careers, deals, product comparisons, platforms and chit-chat are not answered."""
    assert not index.search(question).answered, (question, index.search(question).best)


def test_out_of_scope_words_are_marked_and_never_matched(index: SearchIndex) -> None:
    """Out-of-scope words and pairs come back marked from analyse() and outweigh on-topic words."""
    stems = index.analyse("how do i become a dentist")
    assert any(s.startswith("!") for s in stems)
    assert "!software_engineer" in index.analyse("software engineer degree")
    # "software" alone is the article's own word (experimenting with new software).
    assert not any(s.startswith("!") for s in index.analyse("should i try new software"))


@pytest.mark.parametrize(
    ("typed", "fixed"),
    [
        ("mixng", "mixing"),
        ("studoi", "studio"),
        ("lern", "learn"),
        ("trainning", "training"),
        ("talant", "talent"),  # spelled by ear: one vowel for another, from six letters
        ("carear", "career"),
        ("studeo", "studio"),
    ],
)
def test_typo_correction_undoes_slips(index: SearchIndex, typed: str, fixed: str) -> None:
    """Dropped, doubled and swapped letters are read as the knowledge base's word."""
    assert index.analyse(typed) == index.analyse(fixed)


@pytest.mark.parametrize(
    "word", ["earn", "class", "made", "tone", "rules", "charge", "teaching", "tune", "hire"]
)
def test_typo_correction_leaves_real_words_alone(index: SearchIndex, word: str) -> None:
    """Real words one letter from a known word are not 'corrected' ("earn" is not "ear")."""
    assert index.vocabulary.correct(word) == word


def test_answer_text_is_searchable(index: SearchIndex) -> None:
    """Words only an entry's answer uses (the article's vocabulary) still find it."""
    result = index.search("access to state of the art facilities")
    assert result.answered and result.best is not None
    assert result.best.entry.section == "formal-education"


def test_inflections_of_synonyms_map_to_their_group(index: SearchIndex) -> None:
    """An inflection the author did not list ("clashing") maps like its listed form ("clash")."""
    assert index.analyse("clashing") == index.analyse("clash")


@pytest.mark.parametrize(
    ("a", "b"),
    [("giving", "give"), ("making", "make"), ("assisting", "assistant"), ("mics", "mic"), ("hired", "hire")],
)
def test_stemmer_joins_short_words_and_silent_e(a: str, b: str) -> None:
    """Four-letter words, silent-e verbs and -ist/-ant words share a stem with their inflections."""
    assert stem(a) == stem(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("care", "car"),
        ("process", "proces"),
        ("artist", "art"),
        ("career", "care"),
        ("careers", "cares"),
        ("hearing", "ear"),
        ("early", "ear"),
        ("expectations", "expect"),
    ],
)
def test_stemmer_keeps_distinct_words_apart(a: str, b: str) -> None:
    """Endings that are part of the word are kept: "process" is not a plural, "artist" is not "art"."""
    assert stem(a) != stem(b)


def test_numbers_carry_no_topic() -> None:
    """Ages, years and counts are not content words."""
    assert content_words("im 17 and been producing 5 yrs") == ["producing", "years"]


def test_repeated_questions_get_the_same_result_from_the_cache() -> None:
    """A question asked again, in other case and punctuation, gets exactly what a fresh search gives."""
    kb = load_knowledge()
    index, fresh = SearchIndex(kb), SearchIndex(kb)
    first = index.search("Internship tips?")
    again = index.search("internship   TIPS")
    assert again.question == "internship   TIPS"
    assert again == fresh.search("internship   TIPS")
    assert (again.best, again.confidence, again.alternatives) == (
        first.best,
        first.confidence,
        first.alternatives,
    )


def test_result_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keeps at most RESULT_CACHE_SIZE questions, so arbitrary traffic cannot grow memory."""
    import bot.knowledge.search as search_module

    monkeypatch.setattr(search_module, "RESULT_CACHE_SIZE", 5)
    index = SearchIndex(load_knowledge())
    for i in range(20):
        index.search(f"how do i get an internship at studio number {i} zq{i}")
    assert len(index._results) == 5


def test_one_word_question_needs_a_topic_word(index: SearchIndex) -> None:
    """A lone word that is no entry's topic is at most a suggestion; a topic word alone is answered."""
    assert not index.search("person").answered
    topic = index.search("internship")
    assert (
        topic.answered
        and topic.best is not None
        and topic.best.entry.section in {"starting-as-an-intern", "hands-on-training"}
    )


def result_with(best: float, *alts: tuple[str, float]) -> SearchResult:
    """A result answering from section `alpha` at `best`, with runners-up (section, score)."""

    def entry(i: int, section: str) -> Entry:
        return Entry(
            id=f"e{i}", section=section, title=f"T{i}", stages=("learning",), related=(),
            phrasings=("a", "b", "c", "d"), keywords=("k",), synonyms=(), answer="x",
        )  # fmt: skip

    matches = tuple(Match(entry(i, sec), score) for i, (sec, score) in enumerate(alts, 1))
    return SearchResult("q", confidence_of(best), Match(entry(0, "alpha"), best), matches)


def test_close_calls_are_runners_up_on_other_topics_within_the_margin() -> None:
    """Only another topic's entry within CLOSE_CALL_MARGIN of an answer is offered beside it, at most two."""
    top = ANSWER_THRESHOLD + 0.2
    result = result_with(
        top,
        ("alpha", top - 0.01),  # same topic: the related buttons cover it
        ("beta", top - CLOSE_CALL_MARGIN + 0.001),  # just inside the margin: offered
        ("gamma", top - CLOSE_CALL_MARGIN - 0.01),  # beyond it
    )
    assert [e.id for e in result.close_calls] == ["e2"]
    assert [e.id for e in result.offers] == ["e2"]
    many = result_with(top, ("beta", top), ("gamma", top), ("delta", top))
    assert [e.id for e in many.close_calls] == ["e1", "e2"]


def test_guesses_and_declines_have_no_close_calls() -> None:
    """A weak match offers its guesses as suggestions, never as close calls; a decline offers nothing."""
    weak = result_with(ANSWER_THRESHOLD - 0.01, ("beta", ANSWER_THRESHOLD - 0.02))
    assert weak.close_calls == []
    assert [e.id for e in weak.offers] == ["e0", "e1"]
    assert result_with(0.05, ("beta", 0.05)).offers == []


def test_evaluation_counts_a_close_call_as_offered(tmp_path: Path) -> None:
    """kb eval's "answered or offered" counts a right entry offered beside a wrong answer, not as a hit."""
    index = SearchIndex(load_knowledge())
    tuning = read_labelled(Path(__file__).parent / "data" / "realistic-tuning-questions.tsv")
    question = next(item.question for item in tuning if index.search(item.question).close_calls)
    offered = index.search(question).close_calls[0]
    labels = tmp_path / "q.tsv"
    labels.write_text(f"{question}\t{offered.section}\n", encoding="utf-8")
    report = evaluate(index, read_labelled(labels))
    assert (report.on_topic_hits, report.on_topic_reached) == (0, 1)


def test_whole_section_text_is_indexed_not_only_its_opening() -> None:
    """An article section's last words count as evidence for its entries, however long the section is."""
    kb = load_knowledge()
    index = SearchIndex(kb)
    section = max(kb.sections, key=lambda s: len(s.text))
    assert len(section.text) > MAX_QUERY_CHARS + 200
    tail = [w for w in content_words(section.text[-200:])[1:] if w not in content_words(section.text[:400])]
    assert tail, "the section's tail repeats its opening"
    stems = index.vocabulary.stems(tail)
    assert set(stems) <= index._section_stems[section.slug]


def test_document_words_reads_every_chunk() -> None:
    """document_words keeps words past MAX_QUERY_CHARS that a member's message would lose."""
    text = "studio " * 100 + "mentorship"
    assert "mentorship" not in content_words(text)
    assert document_words(text)[-1] == "mentorship"


def test_phrasings_spell_words_in_full(index: SearchIndex) -> None:
    """A phrasing's dropped g ("mixin") makes the knowledge base know "mixin" as a word of its own, so members'
    "mixin" stops being corrected to "mixing" and matches that one phrasing only: phrasings spell words out."""
    known = index.vocabulary._known
    clipped = sorted(
        (entry.id, word)
        for entry in index.kb.entries
        for text in (entry.title, *entry.phrasings)
        for word in words(text)
        if len(word) >= 5 and word.endswith("in") and word + "g" in known  # "win" is a word
    )
    assert clipped == []
