"""Configuration, parsed once at the edge into frozen settings and passed down.

The key-encryption key (KEK) wraps every person's data key. Outside dev mode it must be given
explicitly (CONFIDE_KEK, base64 of 32 bytes, or CONFIDE_KEK_FILE); there is no default. In dev
mode (CONFIDE_DEV=1, or the demo) a random KEK is made once and kept beside the data, which is
convenient and honest about being unsafe.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from confide.errors import BadConfiguration
from confide.paths import default_data_dir

KEK_BYTES = 32


@dataclass(frozen=True)
class Settings:
    """Everything the server side needs to know about where data lives and how it is keyed."""

    data_dir: Path
    """Root of the embedded default: the SQLite file and the blob folder live here."""
    database_url: str
    """SQLAlchemy URL; SQLite under `data_dir` unless CONFIDE_DATABASE_URL says otherwise."""
    blob_dir: Path
    """Where sealed blobs are kept when no S3 bucket is configured."""
    blob_url: str = ""
    """`s3://bucket/prefix` (CONFIDE_BLOB_URL) to keep blobs in S3, through the standard `AWS_*`
    variables; empty for local files under `blob_dir`."""
    kek: bytes = b""
    """The key-encryption key: 32 random bytes."""
    kek_id: str = ""
    """A public fingerprint of the KEK, stored beside each wrapped key, for rotation."""
    dev_mode: bool = False
    """True when unsafe conveniences (a generated local KEK) are allowed."""
    redis_url: str = ""
    """The job queues on Redis when set (workers on several machines); in the `confide serve`
    process if not."""
    review_rate: float = 0.005
    """Share of eligible interactions sampled for human review (CONFIDE_REVIEW_RATE)."""
    review_cap_month: int = 20
    """At most this many of one person's interactions are sampled in a calendar month
    (CONFIDE_REVIEW_CAP_MONTH): the operator's privacy policy sets it."""
    review_cap_total: int = 200
    """At most this many of one person's interactions are ever sampled, for life
    (CONFIDE_REVIEW_CAP_TOTAL)."""
    trusted_proxies: str = ""
    """Reverse proxies whose X-Forwarded-For names the client (CONFIDE_TRUSTED_PROXIES: addresses
    or networks, comma-separated). None by default, so that a client cannot choose the address
    that sign-in and pairing throttling count its failures under."""
    shredding_ledger_url: str = ""
    """SQLAlchemy URL of the shredding ledger's own database (CONFIDE_SHREDDING_LEDGER_URL), by
    default `shredding-ledger.db` in `data_dir`: never the main database, so that no backup holds
    it and no restore overwrites it (see `confide.privacy.ledger`)."""

    learn_hour: int = 3
    """The hour (UTC, 0-23) at which a worker starts the nightly learn run (CONFIDE_LEARN_HOUR)."""

    def __repr__(self) -> str:  # keep the KEK out of logs and tracebacks
        return f"Settings(data_dir={self.data_dir!s}, database_url={self.database_url!r})"


def load_settings(
    data_dir: Path | None = None,
    *,
    dev_mode: bool | None = None,
    env: Mapping[str, str] = os.environ,
) -> Settings:
    """Read the environment once; refuse to run with a missing or unsafe KEK (every tool needs
    it: even the audit chain is keyed under it)."""
    root = data_dir or (Path(env["CONFIDE_DATA_DIR"]) if env.get("CONFIDE_DATA_DIR") else None)
    root = root or default_data_dir()
    dev = dev_mode if dev_mode is not None else env.get("CONFIDE_DEV", "") in ("1", "true", "yes")
    kek = _load_kek(root, dev, env)
    month, total = _caps(env)
    return Settings(
        data_dir=root,
        database_url=env.get("CONFIDE_DATABASE_URL") or f"sqlite:///{root / 'confide.db'}",
        blob_dir=root / "blobs",
        blob_url=_blob_url(env.get("CONFIDE_BLOB_URL", "")),
        kek=kek,
        kek_id=_fingerprint(kek),
        dev_mode=dev,
        redis_url=env.get("CONFIDE_REDIS_URL", ""),
        review_rate=_rate(env.get("CONFIDE_REVIEW_RATE", "0.005")),
        review_cap_month=month,
        review_cap_total=total,
        trusted_proxies=_networks(env.get("CONFIDE_TRUSTED_PROXIES", "")),
        shredding_ledger_url=env.get("CONFIDE_SHREDDING_LEDGER_URL")
        or f"sqlite:///{root / 'shredding-ledger.db'}",
        learn_hour=_hour(env.get("CONFIDE_LEARN_HOUR", "3")),
    )


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise BadConfiguration(f"CONFIDE_REVIEW_RATE must be a share from 0 to 1, not {text!r}")
    return rate


