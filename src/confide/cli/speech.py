"""The speech front end on the command line: listen, transcribe, device, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from confide.audio import DEFAULT_MAX_SECONDS, read_audio
from confide.cli.common import DataDir, app, audio_progress, err, fail, refusals
from confide.errors import BadAudio
from confide.paths import default_data_dir

if TYPE_CHECKING:
    from confide.capture.agent import CompletionCheck
    from confide.capture.wakeword import WakeDetector
    from confide.recognize import Recognizer


EarlyEnd = Annotated[
    bool,
    typer.Option(
        "--early-end/--no-early-end",
        help=(
            "End an utterance after a short pause when a local recogniser hears a whole request."
            " Off by default: it still cuts off some speakers who hesitate."
        ),
    ),
]


WakeCheckOption = Annotated[
    bool,
    typer.Option(
        "--wake-check/--no-wake-check",
        help=(
            "Check each wake with a local recogniser before waking (micro engine): a more"
            " sensitive first stage misses fewer words in noise, and the check turns down what"
            " only sounds like the word. Costs a second of start-up and about 100 MB."
        ),
    ),
]


def _wake_detector(
    wake_words: list[str],
    checked: bool,
    sensitivity: float = 0.5,
    refractory: float = 2.0,
    engine: str = "micro",
) -> WakeDetector:
    """The engine's detector; microWakeWord with the device's second stage when `checked`."""
    from confide.recognize.wake_check import device_detector

    return device_detector(wake_words, checked, sensitivity, refractory, engine, err.print)


def _completion_check() -> CompletionCheck:
    """The device's look at whether the words so far make a whole request; loads Whisper."""
    from confide.understand.completeness import SpokenRequestEnd

    err.print("loading the local recogniser that hears when a request is whole")
    return SpokenRequestEnd.default()


