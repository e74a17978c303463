"""Understanding on the command line: `confide understand`, `confide nlu train` and `nlu eval`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from confide.cli.common import DataDir, app, err, fail, refusals
from confide.errors import BadModel, BadTrainingData

nlu = typer.Typer(
    help="Train and evaluate the intent and slot model.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(nlu, name="nlu")


@contextmanager
def _refusals() -> Iterator[None]:
    """`refusals`, with unreadable training data and models counted as bad input too."""
    with refusals():
        try:
            yield
        except (BadTrainingData, BadModel) as exc:
            fail(2, str(exc))


@nlu.command("train")
def train(
    files: Annotated[list[Path], typer.Argument(help="Snips-benchmark JSON files.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to save the model in.")],
) -> None:
    """Train intents and slots from Snips-benchmark JSON files (UTF-8 or Latin-1)."""
    from confide.understand.data import read_all
    from confide.understand.model import NluModel

    with _refusals():
        queries = read_all(files)
        NluModel.train(queries).save(out)
    intents = len({query.intent for query in queries})
    err.print(f"trained on {len(queries)} queries of {intents} intents; saved in {out}")


@nlu.command("eval")
def evaluate(
    data: Annotated[
        Path | None,
        typer.Option(help="Folder of Snips 2017 training files (default: the shipped copy)."),
    ] = None,
    draws: Annotated[int, typer.Option(min=0, max=3, help="Random 70-query draws.")] = 3,
    full: Annotated[bool, typer.Option(help="Also train on the full training data.")] = True,
) -> None:
    """The Snips 2017 benchmark: slot F1 per intent and intent accuracy, beside published rows."""
    from confide.understand import evaluation

    with _refusals():
        rows = evaluation.evaluate(
            data or evaluation.snips_folder(),
            draws=evaluation.DRAWS[:draws],
            full=full,
            progress=lambda message: err.print(message, highlight=False),
        )
    print(evaluation.text_table(rows))


@app.command()
def understand(
    text: Annotated[
        str | None, typer.Argument(help="The text; without it, one text per line of stdin.")
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="A model folder from `nlu train` (default: built in)."),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(help="Reference day for relative dates, YYYY-MM-DD (default: today)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Intent and slots of each text, one JSON object per line."""
    from confide.paths import default_data_dir
    from confide.understand.catalog import load_catalog
    from confide.understand.default import default_model
    from confide.understand.model import NluModel

    with _refusals():
        reference = date.fromisoformat(today) if today else date.today()
        promoted = None
        if data_dir is not None and model is None:
            from confide.service.runtime import promoted_folders

            promoted = promoted_folders(data_dir).get("nlu")
        if promoted is not None:
            from confide.learn.components import nlu_model

            loaded = nlu_model(promoted[1], data_dir)
        else:
            catalog = load_catalog(data_dir or default_data_dir())
            loaded = (
                NluModel.load(model, catalog)
                if model
                else default_model(catalog, on_build=lambda message: err.print(message))
            )
    texts = [text] if text is not None else (line.rstrip("\r\n") for line in sys.stdin)
    for line in texts:
        print(json.dumps(loaded.understand(line, reference).to_json()), flush=True)
