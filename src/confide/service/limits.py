"""What one device may hold of the server at once: uploads and answer waits in flight, and how
long an upload may stall or last.

A device is known here by a digest of the bearer token it presents, before any database work,
so a device over its share is refused (429) without costing a connection. The counts live in
this process: each server process grants every device its share.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

Kind = Literal["upload", "wait"]
"""An upload being received, or a request held open until an answer is there (poll or events)."""


@dataclass(frozen=True)
class DeviceLimits:
    """The share of the server one device gets."""

    uploads: int = 3
    """Uploads in flight per device: a speaker sends one utterance at a time, and a retry or two
    may overlap it."""
    waits: int = 4
    """Long-polls and event streams in flight per device."""
    idle_seconds: float = 10.0
    """An upload that sends no byte for this long is refused (408) and its connection closed."""
    upload_seconds: float = 60.0
    """The longest an upload may take from its first byte to its last, however it trickles."""
    retry_after: int = 1
    """The Retry-After of a refusal for being over a share: a slot frees as soon as a request
    in flight ends."""

    def most(self, kind: Kind) -> int:
        return self.uploads if kind == "upload" else self.waits


class InFlight:
    """Requests in flight per device and kind, counted under a lock, as routes on any thread or
    event loop of the process may take and give back slots."""

    def __init__(self, limits: DeviceLimits) -> None:
        self.limits = limits
        self._counts: Counter[tuple[Kind, str]] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, kind: Kind, token: str) -> Iterator[bool]:
        """Yields whether the device presenting `token` may have one more request of `kind`; a
        slot taken is given back on leaving, whatever happened inside."""
        key = (kind, hashlib.sha256(token.encode()).hexdigest())
        with self._lock:
            admitted = self._counts[key] < self.limits.most(kind)
            if admitted:
                self._counts[key] += 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._lock:
                    self._counts[key] -= 1
                    if not self._counts[key]:
                        del self._counts[key]

    def total(self) -> int:
        """Requests in flight across every device: none once the server is idle."""
        with self._lock:
            return sum(self._counts.values())
