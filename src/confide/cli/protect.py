"""Protecting what reviewers get, on the command line: `confide redact`, `confide anonymize`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from confide.cli.common import app, err, fail, refusals

__all__ = ["anonymize", "app", "redact"]


@app.command()
def redact(
    intent: Annotated[
        str | None,
        typer.Option(
            help="Understand each line as this intent (e.g. PlayMusic) and keep the public "
            "names in its slots (an artist, a city); private names are still redacted."
        ),
    ] = None,
) -> None:
    """Redact personal data from each line of stdin, one JSON object per line:
    {"text": redacted, "spans": [{"start", "end", "type", "score"}]}, offsets in the input."""
    from confide.errors import UnknownChoice
    from confide.protect.protector import redact_understood
    from confide.protect.redact import default_redactor
    from confide.understand.default import default_model

    with refusals():
        model = None if intent is None else default_model(on_build=err.print)
        if model is not None and intent not in model.schema:
            raise UnknownChoice(
                f"unknown intent {intent!r}; one of {', '.join(sorted(model.schema))}"
            )
        redactor = default_redactor()
        for line in sys.stdin:
            text = line.rstrip("\r\n")
            if model is None:
                redaction = redactor.redact(text)
            else:
                understood = model.understand(text, intent=intent).to_json()
                understood["confidence"] = 1.0  # the intent is given, not guessed
                redaction = redact_understood(redactor, text, understood)
            print(json.dumps(redaction.to_json()), flush=True)


@app.command()
def anonymize(
    source: Annotated[Path, typer.Argument(metavar="IN.wav", help="The recording to anonymise.")],
    out: Annotated[Path, typer.Argument(metavar="OUT.wav", help="Where to write the result.")],
    seed: Annotated[
        int | None,
        typer.Option(
            help="Pick the pseudo-speaker: the same seed, the same voice (default: random)."
        ),
    ] = None,
) -> None:
    """Write IN.wav as a reviewer hears it: the same words in a pseudo-speaker's voice."""
    from confide.audio import read_audio, write_wav
    from confide.protect.anonymize import anonymize as anonymize_voice
    from confide.protect.anonymize import random_target, target_for

    if not out.parent.is_dir():
        fail(2, f"{out}: the folder {out.parent} does not exist")
    with refusals():
        audio = read_audio(source)
        target = random_target() if seed is None else target_for(seed)
        write_wav(out, anonymize_voice(audio, target))
