"""The local blob store: atomic writes, nothing left of a failed one, no escape from its root."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO

import pytest

from confide.errors import BlobMissing, StorageFull
from confide.store import blobs
from confide.store.blobs import LocalBlobStore


def test_round_trip_and_delete(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    store.put("audio/alice/1", b"sealed-bytes")
    store.put("audio/bob/2", b"other")
    assert store.get("audio/alice/1") == b"sealed-bytes"
    assert list(store.keys("audio/alice/")) == ["audio/alice/1"]
    store.delete("audio/alice/1")
    with pytest.raises(KeyError):
        store.get("audio/alice/1")
    assert list(store.keys()) == ["audio/bob/2"]
    assert not list(tmp_path.rglob(".partial-*"))


@pytest.mark.parametrize("key", ["../escape", "/etc/passwd", "a/../../b", "", "a b", ".hidden"])
def test_keys_cannot_escape(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="invalid blob key"):
        LocalBlobStore(tmp_path).put(key, b"x")


class FailingDisk(LocalBlobStore):
    """A local store whose writes fail as the kernel fails them: part of the blob is written,
    then `error` (a full disk, an I/O error)."""

    def __init__(self, root: Path, error: int) -> None:
        super().__init__(root)
        self.error = error

    def _write(self, file: BinaryIO, data: bytes) -> None:
        file.write(data[: len(data) // 2])
        file.flush()
        raise OSError(self.error, os.strerror(self.error))


@pytest.mark.parametrize(
    ("error", "raised"),
    [(errno.ENOSPC, StorageFull), (errno.EDQUOT, StorageFull), (errno.EIO, OSError)],
    ids=["disk full", "over quota", "I/O error"],
)
def test_a_failed_write_leaves_nothing(tmp_path: Path, error: int, raised: type) -> None:
    """No partial file, no blob: a full disk is StorageFull (try again later); other faults of
    the disk rise as they are."""
    store = FailingDisk(tmp_path, error)
    with pytest.raises(raised):
        store.put("audio/alice/1", b"sealed-bytes" * 1000)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
    with pytest.raises(BlobMissing):
        store.get("audio/alice/1")


def test_no_room_for_even_the_temporary_file_is_storage_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk out of inodes fails at the temporary file already."""

    def no_room(**_: object) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(blobs.tempfile, "mkstemp", no_room)
    with pytest.raises(StorageFull, match="try again later"):
        LocalBlobStore(tmp_path).put("audio/alice/1", b"sealed")
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
