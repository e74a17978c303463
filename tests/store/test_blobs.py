"""The local blob store: atomic writes, no escape from its root."""

from __future__ import annotations

from pathlib import Path

import pytest

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
