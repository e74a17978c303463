"""A protected clip: bleeped, redacted, and refused whenever what was hidden can still be heard."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np
import pytest

from confide.audio import SAMPLE_RATE, Audio
from confide.demo.recordings import Speaker
from confide.protect.bleep import DEFAULT_GUARD
from confide.protect.clip import Detect, ProtectedClip, protect_clip
from confide.protect.public_slots import PublicName
from confide.protect.redact import default_redactor
from confide.protect.spans import PiiSpan
from confide.recognize import Recognizer, load_recognizer
from confide.recognize.base import Transcript, Word

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_DIGIT = rf"(?:\d+|oh|{'|'.join(DIGIT_WORDS)})"
_NUMBER = re.compile(rf"\b{_DIGIT}(?:[\s.,-]+{_DIGIT})*\b", re.IGNORECASE)


def digits_in(text: str) -> list[str]:
    """Every digit said in `text`, as digits, in order."""
    found = []
    for token in re.findall(r"\d|[a-z]+", text.lower()):
        if token.isdigit():
            found.append(token)
        elif token in DIGIT_WORDS:
            found.append(str(DIGIT_WORDS.index(token)))
    return found


def find_numbers(text: str) -> list[PiiSpan]:
    """The test's detector: any run of three or more digits, written or spoken, is a PHONE."""
    return [
        PiiSpan(m.start(), m.end(), "PHONE", 0.9)
        for m in _NUMBER.finditer(text)
        if len(digits_in(m.group())) >= 3
    ]


def first_only(text: str) -> list[PiiSpan]:
    """A detector that misses every number after the first."""
    return find_numbers(text)[:1]


def falls_short(text: str) -> list[PiiSpan]:
    """A detector whose spans stop after three characters: the rest of the number is missed."""
    return [PiiSpan(s.start, s.start + 3, s.type, s.score) for s in find_numbers(text)]


@cache
def whisper() -> Recognizer:
    return load_recognizer("whisper")


def protect(
    speech: Speaker, said: str, voice: str, detect: Detect, guard: float = DEFAULT_GUARD
) -> tuple[Audio, Transcript, ProtectedClip]:
    audio = speech(said, voice, 1.0)
    heard = whisper().transcribe(audio)
    return audio, heard, protect_clip(audio, heard, detect, whisper(), guard=guard)


def assert_nothing_leaks(clip: ProtectedClip, original: Transcript) -> None:
    """The values hidden appear nowhere but in the spans' offsets."""
    hidden = [original.text[s.start : s.end] for s in clip.spans]
    assert not any(value in clip.text or value in clip.verdict.reason for value in hidden)
    assert not digits_in(clip.verdict.reason)


@pytest.mark.parametrize(
    ("case", "said", "voice", "numbers"),
    [
        ("mid-sentence", "call me on five five five one two three four", "joe", 1),
        ("mid-sentence", "call me on five five five one two three four", "heart", 1),
        ("at the start", "five five five one two three four is my number", "joe", 1),
        ("at the start", "five five five one two three four is my number", "heart", 1),
        ("at the end", "my number is five five five one two three four", "heart", 1),
        ("two numbers", "my pin is four four one two and the code is nine eight seven", "joe", 2),
    ],
)
def test_bleeped_numbers_pass_and_are_not_heard_again(
    case: str, said: str, voice: str, numbers: int, speech: Speaker
) -> None:
    audio, heard, clip = protect(speech, said, voice, find_numbers)
    assert clip.verdict.passed, (case, clip.verdict.reason)
    assert clip.verdict.reason == ""
    assert len(clip.spans) == numbers, heard.text
    assert clip.text.count("[PHONE]") == numbers and not digits_in(clip.text)
    assert len(clip.audio.samples) == len(audio.samples)
    assert_nothing_leaks(clip, heard)
    # Independently of the verdict: whisper no longer hears any digit that was said.
    assert not digits_in(whisper().transcribe(clip.audio).text)


@pytest.mark.parametrize(
    ("case", "said", "voice", "detect", "guard"),
    [
        ("no guard band", "call me on five five five one two three four", "heart", find_numbers, 0),
        ("no guard band", "my card ends in seven seven four two", "joe", find_numbers, 0),
        (
            "a number missed",
            "my pin is four four one two and the code is nine eight seven",
            "joe",
            first_only,
            0.25,
        ),
        (
            # Only a number written as several words can be bleeped in part: Whisper writes
            # "five five five, one two ..." as "555" and "-1234.", whichever voice says it.
            "spans that fall short",
            "my number is five five five, one two three four",
            "heart",
            falls_short,
            0.25,
        ),
    ],
)
def test_what_can_still_be_heard_is_refused(
    case: str, said: str, voice: str, detect: Detect, guard: float, speech: Speaker
) -> None:
    _, heard, clip = protect(speech, said, voice, detect, guard=guard)
    assert not clip.verdict.passed, case
    assert clip.verdict.reason
    assert_nothing_leaks(clip, heard)


