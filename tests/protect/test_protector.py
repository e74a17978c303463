"""The default protector end to end: real redaction, bleeping checked by Whisper, anonymisation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from confide.audio import Audio
from confide.protect.known_names import KnownNames
from confide.protect.protector import default_protector, redact_understood
from confide.protect.redact import default_redactor
from confide.recognize import load_recognizer
from confide.recognize.base import Transcript, Word

NOBODY = KnownNames(frozenset())
"""A household that has told Confide no names."""


@pytest.fixture(scope="module")
def whisper():
    return load_recognizer("whisper")


class AlwaysHears:
    """Hears the same words whatever is played: as if the bleep hid nothing."""

    name = "always"

    def __init__(self, text: str) -> None:
        self.text = text

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.9) for i, w in enumerate(self.text.split())]
        return Transcript(self.text, words, self.name, audio.seconds, 0.01)


@pytest.mark.parametrize("voice", ["joe", "heart"])
def test_a_clip_with_a_phone_number_is_protected_or_refused(speech, whisper, voice):
    audio = speech("call me on five five five one two three four please", voice)
    heard = whisper.transcribe(audio)
    understood = {"intent": None, "confidence": 0.2, "slots": []}
    protect = default_protector(whisper)
    result = protect(audio, heard, understood, "Sorry, I can't call anyone.", b"task-1", NOBODY)
    assert "PHONE" in result.redacted_types
    assert not any(digit in result.transcript for digit in "0123456789")
    if result.rejection is None:
        assert result.audio is not None and len(result.audio.samples) == len(audio.samples)
        assert not np.array_equal(result.audio.samples, audio.samples)
        again = whisper.transcribe(result.audio).text.lower()
        assert "five five five" not in again and "555" not in again
    else:
        assert result.audio is None


def test_fails_closed_when_the_data_is_still_heard(speech):
    said = "call me on five five five one two three four"
    hears = AlwaysHears(said)
    protect = default_protector(hears)
    audio = speech(said, "joe")
    result = protect(audio, hears.transcribe(audio), {}, "", b"t", NOBODY)
    assert result.audio is None and result.rejection and "PHONE" in result.rejection


@pytest.mark.parametrize(
    ("slot", "shown"),
    [
        (
            {"name": "item", "value": "five five five one two three four", "start": 11, "end": 44},
            "[PHONE]",
        ),
        ({"name": "item", "value": "milk", "start": 45, "end": 49}, "milk"),
    ],
)
def test_slots_and_answers_are_redacted_too(speech, slot, shown):
    said = "call me on five five five one two three four milk"
    hears = AlwaysHears("call me on [bleep] milk")
    protect = default_protector(hears)
    heard = AlwaysHears(said).transcribe(speech("call me on", "joe"))
    result = protect(speech("call me on", "joe"), heard, {"slots": [slot]}, "", b"t", NOBODY)
    assert result.slots[0]["value"] == shown


HEARD = "Add Kalmaria Lopez on 5551234 to my to-do list."
"""Issue 10.1: "add call maria lopez on five five five ..." as Whisper heard it."""
ITEM = {"name": "item", "value": "Kalmaria Lopez on 5551234", "start": 4, "end": 29}


class HearsWhatIsNotBleeped:
    """Hears each word of `heard` whose audio was left as it was: a recogniser that bleeps fool."""

    name = "unbleeped"

    def __init__(self, original: Audio, heard: Transcript) -> None:
        self.original, self.heard = original, heard

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        def intact(word: Word) -> bool:
            start, end = int(word.start * 16000), int(word.end * 16000)
            return np.array_equal(audio.samples[start:end], self.original.samples[start:end])

        words = [word for word in self.heard.words if intact(word)]
        return Transcript(" ".join(w.word for w in words), words, self.name, audio.seconds, 0.0)


@pytest.mark.parametrize(
    ("names", "understood", "shown"),
    [
        (["Maria Lopez"], {}, "Add Kalmaria Lopez on [PHONE] to my to-do list."),
        ([], {"intent": "AddToList", "slots": [ITEM]}, "Add [PRIVATE] to my to-do list."),
    ],
)
def test_a_name_the_detectors_miss_is_hidden_by_the_household_or_the_intent(
    names, understood, shown
):
    heard = AlwaysHears(HEARD).transcribe(Audio(np.zeros(16000 * 3, dtype=np.int16)))
    rng = np.random.default_rng(10)
    audio = Audio(rng.integers(-3000, 3000, 16000 * 3, dtype=np.int16))
    protect = default_protector(HearsWhatIsNotBleeped(audio, heard))
    result = protect(audio, heard, understood, "", b"t", KnownNames.of(names))
    assert result.rejection is None
    if names:
        shown = shown.replace("Kalmaria Lopez", "[PERSON]")
    assert result.transcript == shown
    assert "Lopez" not in result.transcript and "to my to-do list" in result.transcript


@pytest.mark.parametrize(
    "again", ["Add Kalmaria Lopez to my to-do list.", "Add Lopes on to my list."]
)
def test_a_known_name_heard_again_in_the_bleeped_clip_refuses_it(again):
    """The fail-closed check looks for the household's names too: a name the bleep did not
    hide, heard again however it is spelled, keeps the clip from every reviewer."""
    heard = AlwaysHears(HEARD).transcribe(Audio(np.zeros(16000 * 3, dtype=np.int16)))
    audio = Audio(np.random.default_rng(3).integers(-3000, 3000, 16000 * 3, dtype=np.int16))
    protect = default_protector(AlwaysHears(again))
    result = protect(audio, heard, {}, "", b"t", KnownNames.of(["Maria Lopez"]))
    assert result.audio is None and result.rejection and "PERSON" in result.rejection


def understood_as(text: str, intent: str | None, *slots: tuple[str, str], confidence=0.95):
    """`confide understand`'s shape, each slot at its first place in `text`."""
    found = []
    for name, value in slots:
        start = text.index(value)
        found.append({"name": name, "value": value, "start": start, "end": start + len(value)})
    return {"text": text, "intent": intent, "confidence": confidence, "slots": found}


