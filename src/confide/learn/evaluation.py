"""Production's quality, measured against what reviewers said each clip held.

Every reviewed clip (a review group: the clip and its blind second opinion) yields the truth for
its interaction: a lead's adjudication when there is one, otherwise the reviewer's labels (both
blind opinions agreeing, when there are two; a clip whose opinions differ waits for its
adjudication and is only counted as pending). Against it stands what production said as the
reviewer saw it, the task's material: the redacted hypothesis, the intent and the slots with
their catalog links. From each pair come the production ASR's word errors, whether the intent
was right, slot hits and misses, and entity links right; pooled, these give WER, intent accuracy,
slot F1 and entity-link accuracy, overall, per slice and per model version.

It covers every reviewed clip, whatever its owner said about training: it measures production and
trains nothing. Only the pooled counts leave this module; no transcript, label or name is stored.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import KeyDestroyed
from confide.learn.scoring import link_counts, slot_counts, word_errors
from confide.learn.slices import CONFIDENCE_BUCKETS, slices_of
from confide.privacy.contexts import task_material_context
from confide.privacy.keys import KeyRing
from confide.review.quality import NO_INTENT
from confide.review.tasks import open_annotation
from confide.store.database import as_utc
from confide.store.tables import Annotation, Interaction, ReviewTask
from confide.understand.normalise import asr_text

LABELLED_KINDS = ("review", "second")
"""Tasks whose labels describe the clip; gold runs only test the reviewers."""
SLICES = {
    "intent": "intent (as reviewed)",
    "wake_word": "wake word",
    "device": "device kind",
    "asr_confidence": "ASR confidence",
    "week": "ISO week",
}
"""The slices every figure is broken down by, with the words the admin page shows ("by ...")."""
COMPONENTS = ("asr", "nlu")
"""The model components whose versions the trend follows."""
DEFAULT_VERSION = "default"
"""The version of an interaction that records none: the models shipped with the project."""


@dataclass(frozen=True)
class Tally:
    """Pooled counts for a set of clips; the rates are ratios of sums, so a clip with more words
    or more slots weighs more, as it does in WER."""

    clips: int = 0
    """Reviewed clips counted."""
    word_edits: int = 0
    """Word edits from production's transcript to the reviewer's."""
    reference_words: int = 0
    """Words in the reviewers' transcripts."""
    intents_right: int = 0
    """Clips whose intent production got right (no request counts as an intent)."""
    slot_hits: int = 0
    """Production's slots the reviewer kept (same name, same spoken value)."""
    slot_extra: int = 0
    """Production's slots the reviewer did not keep."""
    slot_missed: int = 0
    """Reviewers' slots production did not find."""
    links_right: int = 0
    """Reviewers' catalog links production made too."""
    links: int = 0
    """Reviewers' slots linked to the catalog."""

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def wer(self) -> float | None:
        return self.word_edits / self.reference_words if self.reference_words else None

    @property
    def intent_accuracy(self) -> float | None:
        return self.intents_right / self.clips if self.clips else None

    @property
    def slot_f1(self) -> float | None:
        scored = 2 * self.slot_hits + self.slot_extra + self.slot_missed
        return 2 * self.slot_hits / scored if scored else None

    @property
    def link_accuracy(self) -> float | None:
        return self.links_right / self.links if self.links else None


def score(truth: Mapping[str, Any], hypothesis: Mapping[str, Any]) -> Tally:
    """One clip's counts: `truth` the reviewer's {"transcript","intent","slots"}, `hypothesis`
    production's as the reviewer saw it {"transcript","intent","slots"}."""
    edits, words = word_errors(truth.get("transcript") or "", hypothesis.get("transcript") or "")
    reference, said = truth.get("slots") or [], hypothesis.get("slots") or []
    hits, extra, missed = slot_counts(reference, said)
    right, links = link_counts(reference, said)
    intent_right = (truth.get("intent") or NO_INTENT) == (hypothesis.get("intent") or NO_INTENT)
    return Tally(1, edits, words, int(intent_right), hits, extra, missed, right, links)


@dataclass(frozen=True)
class Evaluation:
    """Production's figures over every reviewed clip."""

    overall: Tally
    """All clips together."""
    slices: dict[str, dict[str, Tally]]
    """Slice (a key of SLICES) -> its value -> the clips with that value, values in order."""
    versions: dict[str, dict[str, Tally]]
    """Component -> the version that handled the clips -> their figures, oldest version first."""
    pending: int
    """Clips whose blind opinions differ and wait for a lead's adjudication."""


