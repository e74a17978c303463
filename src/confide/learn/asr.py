"""The ASR trainer: a vocabulary (hotwords and corrections) learned from reviewed transcripts.

Whisper's weights stay as shipped; what reviewers teach it goes in two places (see
`confide.recognize.vocabulary`). Hotwords are the public names reviewers linked or added, those
the recogniser missed first, as many as can be told apart. Corrections are recurring
errors only: the same heard words put right to the same reference in at least two reviewed
clips, and never one that would also change, in any reviewed clip, words that were right.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from confide.recognize.vocabulary import Vocabulary, spoken_words
from confide.understand.normalise import asr_text

MIN_RECURRENCE = 2
"""Reviewed clips a correction must put right before it is learned."""
MAX_HOTWORDS = 200
"""Hotwords kept at most, the most useful first. Only the few that a first hearing resembles
reach the decoder's prompt (see `AdaptedRecognizer`), but the more there are, the more words
resemble one that was not said: among 203 names, the right one was written already or among
the 3 likeliest for 28 of 32 synthesised requests."""
MAX_CORRECTIONS = 500
"""Corrections kept at most, those that put the most clips right first."""


def train_vocabulary(
    pairs: Sequence[tuple[str, str]], names: Sequence[str], base: Vocabulary | None = None
) -> Vocabulary:
    """A vocabulary from (hypothesis, reviewed reference) pairs and the public names reviewers
    linked or added; `base`'s hotwords and corrections stay unless the pairs speak against them."""
    tokenised = [
        (spoken_words(hypothesis), spoken_words(reference)) for hypothesis, reference in pairs
    ]
    corrections = _corrections(tokenised, base.corrections if base else {})
    hotwords = _hotwords(tokenised, names, base.hotwords if base else ())
    return Vocabulary(hotwords, corrections)


def _hotwords(
    pairs: Sequence[tuple[list[str], list[str]]], names: Sequence[str], base: Sequence[str]
) -> tuple[str, ...]:
    """Names the recogniser missed most first, then the most reviewed, then `base`'s order; at
    most `MAX_HOTWORDS`."""
    written: dict[str, str] = {}
    for name in [*names, *base]:
        key = " ".join(spoken_words(name))
        if key and key not in written:
            written[key] = name.strip()
    reviewed = Counter(" ".join(spoken_words(name)) for name in names)
    missed: Counter[str] = Counter()
    for hypothesis, reference in pairs:
        heard, said = f" {' '.join(hypothesis)} ", f" {' '.join(reference)} "
        for key in written:
            if f" {key} " in said and f" {key} " not in heard:
                missed[key] += 1
    order = {key: rank for rank, key in enumerate(written)}
    ranked = sorted(written, key=lambda key: (-missed[key], -reviewed[key], order[key]))
    return tuple(written[key] for key in ranked[:MAX_HOTWORDS])


def _corrections(
    pairs: Sequence[tuple[list[str], list[str]]], base: dict[str, str]
) -> dict[str, str]:
    """Rules that put at least `MIN_RECURRENCE` clips right and no clip wrong, tried shortest
    and most recurring first, each on the hypotheses as the rules before it left them."""
    hypotheses = [hypothesis for hypothesis, _ in pairs]
    references = [reference for _, reference in pairs]
    kept: dict[str, str] = {}
    for heard, meant in base.items():
        rule = (heard.split(), meant.split())
        after = [_apply(h, *rule) for h in hypotheses]
        if all(_worse(b, a, r) <= 0 for b, a, r in zip(hypotheses, after, references, strict=True)):
            kept[heard] = meant
            hypotheses = after
    candidates = _candidates(pairs)
    for (wrong, right), _ in sorted(
        candidates.items(), key=lambda item: (len(item[0][0]), -len(item[1]), item[0])
    ):
        if len(kept) >= MAX_CORRECTIONS or " ".join(wrong) in kept:
            continue
        after = [_apply(h, list(wrong), list(right)) for h in hypotheses]
        changes = [_worse(b, a, r) for b, a, r in zip(hypotheses, after, references, strict=True)]
        if all(change <= 0 for change in changes) and sum(c < 0 for c in changes) >= MIN_RECURRENCE:
            kept[" ".join(wrong)] = " ".join(right)
            hypotheses = after
    return kept


