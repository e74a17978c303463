"""Exporting the reviewed dataset for training tools: a NeMo-style manifest, Parquet, WAV files.

An export leaves the service as plain files for a training job, so it holds only what the
dataset holds: the anonymised, bleeped audio, the redacted labels and the lineage with a
pseudonymous subject, never a person id or an original recording. Each export is recorded with
the items it held before any file is written, and each person whose data it holds sees it in
their access log, so a later deletion's receipt can name the exports that held the data.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from confide.audio import write_wav
from confide.errors import Conflict
from confide.learn.dataset import DatasetItem, current_items
from confide.privacy.audit import Access, append
from confide.privacy.keys import KeyRing
from confide.store.tables import DatasetExport, DatasetExportItem, Interaction

MANIFEST = "manifest.jsonl"
PARQUET = "data.parquet"
AUDIO = "audio"
"""The folder of the WAV files, named by item id; the manifest's paths are relative to it."""

_SLOT = pa.struct([("name", pa.string()), ("value", pa.string()), ("link", pa.string())])
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("audio_filepath", pa.string()),
        ("duration", pa.float64()),
        ("text", pa.string()),
        ("intent", pa.string()),
        ("slots", pa.list_(_SLOT)),
        ("hypothesis_text", pa.string()),
        ("hypothesis_intent", pa.string()),
        ("hypothesis_slots", pa.list_(_SLOT)),
        ("slices", pa.map_(pa.string(), pa.string())),
        ("subject", pa.string()),
        ("lineage", pa.string()),
    ]
)
"""The Parquet copy: the manifest's fields with the hypothesis split out and the lineage as
JSON (its consent and model maps vary by item)."""

Progress = Callable[[int, int], None]
"""Told (items written, items in all) as an export goes."""


@dataclass(frozen=True)
class Export:
    """What one export wrote."""

    id: str
    """The export's id, as receipts name it."""
    items: int
    """Items written."""
    manifest: Path
    """The manifest file."""


def export_dataset(
    session: Session,
    keyring: KeyRing,
    out: Path,
    *,
    actor: str,
    now: datetime,
    progress: Progress | None = None,
) -> Export:
    """Write the current dataset under `out` (an empty or new folder). The record of the export
    is committed before any file is written: an export that fails half way is still on record,
    so no file can ever hold data that a receipt does not know about."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Conflict(f"{out} is not an empty folder; export into a new or empty one")
    items = current_items(session, keyring)
    export_id = uuid.uuid4().hex
    _record(session, export_id, items, actor, now)
    session.commit()
    (out / AUDIO).mkdir(parents=True, exist_ok=True)
    rows = []
    manifest = out / MANIFEST
    with manifest.open("w", encoding="utf-8") as lines:
        for done, item in enumerate(items, start=1):
            path = f"{AUDIO}/{item.id}.wav"
            write_wav(out / path, item.audio)
            entry = manifest_entry(item, path)
            lines.write(json.dumps(entry, ensure_ascii=False) + "\n")
            rows.append(_parquet_row(item, entry))
            if progress is not None:
                progress(done, len(items))
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), out / PARQUET)
    return Export(export_id, len(items), manifest)


def manifest_entry(item: DatasetItem, audio_filepath: str) -> dict[str, Any]:
    """One manifest line: NeMo's fields (audio_filepath, duration, text) and the labels."""
    return {
        "audio_filepath": audio_filepath,
        "duration": round(item.audio.seconds, 3),
        "text": item.text,
        "intent": item.intent,
        "slots": item.slots,
        "lineage": item.lineage,
        "id": item.id,
        "hypothesis": item.hypothesis,
        "slices": item.slices,
    }


def _parquet_row(item: DatasetItem, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item.id,
        "audio_filepath": entry["audio_filepath"],
        "duration": entry["duration"],
        "text": item.text,
        "intent": item.intent,
        "slots": item.slots,
        "hypothesis_text": item.hypothesis.get("text"),
        "hypothesis_intent": item.hypothesis.get("intent"),
        "hypothesis_slots": item.hypothesis.get("slots", []),
        "slices": list(item.slices.items()),
        "subject": item.subject,
        "lineage": json.dumps(item.lineage, sort_keys=True),
    }


def _record(
    session: Session, export_id: str, items: list[DatasetItem], actor: str, now: datetime
) -> None:
    """The export and each item it holds; an audit event for it, and one for each person in it."""
    owners = {
        item.interaction_id: session.get_one(Interaction, item.interaction_id).owner_id
        for item in items
    }
    session.add(DatasetExport(id=export_id, actor=actor, items=len(items), created_at=now))
    session.flush()
    session.add_all(
        DatasetExportItem(
            export_id=export_id,
            item_id=item.id,
            interaction_id=item.interaction_id,
            owner_id=owners[item.interaction_id],
        )
        for item in items
    )
    subject = f"export:{export_id}"
    append(
        session,
        Access(actor, "system", "dataset_export", subject, f"exported {len(items)} dataset items"),
    )
    for owner, count in sorted(Counter(owners[item.interaction_id] for item in items).items()):
        append(
            session,
            Access(
                actor,
                "system",
                "dataset_export",
                subject,
                f"the training dataset was exported with {count} anonymised clip(s) of yours",
                owner,
            ),
        )
    session.flush()
