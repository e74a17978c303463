"""Bleeping: spans become times through word timings, and those times stop being speech."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest

from confide.audio import SAMPLE_RATE, Audio
from confide.demo.recordings import Speaker
from confide.protect.bleep import TONE_HZ, TONE_LEVEL, bleep, spans_to_times
from confide.protect.spans import PiiSpan
from confide.recognize import Recognizer, load_recognizer
from confide.recognize.base import Transcript, Word

# Whisper's shape: punctuation on the words, "555" and "-1234." as two words of one number.
WORDS = [("Call", 0.0, 0.5), ("me", 0.5, 0.7), ("on", 0.7, 1.0), ("555", 1.0, 1.5)]
WORDS += [("-1234.", 1.5, 2.5), ("Thanks", 2.7, 3.0)]
CALL_ME = Transcript(
    "Call me on 555-1234. Thanks", [Word(w, s, e, 0.9) for w, s, e in WORDS], "w", 3.5, 0
)


def phone(start: int, end: int) -> PiiSpan:
    return PiiSpan(start, end, "PHONE", 0.9)


def rounded(times: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(round(start, 6), round(end, 6)) for start, end in times]


def transcript(text: str, words: list[tuple[str, float, float]], seconds: float) -> Transcript:
    return Transcript(text, [Word(w, s, e, None) for w, s, e in words], "test", seconds, 0.0)


@pytest.mark.parametrize(
    ("case", "spans", "guard", "times"),
    [
        ("no spans, nothing to bleep", [], 0.2, []),
        ("a number, up to its neighbours", [phone(11, 19)], 0.0, [(1.0, 2.7)]),
        ("guard bands each side", [phone(11, 19)], 0.2, [(0.8, 2.9)]),
        ("part of a word bleeps the word", [phone(16, 18)], 0.0, [(1.5, 2.7)]),
        ("span at the start clamps to 0", [phone(0, 4)], 0.2, [(0.0, 0.7)]),
        ("span at the end runs to the clip's end", [phone(21, 27)], 0.8, [(1.7, 3.5)]),
        ("adjacent spans merge", [phone(8, 10), phone(11, 14)], 0.0, [(0.7, 1.5)]),
        ("guards that overlap merge", [phone(0, 4), phone(8, 10)], 0.15, [(0.0, 1.15)]),
        ("distant spans stay apart", [phone(0, 4), phone(11, 19)], 0.1, [(0.0, 0.6), (0.9, 2.8)]),
        ("order does not matter", [phone(11, 19), phone(0, 4)], 0.0, [(0.0, 0.5), (1.0, 2.7)]),
    ],
)
def test_spans_become_merged_guarded_times(
    case: str, spans: list[PiiSpan], guard: float, times: list[tuple[float, float]]
) -> None:
    assert rounded(spans_to_times(CALL_ME, spans, guard)) == times, case


@pytest.mark.parametrize(
    ("case", "text", "words", "span", "times"),
    [
        (
            "text normalised differently: widened to the aligned neighbours",
            "Call me on 5551234",
            [
                ("Call", 0.0, 0.5),
                ("me", 0.5, 0.7),
                ("on", 0.7, 1.0),
                ("five", 1.0, 1.4),
                ("five", 1.4, 1.8),
                ("five", 1.8, 2.2),
                ("one", 2.2, 2.6),
                ("today", 2.6, 3.0),
            ],
            (11, 18),
            (1.0, 3.5),
        ),
        (
            "a word the text lacks, inside the span: widened",
            "my pin is 60 60 ok",
            [
                ("my", 0.0, 0.2),
                ("pin", 0.2, 0.5),
                ("is", 0.5, 0.7),
                ("sixty", 0.7, 1.2),
                ("60", 1.2, 1.6),
                ("ok", 1.9, 2.2),
            ],
            (10, 15),
            (0.7, 1.9),
        ),
        (
            "case and spacing differ, still aligned",
            "CALL  me  ON 555 1234 ok",
            [
                ("call", 0.0, 0.5),
                ("me", 0.5, 0.7),
                ("on", 0.7, 1.0),
                ("555", 1.0, 1.5),
                ("1234", 1.6, 2.5),
                ("OK", 2.6, 3.0),
            ],
            (13, 21),
            (1.0, 2.6),
        ),
    ],
)
def test_words_align_into_text_robustly(
    case: str,
    text: str,
    words: list[tuple[str, float, float]],
    span: tuple[int, int],
    times: tuple[float, float],
) -> None:
    found = spans_to_times(transcript(text, words, 3.5), [phone(*span)], guard=0.0)
    assert rounded(found) == [times], case


@pytest.mark.parametrize(
    ("spans", "guard"),
    [([phone(0, 99)], 0.1), ([phone(5, 5)], 0.1), ([phone(-1, 3)], 0.1), ([], -0.1)],
)
def test_bad_spans_and_guards_are_refused(spans: list[PiiSpan], guard: float) -> None:
    with pytest.raises(ValueError):
        spans_to_times(CALL_ME, spans, guard)


def voice_like(seconds: float) -> Audio:
    """Loud broadband noise: any sample left of it inside a bleep would show."""
    rng = np.random.default_rng(7)
    return Audio((rng.standard_normal(round(seconds * SAMPLE_RATE)) * 8000).astype(np.int16))


@pytest.mark.parametrize("mode", ["tone", "silence"])
@pytest.mark.parametrize(
    "intervals",
    [[(0.5, 1.0)], [(0.0, 0.3), (1.2, 2.0)], [(1.5, 5.0)], [(-1.0, 0.2)]],
)
def test_bleep_replaces_only_the_intervals(mode: str, intervals: list[tuple[float, float]]) -> None:
    audio = voice_like(2.0)
    out = bleep(audio, intervals, mode)  # type: ignore[arg-type]
    inside = np.zeros(len(audio.samples), dtype=bool)
    for start, end in intervals:
        inside[max(0, round(start * SAMPLE_RATE)) : round(end * SAMPLE_RATE)] = True
    assert np.array_equal(out.samples[~inside], audio.samples[~inside])
    fade = round(0.005 * SAMPLE_RATE)
    for start, end in intervals:
        first = max(0, round(start * SAMPLE_RATE)) + fade
        last = min(len(audio.samples), round(end * SAMPLE_RATE)) - fade
        core = out.samples[first:last].astype(np.float64) / 32768
        if mode == "silence":
            assert not core.any()
            continue
        assert np.abs(core).max() == pytest.approx(TONE_LEVEL, rel=0.01)
        spectrum = np.abs(np.fft.rfft(core))
        assert np.fft.rfftfreq(len(core), 1 / SAMPLE_RATE)[spectrum.argmax()] == pytest.approx(
            TONE_HZ, abs=5
        )


@pytest.mark.parametrize("mode", ["tone", "silence"])
def test_bleep_edges_fade_instead_of_clicking(mode: str) -> None:
    steady = Audio(np.full(SAMPLE_RATE, 10_000, dtype=np.int16))  # a cut would jump 10000
    out = bleep(steady, [(0.4, 0.6)], mode)  # type: ignore[arg-type]
    steps = np.abs(np.diff(out.samples.astype(np.int32)))
    assert steps.max() < 2000


@pytest.mark.parametrize(("intervals", "mode"), [([(1.0, 0.5)], "tone"), ([(0.1, 0.2)], "noise")])
def test_bleep_refuses_bad_arguments(intervals: list[tuple[float, float]], mode: str) -> None:
    with pytest.raises(ValueError):
        bleep(voice_like(1.0), intervals, mode)  # type: ignore[arg-type]


def test_no_intervals_leave_the_audio_unchanged() -> None:
    audio = voice_like(1.0)
    assert np.array_equal(bleep(audio, []).samples, audio.samples)


@cache
def whisper() -> Recognizer:
    return load_recognizer("whisper")


DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def digits_in(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return set(re.findall(r"\d", text)) | {str(DIGITS.index(w)) for w in words if w in DIGITS}


_DIGIT = rf"(?:\d+|{'|'.join(DIGITS)})"
_NUMBER = re.compile(rf"\b{_DIGIT}(?:[\s.,-]+{_DIGIT})*\b", re.IGNORECASE)


def number_in(text: str) -> re.Match[str] | None:
    """The first number of two digits or more, written as Whisper may write it: in digits
    ("555-1234") or in words ("five five five")."""
    numbers = (m for m in _NUMBER.finditer(text) if len(re.findall(rf"\d|{_DIGIT}", m[0])) > 1)
    return next(numbers, None)


@pytest.mark.parametrize(
    ("said", "voice"),
    [
        ("call me on five five five one two three four", "joe"),
        ("call me on five five five one two three four", "heart"),
        ("nine three one two is the code", "joe"),
    ],
)
def test_bleeped_digits_are_not_recognised_again(said: str, voice: str, speech: Speaker) -> None:
    audio = speech(said, voice, 1.0)
    heard = whisper().transcribe(audio)
    number = number_in(heard.text)
    assert number, f"whisper heard no number: {heard.text!r}"
    bleeped = bleep(audio, spans_to_times(heard, [phone(number.start(), number.end())]))
    again = whisper().transcribe(bleeped).text
    assert not digits_in(again) & digits_in(number.group()), again
