"""What each sealed value is bound to: its kind and its record, as AES-GCM associated data.

A ciphertext presented as another record's, or as another kind of data, fails to open. Every
context string is made here, so no two kinds of data can ever share one by accident.
"""

from __future__ import annotations


def audio_context(interaction_id: str) -> str:
    return f"audio:{interaction_id}"


def transcript_context(interaction_id: str) -> str:
    return f"transcript:{interaction_id}"


def understanding_context(interaction_id: str) -> str:
    return f"understanding:{interaction_id}"


def answer_context(interaction_id: str) -> str:
    return f"answer:{interaction_id}"


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


def task_material_context(task_id: str) -> str:
    return f"review-material:{task_id}"


def task_audio_context(task_id: str) -> str:
    return f"review-audio:{task_id}"


def annotation_context(annotation_id: str) -> str:
    return f"annotation:{annotation_id}"
