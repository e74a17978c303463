"""The error tree: every refusal is a leaf of ConfideError, and the CLI maps it by its branch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
import typer

from confide import errors
from confide.audio import read_audio
from confide.capture.preroll import PreRoll
from confide.capture.wakeword import threshold_for
from confide.cli.common import refusals
from confide.errors import (
    BadAccountDetails,
    BadSpan,
    ConfideError,
    Conflict,
    InvalidInput,
    LoginTaken,
    Malformed,
    OutOfRange,
    UnknownChoice,
    Unparseable,
)
from confide.protect.anonymize import target_for
from confide.protect.bleep import bleep
from confide.protect.redact import apply_spans
from confide.protect.spans import PiiSpan
from confide.recognize import load_recognizer
from confide.respond.base import Request
from confide.respond.durations import parse_iso_duration
from confide.respond.speech import number_words
from confide.review.staff import add_staff
from confide.store.blobs import check_key
from confide_testing import wav

INVALID_INPUT = [
    cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, InvalidInput) and cls is not InvalidInput
]
CONFLICT = [
    cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, Conflict) and cls is not Conflict
]


def test_every_error_is_drawn_in_the_tree() -> None:
    tree = errors.__doc__ or ""
    names = [n for n, c in vars(errors).items() if isinstance(c, type) and issubclass(c, Exception)]
    assert names and all(f"── {name} " in tree or name == "ConfideError" for name in names)


@pytest.mark.parametrize("leaf", INVALID_INPUT, ids=lambda c: c.__name__)
def test_invalid_input_leaves_are_value_errors(leaf: type[Exception]) -> None:
    """Callers that catch ValueError keep working."""
    assert issubclass(leaf, ConfideError) and issubclass(leaf, ValueError)


@pytest.mark.parametrize("leaf", CONFLICT, ids=lambda c: c.__name__)
def test_conflict_leaves_are_not_bad_values(leaf: type[Exception]) -> None:
    """A conflict is a well-formed request (HTTP 409), not a bad value (422)."""
    assert issubclass(leaf, ConfideError) and not issubclass(leaf, ValueError)


@pytest.mark.parametrize(
    ("refuse", "leaf", "message"),
    [
        (lambda: load_recognizer("kaldi"), UnknownChoice, "unknown ASR engine 'kaldi'"),
        (lambda: bleep(read_audio(wav(1.0)), [], mode="hum"), UnknownChoice, "unknown bleep mode"),
        (lambda: threshold_for(0.5, 1.5), OutOfRange, "between 0 and 1"),
        (lambda: PreRoll(-1.0), OutOfRange, "negative"),
        (lambda: number_words(1000), OutOfRange, "outside the numbers spoken here"),
        (lambda: parse_iso_duration("ten minutes"), Unparseable, "not an ISO 8601 duration"),
        (lambda: parse_iso_duration("P1M"), Unparseable, "years or months"),
        (lambda: check_key("../escape"), Malformed, "invalid blob key"),
        (lambda: target_for(1.5), Malformed, "a seed is bytes or an int"),
        (lambda: Request(None, (), "hi", datetime(2025, 1, 1)), Malformed, "timezone-aware"),
        (
            lambda: apply_spans(
                "ab cd", [PiiSpan(0, 4, "PERSON", 1.0), PiiSpan(3, 5, "PERSON", 1.0)]
            ),
            BadSpan,
            "overlapping span",
        ),
        (lambda: bleep(read_audio(wav(1.0)), [(0.5, 0.2)]), BadSpan, "interval ends"),
    ],
)
def test_refusals_raise_their_leaf(
    refuse: Callable[[], object], leaf: type[Exception], message: str
) -> None:
    with pytest.raises(leaf, match=message):
        refuse()


def test_staff_accounts_refuse_by_leaf(session, keyring) -> None:
    add_staff(session, keyring, "rhea", "a long enough password", {"reviewer"})
    with pytest.raises(LoginTaken, match="is taken"):
        add_staff(session, keyring, "rhea", "another long password", {"reviewer"})
    with pytest.raises(BadAccountDetails, match="12 characters"):
        add_staff(session, keyring, "theo", "short", {"reviewer"})
    with pytest.raises(UnknownChoice, match="roles"):
        add_staff(session, keyring, "theo", "a long enough password", {"overlord"})


@pytest.mark.parametrize(
    ("raised", "code"),
    [
        (UnknownChoice("unknown voice"), 2),
        (LoginTaken("the login 'rhea' is taken"), 2),
        (ValueError("invalid literal for int()"), 2),
        (errors.NotFound("no such task"), 1),
        (errors.AccessDenied("no"), 1),
    ],
)
def test_the_cli_exits_by_branch(raised: Exception, code: int) -> None:
    with pytest.raises(typer.Exit) as exited, refusals():
        raise raised
    assert exited.value.exit_code == code