@pytest.mark.parametrize(
    ("said", "voice"),
    [("what's the weather like in paris tomorrow", "heart"), ("turn the volume down", "joe")],
)
def test_no_personal_data_leaves_the_clip_unchanged(said: str, voice: str, speech: Speaker) -> None:
    audio, heard, clip = protect(speech, said, voice, find_numbers)
    assert np.array_equal(clip.audio.samples, audio.samples)
    assert (clip.text, clip.spans, clip.intervals) == (heard.text, (), ())
    assert clip.verdict.passed


class Scripted:
    """A recogniser that hears what the test says it hears: the check's seam."""

    name = "scripted"

    def __init__(self, heard: Transcript | Exception) -> None:
        self.heard = heard

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        if isinstance(self.heard, Exception):
            raise self.heard
        return self.heard


def timed(text: str, seconds: float = 6.0) -> Transcript:
    """`text` whose words each say "word@start-end"; untimed words take the next half second."""
    words, at = [], 0.0
    for item in text.split():
        word, _, when = item.partition("@")
        start, end = map(float, when.split("-")) if when else (at, at + 0.5)
        words.append(Word(word, start, end, 0.9))
        at = end
    return Transcript(" ".join(w.word for w in words), words, "scripted", seconds, 0.0)


# Said: "Send it to 555-1234. Then call." with the number bleeped from 1.5 s to 3.0 s (+ guard).
SAID = timed("Send it to 555-1234.@1.5-3.0 Then@3.0-3.5 call.@3.5-4.0")


@pytest.mark.parametrize(
    ("case", "heard", "passed", "reason"),
    [
        ("nothing comes back", timed("Send it to Then call."), True, ""),
        (
            "a digit at the bleep",
            timed("Send it to 5-@1.5-2.0 Then@3.0-3.5"),
            False,
            "PHONE is still",
        ),
        ("a digit as a word", timed("Send it to five.@2.5-3.0"), False, "PHONE is still"),
        ("a homophone of a digit", timed("Send it to too@1.5-2.0"), False, "PHONE is still"),
        ("an audible 'to' is not a 2", timed("Send it to@1.0-1.5 Then@3.0-3.5"), True, ""),
        (
            "the number comes back whole",
            timed("Send it to 555-1234.@1.5-3.0"),
            False,
            "data (PHONE)",
        ),
        ("a digit far from the bleep", timed("Send it to@1.0-1.5 4@5.0-5.5"), True, ""),
        (
            "no timings: anywhere is near",
            Transcript("send it to 4", [], "", 6, 0),
            False,
            "PHONE is",
        ),
    ],
)
def test_check_looks_for_hidden_tokens_near_the_bleep(
    case: str, heard: Transcript, passed: bool, reason: str
) -> None:
    clip = protect_clip(silent(6.0), SAID, find_numbers, Scripted(heard), guard=0.25)
    assert clip.verdict.passed is passed, case
    assert reason in clip.verdict.reason
    assert clip.text == "Send it to [PHONE]. Then call."


# Said: "My pin is 4412 and the code is 987."; the detector finds the first number only.
PIN = timed(
    "My@0.0-0.3 pin@0.3-0.6 is@0.6-0.9 4412@1.0-2.0 and@2.5-2.8 the@2.8-3.0 code@3.0-3.4"
    " is@3.4-3.6 987.@3.7-4.5"
)


@pytest.mark.parametrize(
    ("case", "heard", "passed", "reason"),
    [
        ("heard through", timed("My pin is and@2.5-2.8 the code is 987.@3.7-4.5"), False, "data"),
        ("the rest is heard", timed("My pin is and@2.5-2.8 the code is"), True, ""),
        ("stops at the bleep", timed("My pin is"), False, "not heard through"),
        ("nothing at all", Transcript("", [], "", 6, 0), False, "not heard through"),
    ],
)
def test_a_check_that_does_not_hear_the_clip_through_refuses(
    case: str, heard: Transcript, passed: bool, reason: str
) -> None:
    """Whisper can stop at a bleep tone: its silence about the rest is no proof of absence."""
    clip = protect_clip(silent(6.0), PIN, first_only, Scripted(heard), guard=0.25)
    assert clip.verdict.passed is passed, case
    assert reason in clip.verdict.reason


def silent(seconds: float) -> Audio:
    return Audio(np.zeros(round(seconds * SAMPLE_RATE), dtype=np.int16))


def fails_on_second_call() -> Detect:
    calls: list[str] = []

    def detect(text: str) -> list[PiiSpan]:
        calls.append(text)
        if len(calls) > 1:
            raise RuntimeError("detector crashed: 555-1234")
        return find_numbers(text)

    return detect


