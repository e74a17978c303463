"""The pre-roll ring: bounded, and emptied when taken."""

from __future__ import annotations

import numpy as np
import pytest

from confide.audio import SAMPLE_RATE
from confide.capture.preroll import PreRoll


@pytest.mark.parametrize(
    ("seconds", "pushed_frames", "expected_samples"),
    [(0.3, 1, 160), (0.3, 30, 4800), (0.3, 10_000, 4800), (0.0, 50, 0), (0.25, 100, 4000)],
)
def test_holds_at_most_its_span(seconds: float, pushed_frames: int, expected_samples: int) -> None:
    ring = PreRoll(seconds)
    for index in range(pushed_frames):
        ring.push(np.full(160, index, dtype=np.int16))
    assert ring.held_samples <= round(seconds * SAMPLE_RATE) + 160
    taken = ring.take()
    assert len(taken) == expected_samples
    if expected_samples:
        assert taken[-1] == pushed_frames - 1  # the newest audio is kept, the oldest forgotten
    assert ring.held_samples == 0
    assert len(ring.take()) == 0


def test_negative_span_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        PreRoll(-1)