@app.command()
def listen(
    file: Path,
    wake_word: Annotated[
        list[str] | None,
        typer.Option(
            "--wake-word", help="okay_nabu, hey_jarvis, alexa or hey_mycroft; repeatable."
        ),
    ] = None,
    engine: Annotated[str, typer.Option(help="Wake-word engine: micro, open or sphinx.")] = "micro",
    keyphrase: Annotated[
        list[str] | None,
        typer.Option(
            help="A custom phrase for the sphinx engine, e.g. 'hey computer'; repeatable."
        ),
    ] = None,
    sensitivity: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5,
    refractory: Annotated[float, typer.Option(help="Seconds before a word may fire again.")] = 2.0,
    pre_roll: Annotated[float, typer.Option(help="Seconds kept from before the wake.")] = 0.3,
    trailing_silence: Annotated[float, typer.Option(help="Silence that ends an utterance.")] = 0.7,
    early_end: EarlyEnd = False,
    wake_check: WakeCheckOption = True,
    max_utterance: Annotated[float, typer.Option(help="Longest utterance, seconds.")] = 10.0,
    transcribe: Annotated[
        bool, typer.Option("--transcribe", help="Print each utterance's text.")
    ] = False,
    asr_engine: Annotated[
        str, typer.Option(help="whisper, pocketsphinx or moonshine.")
    ] = "whisper",
    max_seconds: Annotated[float, typer.Option(help="Refuse recordings longer than this.")] = 6
    * 3600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Play a recording through the device agent: wake words, and the utterances it would send."""
    from confide.capture.agent import EndpointSettings, Utterance
    from confide.capture.listen import listen as run_listen
    from confide.recognize import load_recognizer, words_after

    with refusals():
        audio = read_audio(file, max_seconds=max_seconds)
        words = keyphrase if engine == "sphinx" and keyphrase else wake_word or ["okay_nabu"]
        detector = _wake_detector(words, wake_check, sensitivity, refractory, engine)
        settings = EndpointSettings(
            pre_roll=pre_roll, trailing_silence=trailing_silence, max_seconds=max_utterance
        )
        recognizer = load_recognizer(asr_engine) if transcribe else None
        completion = _completion_check() if early_end else None
        texts: list[str] = []

        def heard(utterance: Utterance) -> None:
            if recognizer is None:
                return
            text = words_after(recognizer.transcribe(utterance.audio), utterance.wake_offset).text
            texts.append(text)
            if not as_json:
                print(f"{utterance.start:8.2f} s  heard: {text}", flush=True)

        with audio_progress(audio.seconds, f"listening to {file.name}") as progress:
            result = run_listen(
                audio,
                detector,
                settings,
                on_utterance=heard,
                on_progress=progress,
                completion=completion,
            )
    utterances: list[dict[str, Any]] = [{"start": u.start, "end": u.end} for u in result.utterances]
    for entry, text in zip(utterances, texts, strict=False):
        entry["text"] = text
    if as_json:
        print(
            json.dumps(
                {
                    "detections": [
                        {"wake_word": d.wake_word, "time": d.time, "score": d.score}
                        for d in result.detections
                    ],
                    "utterances": utterances,
                    "audio_seconds": round(result.audio_seconds, 3),
                    "processing_seconds": round(result.processing_seconds, 3),
                }
            )
        )
        return
    for detection in result.detections:
        print(f"{detection.time:8.2f} s  {detection.wake_word}  score {detection.score:.3f}")
    print(
        f"{len(result.detections)} wake word(s), {len(result.utterances)} utterance(s) in "
        f"{result.audio_seconds:.1f} s of audio ({result.processing_seconds:.1f} s)"
    )


@app.command()
def transcribe(
    files: Annotated[list[Path], typer.Argument(help="WAV, FLAC or raw 16 kHz PCM files.")],
    engine: Annotated[str, typer.Option(help="whisper, pocketsphinx or moonshine.")] = "whisper",
    hint: Annotated[
        list[str] | None,
        typer.Option(help="A word to favour (names, catalog entries); repeatable."),
    ] = None,
    max_seconds: Annotated[float, typer.Option(help="Refuse files longer than this.")] = (
        DEFAULT_MAX_SECONDS
    ),
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for the engine.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Use the recogniser as promoted in this data dir's model registry."
        ),
    ] = None,
) -> None:
    """Speech to text with word timings, one line per file; bad files are reported and skipped."""
    from confide.recognize import load_recognizer

    with refusals():
        recognizer: Recognizer = load_recognizer(engine, threads=threads)
        if data_dir is not None:
            from confide.learn.components import adapted_recognizer
            from confide.service.runtime import promoted_folders

            if promoted := promoted_folders(data_dir).get("asr"):
                recognizer = adapted_recognizer(promoted[1], recognizer)
    refused = 0
    for file in files:
        try:
            audio = read_audio(file, max_seconds=max_seconds)
        except BadAudio as exc:
            refused += 1
            print(f"confide: {exc}", file=sys.stderr)
            continue
        result = recognizer.transcribe(audio, hints=hint or ())
        if as_json:
            print(json.dumps({"file": str(file), **result.to_json()}), flush=True)
        else:
            print(f"{file}: {result.text}", flush=True)
    if refused:
        raise typer.Exit(2)


@app.command()
def device(
    server: Annotated[str | None, typer.Option(help="The Confide server's URL.")] = None,
    token: Annotated[str | None, typer.Option(help="This device's token (from pairing).")] = None,
    wav: Annotated[Path | None, typer.Option(help="Play this recording as the microphone.")] = None,
    mic: Annotated[bool, typer.Option("--mic", help="Listen to the default microphone.")] = False,
    sink: Annotated[
        Path | None, typer.Option(help="Without --server: folder that receives uploads.")
    ] = None,
    wake_word: Annotated[list[str] | None, typer.Option("--wake-word")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Do not pace --wav in real time.")] = False,
    early_end: EarlyEnd = False,
    wake_check: WakeCheckOption = True,
    data_dir: DataDir = None,
) -> None:
    """The device agent: wakes on the word, and uploads only what follows it."""
    from confide.capture.agent import DeviceAgent, State, Utterance
    from confide.capture.sources import file_frames, microphone_frames
    from confide.capture.tuning import ServerThresholds, ThresholdUpdates
    from confide.capture.uploaders import FolderUploader, ServerUploader

    if (wav is None) == (not mic):
        fail(2, "give exactly one of --wav FILE or --mic")
    if (server is None) != (token is None):
        fail(2, "--server and --token go together")
    with refusals():
        frames = (
            file_frames(read_audio(wav, max_seconds=24 * 3600.0), realtime=not fast)
            if wav
            else microphone_frames()
        )

        def answered(utterance: Utterance, status: dict[str, Any]) -> None:
            answer = (status.get("answer") or {}).get("text", status["status"])
            print(f"{utterance.end:8.2f} s  answer: {answer}", flush=True)

        uploader: ServerUploader | FolderUploader
        household: ServerThresholds | None = None
        thresholds: ThresholdUpdates | None = None
        if server and token:
            uploader = ServerUploader(server, token, on_answer=answered)
            where = server
            # The household's wake-word thresholds: asked for now, then every quarter hour.
            household = ServerThresholds(server, token)
            thresholds = ThresholdUpdates(household.fetch)
            thresholds.start()
            if thresholds.current:
                err.print(f"wake-word thresholds from the server: {thresholds.current}")
        else:
            outbox = sink or (data_dir or default_data_dir()) / "outbox"
            uploader, where = FolderUploader(outbox), str(outbox)

        def show(state: State, now: float) -> None:
            err.print(f"{now:8.2f} s  {state.value}", highlight=False)

        agent = DeviceAgent(
            _wake_detector(wake_word or ["okay_nabu"], wake_check),
            uploader,
            on_state=show,
            thresholds=thresholds,
            completion=_completion_check() if early_end else None,
        )
        try:
            for frame in frames:
                agent.feed(frame)
        except KeyboardInterrupt:
            pass
        agent.flush()
        if isinstance(uploader, ServerUploader):
            uploader.close()
        if thresholds and household:
            thresholds.stop()
            household.close()
    err.print(f"{uploader.sent} utterance(s) sent to {where}")


@app.command()
def demo(
    data_dir: DataDir = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Set up, play, and exit.")] = False,
    fast: Annotated[
        bool, typer.Option("--fast", help="Do not pace the audio in real time.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for the server when serving.")] = 8400,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A household's day through simulated devices to a real server; prints URLs and logins."""
    from confide.demo.household import run_demo

    with refusals():
        report = run_demo(
            data_dir or default_data_dir(),
            realtime=not (fast or as_json),
            live=not as_json,
            serve=not no_serve,
            port=port,
        )
    if as_json:
        print(json.dumps(report))
