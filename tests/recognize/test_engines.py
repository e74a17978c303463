"""ASR engines: text close to what was said, word timings inside the audio, hints that help."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest

from confide.audio import SAMPLE_RATE, Audio
from confide.demo.recordings import Speaker
from confide.errors import EngineUnavailable
from confide.recognize import Recognizer, load_recognizer, words_after
from confide.recognize.base import Transcript, Word

COMMANDS = [
    ("set a timer for ten minutes", "joe"),
    ("what's the weather like in paris tomorrow", "heart"),
    ("add eggs and milk to the shopping list", "joe"),
    ("turn the volume down please", "heart"),
]
NUMBER_WORDS = {"10": "ten", "5": "five"}

# Largest word error rate each engine may show on these clean, short synthetic commands.
MAX_WER = {"whisper": 0.15, "moonshine": 0.15, "pocketsphinx": 0.6}


@cache
def loaded(engine: str) -> Recognizer | EngineUnavailable:
    try:
        return load_recognizer(engine)
    except EngineUnavailable as exc:
        return exc


def recognizer(engine: str) -> Recognizer:
    """The engine, or a skip naming why it cannot run on this machine (an optional engine)."""
    engine_or_why = loaded(engine)
    if isinstance(engine_or_why, EngineUnavailable):
        pytest.skip(str(engine_or_why))
    return engine_or_why


def normalise(text: str) -> list[str]:
    words = re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()
    return [NUMBER_WORDS.get(w, w) for w in words]


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalise(reference), normalise(hypothesis)
    distance = np.arange(len(hyp) + 1)
    for i, r in enumerate(ref, 1):
        previous, distance = distance, np.empty_like(distance)
        distance[0] = i
        for j, h in enumerate(hyp, 1):
            distance[j] = min(previous[j] + 1, distance[j - 1] + 1, previous[j - 1] + (r != h))
    return float(distance[-1]) / len(ref)


@pytest.mark.parametrize("engine", ["whisper", "pocketsphinx", "moonshine"])
def test_engines_transcribe_commands(engine: str, speech: Speaker) -> None:
    errors = 0.0
    for text, voice in COMMANDS:
        audio = speech(text, voice, 1.0)
        result = recognizer(engine).transcribe(audio)
        errors += wer(text, result.text)
        assert result.engine == engine
        assert result.audio_seconds == pytest.approx(audio.seconds)
        assert result.processing_seconds > 0
        check_words(result, audio)
    assert errors / len(COMMANDS) <= MAX_WER[engine]


def check_words(result: Transcript, audio: Audio) -> None:
    assert result.words, "every engine gives word timings"
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    for word in result.words:
        assert 0.0 <= word.start <= word.end <= audio.seconds + 0.05
        if result.engine == "moonshine":
            assert word.confidence is None  # Moonshine reports none; none is invented
        else:
            assert word.confidence is not None and 0.0 <= word.confidence <= 1.0


@pytest.mark.parametrize(
    ("said", "hint"),
    [
        ("Play something by Kiri Te Kanawa.", "Kiri Te Kanawa"),
        ("Turn on the lights in Dashiell's room.", "Dashiell"),
        ("Play the new album by Sade.", "Sade"),
    ],
)
def test_whisper_hints_bring_in_names(said: str, hint: str, speech: Speaker) -> None:
    """Given the name as a hint, Whisper writes it. Whether it also gets the name without the
    hint is one borderline output that differs between machines, so it is not asserted."""
    audio = speech(said, "joe", 1.0)
    assert hint in recognizer("whisper").transcribe(audio, hints=[hint]).text


@pytest.mark.parametrize(
    ("silence_before", "silence_after"),
    [(0.0, 0.0), (0.0, 28.0), (27.0, 0.0)],
    ids=["a command alone", "then 28 s of silence", "after 27 s of silence"],
)
def test_whisper_hears_a_command_in_a_short_or_a_whole_window(
    silence_before: float, silence_after: float, speech: Speaker
) -> None:
    """A command is encoded in a window shorter than Whisper's 30 s; a clip near the 30 s limit
    takes the whole window (or faster-whisper's 30 s windows). Either way the words and their
    timings are the same command's, and the same audio gives the same transcript every time."""
    said = speech("set a timer for ten minutes", "joe", 1.0)
    before, after = (
        np.zeros(round(s * SAMPLE_RATE), np.int16) for s in (silence_before, silence_after)
    )
    audio = Audio(np.concatenate([before, said.samples, after]))
    whisper = recognizer("whisper")
    heard = whisper.transcribe(audio)
    assert wer("set a timer for ten minutes", heard.text) <= 0.2, heard.text
    check_words(heard, audio)
    assert heard.words[0].start >= silence_before - 0.5
    again = whisper.transcribe(audio)
    assert (again.text, again.words) == (heard.text, heard.words)


def test_whisper_on_one_thread_leaves_numpy_one_thread() -> None:
    """OpenBLAS ran the features' matrix product on a thread per core, whose spinning made a
    worker on one thread take 1.6 cores (issue 12's load benchmark)."""
    from threadpoolctl import threadpool_info

    recognizer("whisper")
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_sphinx_hints_do_not_outlive_the_call(speech: Speaker) -> None:
    """After a hinted call, pocketsphinx hears a clip exactly as a fresh recogniser does. What it
    hears also hangs on what it heard before (its cepstral mean runs on from clip to clip), so
    the same recogniser before the hint is no reference."""
    audio = speech("Add quinoa to the shopping list.", "joe", 1.0)
    fresh, hinted = load_recognizer("pocketsphinx"), load_recognizer("pocketsphinx")
    hinted.transcribe(audio, hints=["quinoa", "lentils"])
    assert hinted.transcribe(audio).words == fresh.transcribe(audio).words


@pytest.mark.parametrize(
    ("offset", "kept"),
    [(0.0, ["who", "set", "a"]), (0.3, ["set", "a"]), (0.5, ["set", "a"]), (0.6, ["a"])],
)
def test_words_after_drops_the_wake_tail(offset: float, kept: list[str]) -> None:
    transcript = Transcript(
        "who set a",
        [Word("who", 0.0, 0.14, 0.3), Word("set", 0.14, 0.54, 0.9), Word("a", 0.54, 0.86, 0.9)],
        "whisper",
        1.0,
        0.1,
    )
    trimmed = words_after(transcript, offset)
    assert [w.word for w in trimmed.words] == kept
    assert trimmed.text == " ".join(kept)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown ASR engine 'kaldi'"):
        load_recognizer("kaldi")


def test_moonshine_aligns_text_with_stray_quotes(speech: Speaker) -> None:
    """Moonshine sometimes quotes its output; a token of punctuation alone must not break timing."""
    from confide.recognize.moonshine import _TOKEN

    assert _TOKEN.findall("'what's the capital of australia?'") == [
        "what's",
        "the",
        "capital",
        "of",
        "australia",
    ]
    audio = speech("what's the capital of australia", "joe", 1.0)
    result = recognizer("moonshine").transcribe(audio)
    check_words(result, audio)


@pytest.mark.parametrize(
    ("returncode", "stderr", "trouble"),
    [
        (0, "", None),
        (-4, "", "its runtime was killed by SIGILL (an instruction this CPU lacks)"),
        (-11, "", "its runtime was killed by SIGSEGV"),
        (1, "Traceback ...\nOSError: no model\n", "its runtime failed to load: OSError: no model"),
    ],
)
def test_moonshine_is_tried_in_a_child_before_it_can_crash_the_process(
    monkeypatch: pytest.MonkeyPatch, returncode: int, stderr: str, trouble: str | None
) -> None:
    import subprocess

    from confide.recognize import moonshine

    def run(args: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(args, returncode, "", stderr)

    monkeypatch.setattr(moonshine.subprocess, "run", run)
    moonshine._runtime_trouble.cache_clear()
    try:
        assert moonshine._runtime_trouble() == trouble
    finally:
        moonshine._runtime_trouble.cache_clear()
