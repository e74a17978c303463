"""What each sealed value is bound to: its kind and its interaction, as AES-GCM associated data.

A ciphertext presented as another record's, or as another kind of data, fails to open.
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
