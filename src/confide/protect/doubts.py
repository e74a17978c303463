"""Where a reviewer's correction most likely goes: the words the recogniser was least sure of,
placed in the transcript as the reviewer reads it (personal data replaced by placeholders).

The workbench selects these for editing with one key, so a one-word fix costs the word and
not a walk through the sentence. A word inside a redacted span is never pointed at: its
placeholder stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from confide.protect.spans import PiiSpan
from confide.recognize.base import Transcript

DOUBT_BELOW = 0.6
"""A word the recogniser gives less than this probability is worth a look."""
MAX_DOUBTS = 3
"""More than a few pointers is no pointer."""


def doubtful_words(transcript: Transcript, spans: Sequence[PiiSpan]) -> tuple[tuple[int, int], ...]:
    """(start, end) offsets, into `transcript.text` with `spans` replaced by their placeholders,
    of its least sure words below DOUBT_BELOW, at most MAX_DOUBTS of them, in reading order."""
    placed: list[tuple[float, int, int]] = []
    cursor = 0
    for word in transcript.words:
        text = word.word.strip()
        start = transcript.text.find(text, cursor) if text else -1
        if start < 0:
            continue
        end = cursor = start + len(text)
        if word.confidence is None or word.confidence >= DOUBT_BELOW:
            continue
        if any(span.start < end and start < span.end for span in spans):
            continue
        shift = sum(
            len(span.placeholder()) - (span.end - span.start) for span in spans if span.end <= start
        )
        placed.append((word.confidence, start + shift, end + shift))
    weakest = sorted(placed)[:MAX_DOUBTS]
    return tuple(sorted((start, end) for _, start, end in weakest))
