"""Bleeping: each redacted span's audio replaced, so a reviewer cannot hear what the text hides.

Spans are character offsets into a transcript's text; the recogniser's word timings turn them into
times. The text is not always the words joined with spaces (Whisper keeps punctuation, an engine
may normalise), so words are aligned into the text by their letters and digits, in order.

A span is bleeped from the end of the aligned word before it to the start of the one after it, not
just over its own words' times: Whisper can misplace a word by more than a second (measured: seven
digits written as one first word, timed 1.44-1.96 s, spoken from 0.35 s), and whatever lies
between two audible neighbours is either silence or the span. An unknown time is bleeped
generously rather than left audible.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from typing import Literal

import numpy as np

from confide.audio import SAMPLE_RATE, Audio
from confide.errors import BadSpan, OutOfRange, UnknownChoice
from confide.protect.spans import PiiSpan
from confide.recognize.base import Transcript

DEFAULT_GUARD = 0.25
"""Seconds bleeped beyond each end of a span: the smallest guard that let no digit through.

Whisper tiny.en puts a word's edges up to a couple of hundred milliseconds off, so a digit's onset
or tail survives a tight bleep. Measured on 40 clips (10 sentences with 4-10 digit numbers, two
voices, two speeds), clips where Whisper heard a bleeped digit again: 21 with no guard, 9 at
0.1 s, 4 at 0.15 s, none from 0.2 s with the tone; with silence instead, 3 at 0.2 s ("seven"),
none at 0.25 s. At 0.2 s the check still refused 3 clips (a "for" where "four" was bleeped); with
the tone at 0.25 s, none. On 24 held-out clips, 0.25 s let nothing through in either mode. The
cost: the words near a number that Whisper no longer recognises rose from 8 to 31 of 192.
"""

TONE_HZ = 1000.0
"""The broadcast bleep: one steady pitch that carries nothing of the voice."""

TONE_LEVEL = 0.1
"""Peak amplitude of the tone (-20 dBFS): plainly audible, quieter than normal speech."""

FADE_SECONDS = 0.005
"""Cross-fade at each edge of a bleep; a hard cut clicks, and 5 ms is too short to carry speech."""

Mode = Literal["tone", "silence"]

_TOKEN = re.compile(r"[^\W_]+")


def spans_to_times(
    transcript: Transcript, spans: Sequence[PiiSpan], guard: float = DEFAULT_GUARD
) -> list[tuple[float, float]]:
    """Sorted, merged (start, end) seconds to bleep: each span between its audible neighbours,
    `guard` seconds each side, clamped to the clip."""
    if guard < 0:
        raise OutOfRange("guard must not be negative")
    text = transcript.text
    for span in spans:
        if not 0 <= span.start < span.end <= len(text):
            raise BadSpan(f"span {span.start}:{span.end} lies outside the transcript text")
    placed = _place_words(transcript)
    clip_end = transcript.audio_seconds
    intervals = []
    for span in spans:
        start, end = _span_time(transcript, placed, span, clip_end)
        intervals.append((max(0.0, start - guard), min(clip_end, end + guard)))
    return _merge(intervals)


def bleep(audio: Audio, intervals: Iterable[tuple[float, float]], mode: Mode = "tone") -> Audio:
    """A copy of `audio` with each interval replaced by a 1 kHz tone or by silence."""
    if mode not in ("tone", "silence"):
        raise UnknownChoice(f"unknown bleep mode {mode!r}; choose 'tone' or 'silence'")
    original = audio.as_float().astype(np.float64)
    keep = np.ones(len(original))
    fade = round(FADE_SECONDS * SAMPLE_RATE)
    for start, end in intervals:
        if end < start:
            raise BadSpan(f"interval ends ({end}) before it starts ({start})")
        first = max(0, round(start * SAMPLE_RATE))
        last = min(len(original), round(end * SAMPLE_RATE))
        if last <= first:
            continue
        ramp_length = min(fade, (last - first) // 2)
        gain = np.zeros(last - first)
        if ramp_length:
            ramp = 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, ramp_length))
            gain[:ramp_length] = ramp
            gain[-ramp_length:] = ramp[::-1]
        keep[first:last] = np.minimum(keep[first:last], gain)
    replacement = np.zeros(len(original))
    if mode == "tone":
        replacement = TONE_LEVEL * np.sin(
            2 * np.pi * TONE_HZ * np.arange(len(original)) / SAMPLE_RATE
        )
    mixed = original * keep + replacement * (1.0 - keep)
    return Audio(np.round(np.clip(mixed, -1.0, 32767 / 32768) * 32768).astype(np.int16))


def _place_words(transcript: Transcript) -> list[tuple[int, int] | None]:
    """Each word's character range in the text, or None where none of its letters are found.

    Letters and digits are matched in order, case aside, by the longest common runs
    (difflib), so one word the text spells differently unplaces that word alone.
    """
    in_text = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(transcript.text)]
    in_words = [
        (i, token.lower())
        for i, word in enumerate(transcript.words)
        for token in _TOKEN.findall(word.word)
    ]
    matcher = SequenceMatcher(
        None, [t for _, _, t in in_text], [t for _, t in in_words], autojunk=False
    )
    placed: list[tuple[int, int] | None] = [None] * len(transcript.words)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            start, end, _ = in_text[a + k]
            i = in_words[b + k][0]
            known = placed[i]
            placed[i] = (
                (start, end) if known is None else (min(known[0], start), max(known[1], end))
            )
    return placed


def _span_time(
    transcript: Transcript,
    placed: Sequence[tuple[int, int] | None],
    span: PiiSpan,
    clip_end: float,
) -> tuple[float, float]:
    """From the end of the placed word before the span to the start of the one after it (the
    clip's ends where there is none), and at least the times of the words it touches."""
    words = transcript.words
    before = [i for i, where in enumerate(placed) if where and where[1] <= span.start]
    after = [i for i, where in enumerate(placed) if where and where[0] >= span.end]
    touched = [
        i
        for i, where in enumerate(placed)
        if where and where[0] < span.end and where[1] > span.start
    ]
    start = words[before[-1]].end if before else 0.0
    end = words[after[0]].start if after else clip_end
    start = min([start, *(words[i].start for i in touched)])
    end = max([end, *(words[i].end for i in touched)])
    return start, end


def _merge(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping or touching intervals joined, in time order."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