def _hour(text: str) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) <= 23:
        raise BadConfiguration(f"CONFIDE_LEARN_HOUR must be an hour from 0 to 23, not {text!r}")
    return int(text)


def _caps(env: Mapping[str, str]) -> tuple[int, int]:
    """The monthly and lifetime caps on one person's sampled interactions: whole numbers, 0 (no
    one is sampled) or more, the month's no larger than the lifetime's."""
    caps = []
    for name, default in (("CONFIDE_REVIEW_CAP_MONTH", "20"), ("CONFIDE_REVIEW_CAP_TOTAL", "200")):
        text = env.get(name, default).strip()
        if not (text.isascii() and text.isdigit()):
            raise BadConfiguration(f"{name} must be a whole number, 0 or more, not {text!r}")
        caps.append(int(text))
    month, total = caps
    if month > total:
        raise BadConfiguration(
            f"CONFIDE_REVIEW_CAP_MONTH ({month}) cannot be more than "
            f"CONFIDE_REVIEW_CAP_TOTAL ({total})"
        )
    return month, total


def _networks(text: str) -> str:
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        try:
            ipaddress.ip_network(name, strict=False)
        except ValueError:
            raise BadConfiguration(
                f"CONFIDE_TRUSTED_PROXIES: {name!r} is not an address or network"
            ) from None
    return ",".join(names)


def _blob_url(text: str) -> str:
    if text and (not text.startswith("s3://") or not text.removeprefix("s3://").split("/")[0]):
        raise BadConfiguration(f"CONFIDE_BLOB_URL must be s3://bucket/prefix, not {text!r}")
    return text


def _load_kek(root: Path, dev: bool, env: Mapping[str, str]) -> bytes:
    if encoded := env.get("CONFIDE_KEK"):
        return _decode_kek(encoded, "CONFIDE_KEK")
    if path := env.get("CONFIDE_KEK_FILE"):
        try:
            return _decode_kek(Path(path).read_text().strip(), path)
        except OSError as exc:
            raise BadConfiguration(f"cannot read the KEK file {path}: {exc.strerror}") from exc
    if not dev:
        raise BadConfiguration(
            "no key-encryption key: set CONFIDE_KEK (base64 of 32 random bytes) or "
            "CONFIDE_KEK_FILE; a generated key is only allowed in dev mode (CONFIDE_DEV=1)"
        )
    local = root / "dev-kek"
    if not local.exists():
        root.mkdir(parents=True, exist_ok=True)
        partial = local.with_suffix(".partial")
        partial.write_text(base64.b64encode(secrets.token_bytes(KEK_BYTES)).decode())
        partial.chmod(0o600)
        partial.replace(local)
    return _decode_kek(local.read_text().strip(), str(local))


def _decode_kek(encoded: str, source: str) -> bytes:
    try:
        kek = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadConfiguration(f"{source}: the KEK is not valid base64") from exc
    if len(kek) != KEK_BYTES:
        raise BadConfiguration(f"{source}: the KEK must be {KEK_BYTES} bytes, not {len(kek)}")
    if len(set(kek)) < 8:
        raise BadConfiguration(f"{source}: the KEK is not random (too few distinct bytes)")
    return kek


def _fingerprint(kek: bytes) -> str:
    import hashlib

    return hashlib.sha256(b"confide-kek-id|" + kek).hexdigest()[:16]
