"""Deletion receipts in words: the scope of a deletion and what it erased, as the privacy
centre and the export say them ("1 recording", "Everything from 2026-05-01 to 2026-05-03")."""

from __future__ import annotations

SCOPES = {
    "interaction": "One interaction you deleted",
    "false wake": "One interaction that wasn't for the assistant",
    "all": "Everything you had",
    "retention": "Automatic deletion after your chosen period",
    "today": "Today's interactions, deleted by voice",
    "last utterance": "What you had just said, deleted by voice",
    "account": "Your whole account",
    "recordings": "The recordings you had kept, when you stopped keeping them",
    "dataset": "Your training data, when you withdrew the consent it relied on",
}
"""Deletion scopes in the words a receipt shows."""
KINDS = {
    "audio": "recordings",
    "review_clips": "anonymised clips waiting for or kept from review",
    "skill_items": "timers and list items",
    "data_key": "data key",
    "derived_answers": "answers that read back what you said",
    "dataset.items": "anonymised clips in the training data",
    "dataset.models": "models to be retrained without your data",
    "review.review_tasks": "review tasks",
    "review.annotations": "reviewers' labels",
}
"""Receipt counts whose key is not already the word to show."""
SINGULAR_KINDS = {
    "audio": "recording",
    "review_clips": "anonymised clip waiting for or kept from review",
    "skill_items": "timer or list item",
    "data_key": "data key",
    "derived_answers": "answer that read back what you said",
    "dataset.items": "anonymised clip in the training data",
    "dataset.models": "model to be retrained without your data",
    "review.annotations": "reviewer's label",
}
"""The same, for a count of one; other kinds drop their plural's final "s"."""


def scope_words(scope: str) -> str:
    if scope.startswith("range "):
        start, _, end = scope.removeprefix("range ").partition("..")
        return f"Everything from {start} to {end}"
    return SCOPES.get(scope, scope)


def erased_words(erased: dict[str, int]) -> list[tuple[str, int]]:
    """Each kind a receipt counts, in words (plural: a table's row label), with its count."""
    return [(_kind_words(kind), n) for kind, n in erased.items()]


def erased_counts(erased: dict[str, int]) -> list[str]:
    """Each count a receipt holds as words that agree with it: "1 interaction", "2 recordings"."""
    said = []
    for kind, n in erased.items():
        words = _kind_words(kind)
        if n == 1:
            words = SINGULAR_KINDS.get(kind, words.removesuffix("s"))
        said.append(f"{n} {words}")
    return said


def _kind_words(kind: str) -> str:
    return KINDS.get(kind, kind.replace("_", " ").replace(".", ": "))