def _candidates(
    pairs: Sequence[tuple[list[str], list[str]]],
) -> dict[tuple[tuple[str, ...], tuple[str, ...]], set[int]]:
    """(heard, meant) -> the clips it occurs in: each error region, alone and with a word of
    context on either side (a region where nothing was heard needs one), seen in at least
    `MIN_RECURRENCE` clips."""
    found: dict[tuple[tuple[str, ...], tuple[str, ...]], set[int]] = defaultdict(set)
    for number, (hypothesis, reference) in enumerate(pairs):
        for h_start, h_end, r_start, r_end in _error_regions(hypothesis, reference):
            heard, meant = hypothesis[h_start:h_end], reference[r_start:r_end]
            if asr_text(" ".join(heard)) == asr_text(" ".join(meant)):
                continue  # written differently, heard the same ("10" and "ten")
            for before in (0, 1):
                for after in (0, 1):
                    if h_start - before < 0 or h_end + after > len(hypothesis):
                        continue
                    rule = (
                        tuple(hypothesis[h_start - before : h_end + after]),
                        tuple(reference[r_start - before : r_end + after]),
                    )
                    if rule[0] and rule[1]:
                        found[rule].add(number)
    return {rule: clips for rule, clips in found.items() if len(clips) >= MIN_RECURRENCE}


def _error_regions(
    hypothesis: list[str], reference: list[str]
) -> Iterable[tuple[int, int, int, int]]:
    """(hypothesis start, end, reference start, end) of each maximal run of edits in a minimal
    alignment; the words either side of a run are aligned and equal."""
    rows, columns = len(hypothesis), len(reference)
    cost = [[0] * (columns + 1) for _ in range(rows + 1)]
    for i in range(rows + 1):
        for j in range(columns + 1):
            if i == 0 or j == 0:
                cost[i][j] = i + j
            else:
                same = hypothesis[i - 1] == reference[j - 1]
                cost[i][j] = min(
                    cost[i - 1][j - 1] + (0 if same else 1), cost[i - 1][j] + 1, cost[i][j - 1] + 1
                )
    steps: list[tuple[int, int, bool]] = []  # (i, j, matched) walking back from the end
    i, j = rows, columns
    while i or j:
        if i and j and hypothesis[i - 1] == reference[j - 1] and cost[i][j] == cost[i - 1][j - 1]:
            i, j = i - 1, j - 1
            steps.append((i, j, True))
        elif i and j and cost[i][j] == cost[i - 1][j - 1] + 1:
            i, j = i - 1, j - 1
            steps.append((i, j, False))
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
            steps.append((i, j, False))
        else:
            j -= 1
            steps.append((i, j, False))
    region: tuple[int, int] | None = None
    for i, j, matched in reversed(steps):
        if not matched and region is None:
            region = (i, j)
        if matched and region is not None:
            yield region[0], i, region[1], j
            region = None
    if region is not None:
        yield region[0], rows, region[1], columns


def _apply(words: list[str], heard: list[str], meant: list[str]) -> list[str]:
    """`words` with every occurrence of `heard` replaced by `meant`, left to right."""
    result, position = [], 0
    while position < len(words):
        if words[position : position + len(heard)] == heard:
            result += meant
            position += len(heard)
        else:
            result.append(words[position])
            position += 1
    return result


def _worse(before: list[str], after: list[str], reference: list[str]) -> int:
    """How many more word errors `after` has than `before` against `reference`."""
    return _distance(after, reference) - _distance(before, reference)


def _distance(hypothesis: list[str], reference: list[str]) -> int:
    row = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hypothesis, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1]
