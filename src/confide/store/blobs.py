"""The blob store: sealed audio and exports, on local files by default or S3-compatible storage.

Blobs are already sealed when they arrive here; the store never sees plaintext. A store that
cannot keep a write says so in the domain's terms (StorageFull, StorageUnavailable), so the
device API can answer "try again later" instead of a bare 500.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from confide.errors import BlobMissing, Malformed, StorageFull, StorageUnavailable
from confide.settings import Settings

log = logging.getLogger(__name__)

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$")
NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})
"""What a write to a full disk, or over a quota, fails with."""
S3_TIMEOUTS = {"connect_timeout": 5, "read_timeout": 30}
"""Seconds: a bucket that stops answering fails the request instead of holding its thread."""
S3_RETRIES = {"max_attempts": 3, "mode": "standard"}
"""botocore's standard retries (throttling and 5xx, with jittered back-off), three tries in all."""
UNAVAILABLE = "the blob store cannot be reached now; try again later"


def check_key(key: str) -> str:
    """Keys are generated ids; anything that could escape the store's root is refused."""
    if not _SAFE_KEY.match(key) or ".." in key.split("/"):
        raise Malformed(f"invalid blob key {key!r}")
    return key


class BlobStore(Protocol):
    """Where sealed blobs live. `put` raises StorageFull or StorageUnavailable when the store
    cannot keep the write, having kept nothing of it; `get` raises BlobMissing."""

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
        """A full disk leaves no partial file behind and raises StorageFull."""
        path = self.root / check_key(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
            try:
                with os.fdopen(handle, "wb") as file:
                    self._write(file, data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            if exc.errno in NO_ROOM:
                log.error("blob store full: %s", exc)
                raise StorageFull("no room to keep this now; try again later") from exc
            raise

    @staticmethod
    def _write(file: BinaryIO, data: bytes) -> None:
        """Write and fsync, so a rename publishes only whole blobs (the fault tests' seam)."""
        file.write(data)
        file.flush()
        os.fsync(file.fileno())

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
    """An S3-compatible bucket (AWS, MinIO, Ceph, SeaweedFS), through boto3.

    boto3 reads the standard `AWS_*` variables (`AWS_ENDPOINT_URL` included) itself. Keys live
    under `prefix`, so several deployments can share a bucket. Every call is bounded (S3_TIMEOUTS,
    S3_RETRIES); a bucket that cannot be reached, or fails after the retries, is
    StorageUnavailable.
    """

    def __init__(self, bucket: str, client: Any | None = None, *, prefix: str = "") -> None:
        if client is None:
            import boto3  # imported here: only a process that stores blobs in S3 pays for it
            from botocore.config import Config

            client = boto3.client("s3", config=Config(**S3_TIMEOUTS, retries=S3_RETRIES))
        self._client = client
        self._bucket = bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def put(self, key: str, data: bytes) -> None:
        with _unavailable_when_failing():
            self._client.put_object(
                Bucket=self._bucket, Key=self._prefix + check_key(key), Body=data
            )

    def get(self, key: str) -> bytes:
        with _unavailable_when_failing():
            try:
                response = self._client.get_object(
                    Bucket=self._bucket, Key=self._prefix + check_key(key)
                )
            except self._client.exceptions.NoSuchKey:
                raise BlobMissing(key) from None
            body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        with _unavailable_when_failing():
            self._client.delete_object(Bucket=self._bucket, Key=self._prefix + check_key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        with _unavailable_when_failing():
            for page in paginator.paginate(Bucket=self._bucket, Prefix=self._prefix + prefix):
                for item in page.get("Contents", ()):
                    yield item["Key"].removeprefix(self._prefix)


@contextmanager
def _unavailable_when_failing() -> Iterator[None]:
    """botocore's failures to reach the bucket (connection, timeouts) and its 5xx answers, left
    after its retries, as StorageUnavailable, logged for the operator (the client is told only
    to come back); a refusal (no such bucket, access denied) is a fault of the configuration and
    rises as it is."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except BotoCoreError as exc:
        log.error("blob store unreachable: %s", exc)
        raise StorageUnavailable(UNAVAILABLE) from exc
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) < 500:
            raise
        log.error("blob store failing: %s", exc)
        raise StorageUnavailable(UNAVAILABLE) from exc