@pytest.mark.parametrize(
    ("case", "recognizer", "detect"),
    [
        ("recognition fails", Scripted(RuntimeError("decoder 555-1234")), find_numbers),
        ("the detector fails on the check", Scripted(timed("Send it to")), fails_on_second_call()),
    ],
)
def test_a_check_that_cannot_run_refuses(case: str, recognizer: Recognizer, detect: Detect) -> None:
    clip = protect_clip(silent(6.0), SAID, detect, recognizer)
    assert not clip.verdict.passed, case
    assert clip.verdict.reason == "the bleeped audio could not be checked (RuntimeError)"


@pytest.mark.parametrize(
    ("case", "spans", "text"),
    [
        (
            "overlapping spans: one placeholder",
            [(11, 14, "PHONE"), (12, 19, "PHONE")],
            "Send it to [PHONE]. Then call.",
        ),
        ("two kinds", [(0, 4, "PERSON"), (11, 19, "PHONE")], "[PERSON] it to [PHONE]. Then call."),
    ],
)
def test_text_gets_placeholders(case: str, spans: list[tuple[int, int, str]], text: str) -> None:
    found = [PiiSpan(start, end, kind, 0.9) for start, end, kind in spans]
    clip = protect_clip(
        silent(6.0), SAID, lambda t: found if t == SAID.text else [], Scripted(timed(""))
    )
    assert clip.text == text, case
    assert clip.verdict.passed


@pytest.mark.parametrize("voice", ["joe", "heart"])
def test_with_the_real_redactor_names_and_numbers_are_gone(voice: str, speech: Speaker) -> None:
    said = (
        "please tell maria garcia that my number is two zero six five five five zero one nine eight"
    )
    _, heard, clip = protect(speech, said, voice, default_redactor().find)
    assert clip.verdict.passed, clip.verdict.reason
    assert_nothing_leaks(clip, heard)
    assert {span.type for span in clip.spans} == {"PERSON", "PHONE"}
    assert "[PERSON]" in clip.text and "[PHONE]" in clip.text and not digits_in(clip.text)
    again = whisper().transcribe(clip.audio).text.lower()
    assert not digits_in(again) and "maria" not in again and "garcia" not in again, again


# Said: "Play Ed Sheeran for Maria." with "Ed Sheeran" in the artist slot.
ARTIST = timed(
    "Play@0.0-0.4 Ed@0.5-0.8 Sheeran@0.8-1.3 for@1.4-1.6 Maria.@1.7-2.2 Now@3.5-3.8 please.@3.8-4.3"
)
ED_SHEERAN = PublicName(5, 15, "Ed Sheeran", frozenset({"PERSON"}))


def find_names(text: str) -> list[PiiSpan]:
    """The test's detector: 'Ed Sheeran' and 'Maria', however written, are PERSONs."""
    return [
        PiiSpan(m.start(), m.end(), "PERSON", 0.85)
        for m in re.finditer(r"ed sheeran|maria", text, re.IGNORECASE)
    ]


@pytest.mark.parametrize(
    ("case", "public", "heard", "passed", "text"),
    [
        (
            "the public name heard again",
            [ED_SHEERAN],
            timed("Play@0.0-0.4 Ed@0.5-0.8 Sheeran@0.8-1.3 for@1.4-1.6 Now@3.5-3.8 please."),
            True,
            "Play Ed Sheeran for [PERSON]. Now please.",
        ),
        (
            "the public name elsewhere in the text",
            [ED_SHEERAN],
            timed("Play@0.0-0.4 ed-sheeran@0.5-1.3 for@1.4-1.6 Now@3.5-3.8 please."),
            True,
            "Play Ed Sheeran for [PERSON]. Now please.",
        ),
        (
            "the private name heard again",
            [ED_SHEERAN],
            timed("Play@0.0-0.4 Ed@0.5-0.8 Sheeran@0.8-1.3 for@1.4-1.6 Maria.@1.7-2.2 Now please."),
            False,
            "Play Ed Sheeran for [PERSON]. Now please.",
        ),
        (
            "no public name: both hidden, both looked for",
            [],
            timed("Play@0.0-0.4 Ed@0.5-0.8 Sheeran@0.8-1.3 for@1.4-1.6 Now@3.5-3.8 please."),
            False,
            "Play [PERSON] for [PERSON]. Now please.",
        ),
    ],
)
def test_a_public_name_is_left_audible_and_no_finding_when_heard_again(
    case: str, public: list[PublicName], heard: Transcript, passed: bool, text: str
) -> None:
    clip = protect_clip(silent(5.0), ARTIST, find_names, Scripted(heard), public=public)
    assert clip.verdict.passed is passed, (case, clip.verdict.reason)
    assert clip.text == text
    bleeped_artist = any(start < 1.3 and end > 0.5 for start, end in clip.intervals)
    assert bleeped_artist is not bool(public)
