"""The blob store: sealed audio and exports, on local files by default or S3-compatible storage.

Blobs are already sealed when they arrive here; the store never sees plaintext.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from confide.errors import BlobMissing, EngineUnavailable, Malformed
from confide.settings import Settings

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$")


def check_key(key: str) -> str:
    """Keys are generated ids; anything that could escape the store's root is refused."""
    if not _SAFE_KEY.match(key) or ".." in key.split("/"):
        raise Malformed(f"invalid blob key {key!r}")
    return key


class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def keys(self, prefix: str = "") -> Iterator[str]: ...


class LocalBlobStore:
    """One file per blob; writes are atomic (temporary file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root

    def put(self, key: str, data: bytes) -> None:
        path = self.root / check_key(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return (self.root / check_key(key)).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def delete(self, key: str) -> None:
        (self.root / check_key(key)).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and not path.name.startswith(".partial-") and key.startswith(prefix):
                yield key


def open_blob_store(settings: Settings) -> BlobStore:
    """The store the settings name, so every process (server, worker, CLI) uses the same one."""
    if settings.blob_url:
        bucket, _, prefix = settings.blob_url.removeprefix("s3://").partition("/")
        return S3BlobStore(bucket, prefix=prefix)
    return LocalBlobStore(settings.blob_dir)


class S3BlobStore:
    """An S3-compatible bucket (AWS, MinIO, Ceph), through boto3 (the 's3' extra).

    boto3 reads the standard `AWS_*` variables (`AWS_ENDPOINT_URL` included) itself. Keys live
    under `prefix`, so several deployments can share a bucket.
    """

    def __init__(
        self, bucket: str, client: Any | None = None, *, prefix: str = "", **client_options: Any
    ) -> None:
        if client is None:
            try:
                import boto3
            except ImportError as exc:
                raise EngineUnavailable(
                    "S3 blobs need the 's3' extra: pip install 'confide[s3]'"
                ) from exc
            client = boto3.client("s3", **client_options)
        self._client = client
        self._bucket = bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def put(self, key: str, data: bytes) -> None:
        self._client.put_object(Bucket=self._bucket, Key=self._prefix + check_key(key), Body=data)

    def get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(
                Bucket=self._bucket, Key=self._prefix + check_key(key)
            )
        except self._client.exceptions.NoSuchKey:
            raise BlobMissing(key) from None
        body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=self._prefix + check_key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=self._prefix + prefix):
            for item in page.get("Contents", ()):
                yield item["Key"].removeprefix(self._prefix)
