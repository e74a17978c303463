"""The synthesised voices the demo, the tests and the benchmarks speak with."""

from __future__ import annotations

import numpy as np
import pytest

from confide.demo.voices import VOICES, say


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("speed", [1.0, 1.1])
def test_the_same_text_is_always_the_same_audio(voice: str, speed: float) -> None:
    """A test's speech must not be a fresh draw on each machine (see `confide.demo.voices`)."""
    first, second = (say("what's the weather like tomorrow", voice, speed) for _ in range(2))
    assert first.samples.size > 0
    assert np.array_equal(first.samples, second.samples)
