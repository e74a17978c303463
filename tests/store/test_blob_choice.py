"""The blob store comes from the settings: local files by default, an S3 bucket and prefix when
CONFIDE_BLOB_URL names one."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Any

import pytest

from confide.errors import BadConfiguration
from confide.settings import load_settings
from confide.store.blobs import LocalBlobStore, S3BlobStore, open_blob_store

KEK = base64.b64encode(secrets.token_bytes(32)).decode()


class FakeS3:
    """The slice of boto3's S3 client the store uses, over a dict."""

    class exceptions:
        class NoSuchKey(Exception):
            pass

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, Bucket: str, Key: str, Body: bytes) -> None:
        self.objects[(Bucket, Key)] = Body

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        if (Bucket, Key) not in self.objects:
            raise self.exceptions.NoSuchKey(Key)
        body = self.objects[(Bucket, Key)]
        return {"Body": type("Body", (), {"read": lambda _self: body})()}

    def delete_object(self, Bucket: str, Key: str) -> None:
        self.objects.pop((Bucket, Key), None)

    def get_paginator(self, _name: str) -> Any:
        objects = self.objects

        class Paginator:
            def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, Any]]:
                keys = sorted(k for b, k in objects if b == Bucket and k.startswith(Prefix))
                return [{"Contents": [{"Key": key} for key in keys]}]

        return Paginator()


def test_local_files_by_default(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={"CONFIDE_KEK": KEK})
    store = open_blob_store(settings)
    assert isinstance(store, LocalBlobStore) and store.root == settings.blob_dir


def test_an_s3_url_selects_the_bucket(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path, env={"CONFIDE_KEK": KEK, "CONFIDE_BLOB_URL": "s3://confide-blobs/city"}
    )
    assert settings.blob_url == "s3://confide-blobs/city"
    assert isinstance(open_blob_store(settings), S3BlobStore)


@pytest.mark.parametrize("url", ["http://bucket/x", "s3://", "s3:///prefix", "bucket/prefix"])
def test_other_blob_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(BadConfiguration, match="CONFIDE_BLOB_URL"):
        load_settings(tmp_path, env={"CONFIDE_KEK": KEK, "CONFIDE_BLOB_URL": url})


@pytest.mark.parametrize(("prefix", "stored_as"), [("", "audio/a/1"), ("city/", "city/audio/a/1")])
def test_s3_keys_live_under_the_prefix(prefix: str, stored_as: str) -> None:
    client = FakeS3()
    store = S3BlobStore("bucket", client, prefix=prefix)
    store.put("audio/a/1", b"sealed")
    assert list(client.objects) == [("bucket", stored_as)]
    assert store.get("audio/a/1") == b"sealed"
    assert list(store.keys("audio/")) == ["audio/a/1"]
    store.delete("audio/a/1")
    with pytest.raises(KeyError):
        store.get("audio/a/1")
