"""Whether the words so far make a whole request: the device's early end rests on it."""

from __future__ import annotations

import pytest

from confide.capture.agent import EndpointSettings
from confide.demo.recordings import Speaker
from confide.recognize import load_recognizer
from confide.understand.completeness import RequestEnd, SpokenRequestEnd, first_of_a_loop
from confide.understand.data import Query, SlotSpan, read_all
from confide.understand.default import training_files

LEAST = min(least for _, least in EndpointSettings().early_ends)
"""Below this the device waits the full trailing silence."""
SURE = max(least for _, least in EndpointSettings().early_ends)
"""From this the device ends after the shortest pause."""


@pytest.fixture(scope="session")
def request_end() -> RequestEnd:
    return RequestEnd.train(read_all(training_files()))


@pytest.mark.parametrize(
    ("whole", "unfinished"),
    [
        ("play something by the beatles", "play something by"),
        ("set a timer for ten minutes", "set a timer for"),
        ("what's the weather like in paris tomorrow", "what's the weather like in"),
        ("add eggs to my shopping list", "add eggs to my"),
        ("book a table for two at eight pm", "book a table for two at"),
        ("turn the volume up", "turn the"),
    ],
)
def test_a_request_is_whole_and_its_prefix_is_not(
    request_end: RequestEnd, whole: str, unfinished: str
) -> None:
    assert request_end.probability(unfinished) < LEAST <= request_end.probability(whole)


@pytest.mark.parametrize(
    "name", ["zoltan kodaly", "the velvet underground", "fela kuti", "the kinks"]
)
def test_a_name_never_seen_ends_a_request_as_well_as_a_known_one(
    request_end: RequestEnd, name: str
) -> None:
    """Open words are one symbol per run, so the model judges the shape, not the name. (A name
    made of carrier words, "siouxsie and the banshees", is judged unfinished: it waits the full
    trailing silence, which costs time, never words.)"""
    known = request_end.probability("play a song by the beatles")
    assert request_end.probability(f"play a song by {name}") == pytest.approx(known, abs=0.35)
    assert request_end.probability(f"play a song by {name}") >= LEAST


@pytest.mark.parametrize("text", ["", "   ", "!?"])
def test_no_words_are_never_a_request(request_end: RequestEnd, text: str) -> None:
    assert request_end.probability(text) == 0.0


def test_the_model_is_counted_from_its_queries_alone() -> None:
    """Trained on queries that always end in a place, a request that stops before it is not
    whole, and one that reaches it is."""
    texts = [f"what's the weather in {place}" for place in ("paris", "lima", "oslo", "rome")]
    queries = [
        Query(text, "GetWeather", (SlotSpan("city", text.index(" in ") + 4, len(text)),))
        for text in texts * 5
    ]
    model = RequestEnd.train(queries)
    assert model.probability("what's the weather in tokyo") >= SURE
    assert model.probability("what's the weather") < LEAST
    assert model.probability("what's the weather in") < LEAST


@pytest.mark.parametrize(
    ("heard", "said"),
    [
        ("Remove two hours. Remove two hours. Remove two", "Remove two hours."),
        ("Stop the timer. Stop the", "Stop the timer."),
        ("Play jazz. Then stop.", "Play jazz. Then stop."),
        ("Set a timer for", "Set a timer for"),
        ("", ""),
    ],
)
def test_a_recogniser_loop_counts_once(heard: str, said: str) -> None:
    assert first_of_a_loop(heard) == said


@pytest.mark.parametrize(
    ("said", "voice", "whole"),
    [
        ("Play something by the Beatles.", "joe", True),
        ("Set a timer for ten minutes.", "heart", True),
        ("Play something by", "heart", False),
        ("Add eggs to my", "joe", False),
    ],
)
def test_spoken_requests_are_judged_through_the_local_recogniser(
    request_end: RequestEnd, speech: Speaker, said: str, voice: str, whole: bool
) -> None:
    check = SpokenRequestEnd(load_recognizer(), request_end)
    assert (check.completeness(speech(said, voice, 1.0)) >= LEAST) is whole
