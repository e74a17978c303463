"""The promotion gate (invariant 11): a candidate replaces production only when it is measurably
better, and worse nowhere that matters.

All four must hold, on the evidence `confide.learn.run` gathers:

1. Better on held-out reviewed data. The held-out split is a fixed share of the dataset, chosen
   by a hash of each item's id (so an item stays on its side from run to run and is never
   trained on). Each held-out item gets a score from production and one from the candidate
   (higher is better); the paired bootstrap of the mean difference must have its whole 95%
   interval above zero.
2. No slice worse beyond the tolerance. For every slice of the dataset (intent, wake word,
   device kind, ASR-confidence bucket, week) with enough held-out items to say anything, the
   candidate's mean score may fall at most `SLICE_TOLERANCE` below production's.
3. The fixed regression sets hold: Snips intent accuracy drops at most 1 point (NLU); WER on
   real speech rises at most 0.5 point (ASR). A set the component needs but that could not be
   measured refuses it: no evidence is not evidence of no harm.
4. Not tainted: a version trained on data since deleted is never promoted.

The reason for the decision, in words, goes into the version's row and `confide learn run`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from confide.learn.scoring import bootstrap_difference

HELD_OUT_SHARE = 0.25
"""Share of the reviewed dataset held out for the gate, never trained on."""
SLICE_TOLERANCE = 0.05
"""The most a slice's mean per-item score may fall (scores run from 0 to 1)."""
MIN_SLICE_ITEMS = 5
"""Slices with fewer held-out items than this are too small to judge, and are listed as such."""
SLICES = ("intent", "wake_word", "device", "asr_confidence", "week")


@dataclass(frozen=True)
class Limit:
    """How far a regression set may move against the candidate."""

    worse_by: float
    """The most it may worsen, as a share (0.01 is one point)."""
    higher_is_better: bool
    components: tuple[str, ...]
    """The components that must be measured on it."""


REGRESSION_LIMITS = {
    "snips_intent_accuracy": Limit(0.01, higher_is_better=True, components=("nlu",)),
    "real_speech_wer": Limit(0.005, higher_is_better=False, components=("asr",)),
}
"""The fixed regression sets and the issue's limits on them."""


def held_out(item_id: str, share: float = HELD_OUT_SHARE) -> bool:
    """Whether an item is in the held-out split: a hash of its id, so the split is the same in
    every run and on every machine, and a new item never moves an old one."""
    digest = hashlib.sha256(f"confide-held-out|{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < share * 2**64


@dataclass(frozen=True)
class Evidence:
    """What the candidate and production did, side by side."""

    component: str
    scores: Sequence[tuple[float, float]]
    """Per held-out item: (production's score, the candidate's), from 0 to 1, higher better."""
    slices: Sequence[Mapping[str, str]]
    """Per held-out item, in the same order: its slices ({"intent": "PlayMusic", ...})."""
    regression: Mapping[str, tuple[float, float] | None] = field(default_factory=dict)
    """Regression set -> (production's figure, the candidate's); None when it could not run."""
    tainted: bool = False


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str
    metrics: dict[str, Any]
    """The figures behind the decision, kept in the version's row."""


def decide(evidence: Evidence) -> Decision:
    """Apply the four rules; the reason names every rule that failed, or why it passed."""
    mean, low, high = bootstrap_difference(list(evidence.scores))
    metrics: dict[str, Any] = {
        "held_out_items": len(evidence.scores),
        "baseline_score": _mean([production for production, _ in evidence.scores]),
        "candidate_score": _mean([candidate for _, candidate in evidence.scores]),
        "difference": {"mean": mean, "low": low, "high": high},
    }
    failures: list[str] = []
    if evidence.tainted:
        failures.append("it was trained on data that has since been deleted")
    if not evidence.scores:
        failures.append("there are no held-out reviewed items to compare on")
    elif low <= 0:
        failures.append(
            f"not better beyond chance on {len(evidence.scores)} held-out items "
            f"(mean difference {mean:+.3f}, 95% interval {low:+.3f} to {high:+.3f})"
        )
    slices, worse = _slices(evidence)
    metrics["slices"] = slices
    failures += worse
    metrics["regression"] = {}
    for name, limit in REGRESSION_LIMITS.items():
        if evidence.component not in limit.components:
            continue
        figures = evidence.regression.get(name)
        if figures is None:
            failures.append(f"{name} could not be measured")
            continue
        baseline, candidate = figures
        change = candidate - baseline if limit.higher_is_better else baseline - candidate
        metrics["regression"][name] = {"baseline": baseline, "candidate": candidate}
        if change < -limit.worse_by - 1e-12:
            failures.append(
                f"{name} moved from {baseline:.4f} to {candidate:.4f}, "
                f"beyond the {limit.worse_by * 100:g} point allowed"
            )
    if failures:
        return Decision(False, "Refused: " + "; ".join(failures) + ".", metrics)
    regression = ", ".join(
        f"{name} {figures['baseline']:.4f} -> {figures['candidate']:.4f}"
        for name, figures in metrics["regression"].items()
    )
    return Decision(
        True,
        f"Promoted: better on {len(evidence.scores)} held-out items (mean difference "
        f"{mean:+.3f}, 95% interval {low:+.3f} to {high:+.3f}); no slice worse by more than "
        f"{SLICE_TOLERANCE:g}; {regression or 'no regression set applies'}.",
        metrics,
    )


def _slices(evidence: Evidence) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Each slice's item count and mean scores, and the slices worse beyond the tolerance."""
    grouped: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for pair, slices in zip(evidence.scores, evidence.slices, strict=True):
        for name in SLICES:
            if value := slices.get(name):
                grouped[f"{name}={value}"].append(pair)
    table: dict[str, dict[str, Any]] = {}
    worse = []
    for label in sorted(grouped):
        pairs = grouped[label]
        baseline = _mean([production for production, _ in pairs])
        candidate = _mean([candidate for _, candidate in pairs])
        judged = len(pairs) >= MIN_SLICE_ITEMS
        table[label] = {
            "items": len(pairs),
            "baseline": baseline,
            "candidate": candidate,
            "judged": judged,
        }
        if judged and candidate < baseline - SLICE_TOLERANCE - 1e-12:
            worse.append(
                f"slice {label} worse ({baseline:.3f} -> {candidate:.3f} on {len(pairs)} items)"
            )
    return table, worse


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
