"""Reading Snips-benchmark files: both encodings, and refusals that name the file and place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from confide.errors import BadTrainingData
from confide.understand.data import read_all, read_snips

QUERIES = [
    {"data": [{"text": "play "}, {"text": "Beyoncé", "entity": "artist"}, {"text": " now"}]},
    {"data": [{"text": "play some "}, {"text": " jazz ", "entity": "genre"}]},
]


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_reads_either_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "train_PlayMusic.json"
    path.write_bytes(json.dumps({"PlayMusic": QUERIES}, ensure_ascii=False).encode(encoding))
    first, second = read_snips(path)
    assert (first.text, first.intent) == ("play Beyoncé now", "PlayMusic")
    assert [(s.name, first.value(s)) for s in first.slots] == [("artist", "Beyoncé")]
    assert [(s.name, second.value(s)) for s in second.slots] == [("genre", "jazz")]


def test_reads_the_shipped_latin1_file() -> None:
    folder = Path(__file__).parents[2] / "src/confide/understand/resources/snips2017"
    queries = read_snips(folder / "train_PlayMusic_full.json")
    assert len(queries) == 2000
    assert {q.intent for q in queries} == {"PlayMusic"}


BAD = [
    (
        "{not json",
        "train_X.json: not JSON: Expecting property name enclosed in double quotes "
        "at line 1 column 2",
    ),
    ('["PlayMusic"]', 'train_X.json: expected an object {"<Intent>": [queries]}'),
    ('{"PlayMusic": {}}', "train_X.json: PlayMusic: expected a list of queries"),
    (
        '{"PlayMusic": [{"text": "x"}]}',
        'train_X.json: PlayMusic query 1: expected {"data": [chunks]}',
    ),
    (
        '{"PlayMusic": [{"data": [{"text": "ok"}]}, {"data": [{"text": 3, "entity": "artist"}]}]}',
        "train_X.json: PlayMusic query 2: slot text is not a string",
    ),
    (
        '{"PlayMusic": [{"data": [{"txt": "hi"}]}]}',
        "train_X.json: PlayMusic query 1: chunk text is not a string",
    ),
    (
        '{"PlayMusic": [{"data": [{"text": "play "}, {"text": "x", "entity": ""}]}]}',
        "train_X.json: PlayMusic query 1: slot name is not a non-empty string",
    ),
    (
        '{"PlayMusic": [{"data": [{"text": "play "}, {"text": " ", "entity": "artist"}]}]}',
        "train_X.json: PlayMusic query 1: slot artist has an empty value",
    ),
    ('{"PlayMusic": [{"data": [{"text": "  "}]}]}', "train_X.json: PlayMusic query 1: empty query"),
]


@pytest.mark.parametrize(("content", "message"), BAD)
def test_malformed_files_name_the_place(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "train_X.json"
    path.write_text(content)
    with pytest.raises(BadTrainingData) as caught:
        read_snips(path)
    assert str(caught.value) == message


def test_missing_file_and_no_queries(tmp_path: Path) -> None:
    with pytest.raises(BadTrainingData, match="cannot read"):
        read_snips(tmp_path / "absent.json")
    with pytest.raises(BadTrainingData, match="no training queries"):
        read_all([])
