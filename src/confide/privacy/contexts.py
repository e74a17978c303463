"""What each sealed value is bound to: its kind and its record, as AES-GCM associated data.

A ciphertext presented as another record's, or as another kind of data, fails to open. Every
context is made here, so no two kinds of data can ever share one by accident. What belongs to one
interaction (its audio, transcript, understanding and answer, its review copies and annotations)
gets an `InteractionContext`, which also says which key seals it: that interaction's own, so
deleting it destroys exactly that key, and for its recording a key of the recording alone, so
that deleting only the audio ("keep my recordings" off) destroys a key too. Account-level data
(names, TOTP secrets, skill items) belongs to no interaction and takes a plain string, sealed
under its owner's key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InteractionContext:
    """A value that belongs to one interaction, and so is sealed under that interaction's key."""

    label: str
    """The associated data: the kind of value and its record."""
    key_id: str
    """The key that seals it: its interaction's id, or `recording_key_id` of it for the audio."""


def recording_key_id(interaction_id: str) -> str:
    """The key of an interaction's recording alone, destroyed when only the audio is deleted."""
    return f"{interaction_id}/recording"


def audio_context(interaction_id: str) -> InteractionContext:
    return InteractionContext(f"audio:{interaction_id}", recording_key_id(interaction_id))


def transcript_context(interaction_id: str) -> InteractionContext:
    return InteractionContext(f"transcript:{interaction_id}", interaction_id)


def understanding_context(interaction_id: str) -> InteractionContext:
    return InteractionContext(f"understanding:{interaction_id}", interaction_id)


def answer_context(interaction_id: str) -> InteractionContext:
    return InteractionContext(f"answer:{interaction_id}", interaction_id)


def task_material_context(task_id: str, interaction_id: str) -> InteractionContext:
    return InteractionContext(f"review-material:{task_id}", interaction_id)


def task_audio_context(task_id: str, interaction_id: str) -> InteractionContext:
    return InteractionContext(f"review-audio:{task_id}", interaction_id)


def annotation_context(annotation_id: str, interaction_id: str) -> InteractionContext:
    return InteractionContext(f"annotation:{annotation_id}", interaction_id)


def dataset_item_context(item_id: str, interaction_id: str) -> InteractionContext:
    """A dataset item's labels and lineage: under its interaction's key, so deleting the
    interaction shreds the item too."""
    return InteractionContext(f"dataset-item:{item_id}", interaction_id)


def dataset_audio_context(item_id: str, interaction_id: str) -> InteractionContext:
    """A dataset item's anonymised audio, under the interaction's key like its labels."""
    return InteractionContext(f"dataset-audio:{item_id}", interaction_id)


def skill_item_context(item_id: str) -> str:
    return f"item:{item_id}"


def person_name_context(person_id: str) -> str:
    return f"name:{person_id}"


def person_totp_context(person_id: str) -> str:
    return f"totp:{person_id}"


def household_name_context(household_id: str) -> str:
    return f"household-name:{household_id}"


def staff_totp_context(staff_id: str) -> str:
    return f"staff-totp:{staff_id}"