PUBLIC_AND_PRIVATE = [
    # (text, intent, slots, household's names, what the reviewer reads)
    (
        "play something by taylor swift",
        "PlayMusic",
        [("artist", "taylor swift")],
        [],
        "play something by taylor swift",
    ),
    (
        "play music by ed sheeran in the kitchen",
        "PlayMusic",
        [("artist", "ed sheeran")],
        [],
        "play music by ed sheeran in the kitchen",
    ),
    (
        "play music by ed sheeran for maria lopez",
        "PlayMusic",
        [("artist", "ed sheeran")],
        [],
        "play music by ed sheeran for [PERSON]",
    ),
    (
        "add bruno mars to my road trip playlist",
        "AddToPlaylist",
        [("artist", "bruno mars"), ("playlist", "road trip")],
        [],
        "add bruno mars to my road trip playlist",
    ),
    ("what's the weather in austin", "GetWeather", [("city", "austin")], [], None),
    # A household's own name is never public, in an artist slot too.
    (
        "play something by maria lopez",
        "PlayMusic",
        [("artist", "maria lopez")],
        ["Maria Lopez"],
        "play something by [PERSON]",
    ),
    ("call maria lopez", None, [], [], "call [PERSON]"),
    ("my name is john smith", "GetWeather", [], [], "my name is [PERSON]"),
    (
        "add call maria lopez to my to do list",
        "AddToList",
        [("item", "call maria lopez"), ("list_name", "to do")],
        [],
        "add [PRIVATE] to my to do list",
    ),
]


@pytest.mark.parametrize(("text", "intent", "slots", "names", "shown"), PUBLIC_AND_PRIVATE)
def test_public_names_stay_and_private_names_go(text, intent, slots, names, shown):
    redaction = redact_understood(
        default_redactor(), text, understood_as(text, intent, *slots), KnownNames.of(names)
    )
    assert redaction.text == (text if shown is None else shown)
    assert all(text[s.start : s.end] not in redaction.text for s in redaction.spans)


def test_a_guessed_intent_makes_no_name_public():
    """A request the classifier is unsure of may be another one, where the name is private."""
    text = "play something by taylor swift"
    unsure = understood_as(text, "PlayMusic", ("artist", "taylor swift"), confidence=0.3)
    assert redact_understood(default_redactor(), text, unsure).text == "play something by [PERSON]"


@pytest.mark.parametrize(
    ("said", "artist", "names", "transcript", "shown"),
    [
        (
            "Play music by Ed Sheeran in the kitchen.",
            "Ed Sheeran",
            [],
            "Play music by Ed Sheeran in the kitchen.",
            "Ed Sheeran",
        ),
        (
            "Play music by Ed Sheeran for Maria Lopez.",
            "Ed Sheeran",
            ["Maria Lopez"],
            "Play music by Ed Sheeran for [PERSON].",
            "Ed Sheeran",
        ),
        (
            "Play music by Maria Lopez.",
            "Maria Lopez",
            ["Maria Lopez"],
            "Play music by [PERSON].",
            "[PERSON]",
        ),
    ],
)
def test_a_public_name_stays_audible_and_does_not_refuse_the_clip(
    said, artist, names, transcript, shown
):
    """The fail-closed check hears the public name again, where it was left: no finding. What
    was hidden is still looked for, and the clip is refused if it comes back."""
    heard = AlwaysHears(said).transcribe(Audio(np.zeros(16000 * 3, dtype=np.int16)))
    audio = Audio(np.random.default_rng(7).integers(-3000, 3000, 16000 * 3, dtype=np.int16))
    understood = understood_as(said, "PlayMusic", ("artist", artist))
    answer = f"Playing music by {artist}."
    known = KnownNames.of(names)
    result = default_protector(HearsWhatIsNotBleeped(audio, heard))(
        audio, heard, understood, answer, b"t", known
    )
    assert result.rejection is None, result.rejection
    assert result.transcript == transcript
    assert result.slots == [{"name": "artist", "value": shown}]
    assert result.answer == f"Playing music by {shown}."
    if names:  # the bleep heard through: the hidden name comes back and refuses the clip
        refused = default_protector(AlwaysHears(said))(
            audio, heard, understood, answer, b"t", known
        )
        assert refused.audio is None and refused.rejection and "PERSON" in refused.rejection
