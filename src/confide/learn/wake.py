"""Each household's wake-word thresholds, learned from the false wakes it confirmed.

Only numbers are used, and only numbers travel: the peak scores the household's devices
reported for wakes confirmed false (`wake_feedback`: "That wasn't for me" or a reviewer's flag)
and for its true wakes (answered interactions that were neither confirmed nor suspected false).
No audio, and nothing computed from audio beyond that one score per wake, is sent to anyone;
the device fetches the result from `GET /api/device/config` and applies it itself.

The rule, per household and wake word, and why:

- The threshold sits just above confirmed false wakes (a false wake's score plus `margin`, since
  the next false wake of the same kind, the same television advert, will not score exactly the
  same), as high as excludes the most of them...
- ...while at least `keep` (95%) of the household's true wakes still fire: a device that misses
  one request in twenty is annoying, one that stops hearing its household is broken. The false
  wakes that score like true ones stay; no threshold can tell them apart.
- Never below the model's default (`MODEL_THRESHOLDS`): feedback about waking too often never
  makes a detector wake more. The device enforces the same floor, whatever it is served.
- Only with enough evidence: `min_false` confirmed false wakes (one may be a one-off: a guest,
  a film) and `min_true` true wakes with scores (with fewer, "95% still fire" is measured on too
  few wakes to say what a household would lose). Without them the default stands.

Only the microWakeWord models' words are tuned: their scores are probabilities on one scale;
other engines report none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.capture.wakeword import MAX_THRESHOLD, MODEL_THRESHOLDS
from confide.store.tables import Device, Interaction, WakeFeedback


@dataclass(frozen=True)
class WakePolicy:
    """How much a household's feedback may move its thresholds, and on how much evidence."""

    keep: float = 0.95
    """The share of the household's true wakes that must still fire."""
    min_false: int = 2
    """Confirmed false wakes (with scores) needed before a word is tuned."""
    min_true: int = 20
    """True wakes (with scores) needed before a word is tuned."""
    margin: float = 0.005
    """How far above a false wake's score the threshold goes: beyond the 4 decimals a device
    reports, and a little beyond a near-repeat of the same false wake."""
    recent: int = 1000
    """Only the latest this many true wakes per word count: a household's voices change."""


def learn_threshold(
    default: float,
    false_scores: Sequence[float],
    true_scores: Sequence[float],
    policy: WakePolicy = WakePolicy(),
) -> float | None:
    """The threshold for one wake word of one household, or None to keep the model's default.

    A detector fires on a score above its threshold, so a threshold below a true wake's score
    keeps it and one at or above a false wake's score stops it."""
    if len(false_scores) < policy.min_false or len(true_scores) < policy.min_true:
        return None
    trues = sorted(true_scores)
    may_lose = math.floor((1.0 - policy.keep) * len(trues) + 1e-9)
    ceiling = trues[may_lose]  # from this true wake up, all fire under any threshold below it
    chosen = None
    for score in sorted(false_scores):
        candidate = score + policy.margin
        if candidate >= ceiling or candidate > MAX_THRESHOLD:
            break
        chosen = candidate
    if chosen is None or chosen <= default:
        return None
    return round(chosen, 4)


def household_thresholds(
    session: Session, household_id: str, policy: WakePolicy = WakePolicy()
) -> dict[str, float]:
    """The tuned wake words of a household and their thresholds; the others keep the default."""
    false_scores: dict[str, list[float]] = {}
    for word, score in session.execute(
        select(WakeFeedback.wake_word, WakeFeedback.score).where(
            WakeFeedback.household_id == household_id,
            WakeFeedback.wake_word.in_(list(MODEL_THRESHOLDS)),
        )
    ):
        if score is not None:  # a wake reported without its score places no threshold
            false_scores.setdefault(word, []).append(score)
    thresholds = {}
    for word in sorted(false_scores):
        learned = learn_threshold(
            MODEL_THRESHOLDS[word],
            false_scores[word],
            _true_scores(session, household_id, word, policy.recent),
            policy,
        )
        if learned is not None:
            thresholds[word] = learned
    return thresholds


def _true_scores(session: Session, household_id: str, word: str, recent: int) -> list[float]:
    """The scores of the household's latest answered wakes on `word` that no one called false
    and the pipeline did not suspect (no words heard, or none understood)."""
    confirmed = select(WakeFeedback.interaction_id).where(WakeFeedback.household_id == household_id)
    scores = session.scalars(
        select(Interaction.wake_score)
        .join(Device, Device.id == Interaction.device_id)
        .where(
            Device.household_id == household_id,
            Interaction.wake_word == word,
            Interaction.wake_score.is_not(None),
            Interaction.status == "answered",
            Interaction.false_wake.is_(False),
            Interaction.id.not_in(confirmed),
        )
        .order_by(Interaction.created_at.desc())
        .limit(recent)
    )
    return [float(score) for score in scores if score is not None]