def evaluate(session: Session, keyring: KeyRing) -> Evaluation:
    """Score production on every reviewed clip whose labels and material can still be opened
    (a withdrawn or erased clip cannot, and is not counted)."""
    overall = Tally()
    slices: dict[str, dict[str, Tally]] = {name: defaultdict(Tally) for name in SLICES}
    versions: dict[str, dict[str, Tally]] = {name: defaultdict(Tally) for name in COMPONENTS}
    first_seen: dict[tuple[str, str], datetime] = {}
    pending = 0
    for tasks, notes in _reviewed_groups(session):
        try:
            chosen = _truth(session, keyring, notes)
        except KeyDestroyed:  # erased while its rows were read
            continue
        if chosen is None:
            pending += 1
            continue
        opened = _open(session, keyring, tasks, chosen)
        if opened is None:
            continue
        truth, hypothesis, interaction = opened
        tally = score(truth, hypothesis)
        overall += tally
        for name, value in slices_of(session, interaction, chosen.intent).items():
            slices[name][value] += tally
        moment = as_utc(interaction.created_at)
        for component, version in _versions(interaction).items():
            versions[component][version] += tally
            seen = first_seen.get((component, version))
            first_seen[component, version] = moment if seen is None else min(seen, moment)
    return Evaluation(
        overall,
        {name: dict(sorted(by_value.items(), key=_in_order)) for name, by_value in slices.items()},
        {
            component: dict(
                sorted(by_version.items(), key=lambda kv: (first_seen[component, kv[0]], kv[0]))
            )
            for component, by_version in versions.items()
        },
        pending,
    )


def _in_order(item: tuple[str, Tally]) -> tuple[int, str]:
    """Slice values alphabetically, but confidence buckets from low to high."""
    buckets = [name for _, name in CONFIDENCE_BUCKETS]
    value = item[0]
    return (buckets.index(value) if value in buckets else len(buckets), value)


def _reviewed_groups(session: Session) -> Iterable[tuple[list[ReviewTask], list[Annotation]]]:
    """Each review group with a labelled task submitted: its labelled tasks and their
    annotations, oldest first."""
    submitted = select(ReviewTask.group_id).where(
        ReviewTask.kind.in_(LABELLED_KINDS), ReviewTask.status == "submitted"
    )
    tasks: dict[str, list[ReviewTask]] = defaultdict(list)
    for task in session.scalars(
        select(ReviewTask)
        .where(ReviewTask.group_id.in_(submitted), ReviewTask.kind.in_(LABELLED_KINDS))
        .order_by(ReviewTask.group_id, ReviewTask.kind, ReviewTask.id)
    ):
        tasks[task.group_id].append(task)
    group_of = {task.id: group for group, members in tasks.items() for task in members}
    notes: dict[str, list[Annotation]] = defaultdict(list)
    for note in session.scalars(
        select(Annotation)
        .where(Annotation.task_id.in_(list(group_of)))
        .order_by(Annotation.submitted_at, Annotation.id)
    ):
        notes[group_of[note.task_id]].append(note)
    for group, members in tasks.items():
        if notes[group]:
            yield members, notes[group]


def _truth(session: Session, keyring: KeyRing, notes: Sequence[Annotation]) -> Annotation | None:
    """The labels that stand for the clip: the latest adjudication, else the only opinion so
    far, else the blind opinions' first when they agree on the intent and the spoken words;
    None while they differ."""
    adjudications = [note for note in notes if note.adjudication]
    if adjudications:
        return adjudications[-1]
    if len(notes) == 1:
        return notes[0]
    if len({note.intent or NO_INTENT for note in notes}) > 1:
        return None
    heard = {asr_text(open_annotation(session, keyring, note)["transcript"]) for note in notes}
    return notes[0] if len(heard) == 1 else None


def _open(
    session: Session, keyring: KeyRing, tasks: Sequence[ReviewTask], chosen: Annotation
) -> tuple[dict[str, Any], dict[str, Any], Interaction] | None:
    """The truth, production's words as the reviewer saw them, and the interaction; None when
    the material is gone (consent withdrawn) or its keys were destroyed (erased)."""
    holders = sorted(
        ((task, task.material_sealed) for task in tasks if task.material_sealed is not None),
        key=lambda held: held[0].id != chosen.task_id,
    )
    interaction = session.get(Interaction, tasks[0].interaction_id)
    if not holders or interaction is None:
        return None
    task, sealed = holders[0]
    context = task_material_context(task.id, task.interaction_id)
    try:
        material: dict[str, Any] = keyring.open_json(session, task.owner_id, sealed, context)
        labels = open_annotation(session, keyring, chosen)
    except KeyDestroyed:
        return None
    truth = {
        "transcript": labels.get("transcript", ""),
        "intent": chosen.intent,
        "slots": labels.get("slots", []),
    }
    return truth, material, interaction


def _versions(interaction: Interaction) -> dict[str, str]:
    """The version of each component that handled the interaction, as it recorded them."""
    recorded = json.loads(interaction.model_versions or "{}")
    if not isinstance(recorded, dict):
        recorded = {}
    return {component: str(recorded.get(component) or DEFAULT_VERSION) for component in COMPONENTS}
