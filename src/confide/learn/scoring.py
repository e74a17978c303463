"""Pure metric functions shared by the evaluation of production and the promotion gate.

Everything is compared as a speech recogniser writes it (`confide.understand.normalise.asr_text`:
lowercase, no punctuation, numbers spelt out), so "Play 2 songs" and "play two songs" agree and
only what was heard differently counts as an error. Each function returns counts rather than
rates, so callers pool them over a set (a clip with more words weighs more) before dividing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from confide.understand.normalise import asr_text


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits turning `hypothesis` into `reference`, words in the reference), on spoken
    words: WER over a set is the sum of the first over the sum of the second."""
    ref, hyp = asr_text(reference).split(), asr_text(hypothesis).split()
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1], len(ref)


def _slot_key(slot: Mapping[str, Any]) -> tuple[str, str]:
    return str(slot["name"]), asr_text(str(slot["value"]))


def slot_counts(
    reference: Sequence[Mapping[str, Any]], hypothesis: Sequence[Mapping[str, Any]]
) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of the hypothesis's slots, a slot being
    its (name, spoken value) pair and each reference slot matched at most once."""
    wanted, found = Counter(map(_slot_key, reference)), Counter(map(_slot_key, hypothesis))
    hits = sum((wanted & found).values())
    return hits, sum(found.values()) - hits, sum(wanted.values()) - hits


def link_id(slot: Mapping[str, Any]) -> str | None:
    """The catalog entry a slot is linked to, whether the link is written as the entry id or as
    the API's {"id", ...} object; None when it carries none."""
    link = slot.get("link")
    if isinstance(link, Mapping):
        link = link.get("id")
    return str(link) if link else None


def link_counts(
    reference: Sequence[Mapping[str, Any]], hypothesis: Sequence[Mapping[str, Any]]
) -> tuple[int, int]:
    """(reference links the hypothesis got right, reference slots that carry a link).

    A linked reference slot is right when a hypothesis slot of the same name, not already
    counted, links the same entry: the entity is what matters here, so a misspelt value that
    still reached the right artist counts, and a right spelling linked elsewhere does not."""
    available = Counter(
        (str(slot["name"]), link) for slot in hypothesis if (link := link_id(slot)) is not None
    )
    correct = total = 0
    for slot in reference:
        link = link_id(slot)
        if link is None:
            continue
        total += 1
        key = (str(slot["name"]), link)
        if available[key] > 0:
            available[key] -= 1
            correct += 1
    return correct, total


def bootstrap_difference(
    pairs: Sequence[tuple[float, float]], seed: int = 0, rounds: int = 2000
) -> tuple[float, float, float]:
    """Paired bootstrap of mean(candidate - baseline) over `pairs` of (baseline, candidate)
    scores per item: (observed mean, 2.5th percentile, 97.5th percentile) of `rounds`
    resamples drawn with `seed`. The candidate is better beyond chance when the low bound is
    above zero (for a score where higher is better). No pairs give (0, 0, 0): nothing shown."""
    if not pairs:
        return 0.0, 0.0, 0.0
    differences = np.array([candidate - baseline for baseline, candidate in pairs], dtype=float)
    generator = np.random.default_rng(seed)
    draws = generator.integers(0, len(differences), size=(rounds, len(differences)))
    means = differences[draws].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(differences.mean()), float(low), float(high)
