"""The household's wake-word thresholds: fetched from the server, kept for the device agent.

Only the device's token goes out and only numbers come back: the server learns each threshold
from the peak scores of wakes the household's people or reviewers confirmed false
(`confide.learn.wake`), never from audio. The device asks at start and then every
`refresh_seconds` on a thread of its own, so a slow or absent server never stalls the microphone.
Until a first answer it keeps its models' defaults; when the server cannot be reached later, it
keeps what it last heard, so an outage does not bring back the false wakes the household has
already taught it away. A served threshold never takes a word below its model's default
(`confide.capture.wakeword`), whatever the answer says.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import httpx

from confide.errors import Malformed

CONFIG_PATH = "/api/device/config"
DEFAULT_REFRESH_SECONDS = 900.0
"""A quarter of an hour: a false wake confirmed tonight tunes the device before the next one."""
MIN_REFRESH_SECONDS = 60.0
MAX_REFRESH_SECONDS = 86_400.0
"""The bounds of the refresh interval: not so often that devices flood the server, and at least
daily, so a household's feedback always arrives."""
MAX_WORDS = 16
"""More thresholds than a device could ever listen for is not an answer to trust."""
MAX_NAME = 32


def parse_thresholds(body: Any) -> dict[str, float]:
    """The `{"wake": {word: threshold}}` of a config answer, or Malformed: refused whole."""
    wake = body.get("wake") if isinstance(body, dict) else None
    if not isinstance(wake, dict) or len(wake) > MAX_WORDS:
        raise Malformed(f"a device config holds a 'wake' map of at most {MAX_WORDS} thresholds")
    thresholds = {}
    for word, value in wake.items():
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if not 0 < len(word) <= MAX_NAME or number is None or not 0.0 <= number <= 1.0:
            raise Malformed(f"the threshold for {word[:MAX_NAME]!r} is not a number from 0 to 1")
        if math.isnan(number):
            raise Malformed("a threshold is a number, not NaN")
        thresholds[word] = float(number)
    return thresholds


class ServerThresholds:
    """Asks a Confide server for this device's household thresholds, with the device token."""

    def __init__(
        self, server: str, token: str, client: httpx.Client | None = None, timeout: float = 5.0
    ) -> None:
        self._client = client or httpx.Client(base_url=server, timeout=timeout)
        self._headers = {"Authorization": f"Bearer {token}"}

    def fetch(self) -> dict[str, float]:
        """The thresholds now served; httpx.HTTPError or Malformed when there are none to have."""
        response = self._client.get(CONFIG_PATH, headers=self._headers)
        response.raise_for_status()
        return parse_thresholds(response.json())

    def close(self) -> None:
        self._client.close()


class ThresholdUpdates:
    """The agent's `ThresholdSource`: the latest thresholds fetched, handed out once each."""

    def __init__(
        self,
        fetch: Callable[[], dict[str, float]],
        refresh_seconds: float = DEFAULT_REFRESH_SECONDS,
    ) -> None:
        self._fetch = fetch
        self.refresh_seconds = min(max(refresh_seconds, MIN_REFRESH_SECONDS), MAX_REFRESH_SECONDS)
        self.current: dict[str, float] = {}
        """What the detector should use: empty (the defaults) until the server first answers."""
        self._pending: dict[str, float] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> bool:
        """Ask once; False (and nothing changed) when the server cannot be reached or answers
        with something that is not a config."""
        try:
            fetched = self._fetch()
        except (httpx.HTTPError, ValueError):  # unreachable, refused, or not JSON / Malformed
            return False
        with self._lock:
            if fetched != self.current:
                self.current, self._pending = fetched, dict(fetched)
        return True

    def take(self) -> dict[str, float] | None:
        with self._lock:
            pending, self._pending = self._pending, None
        return pending

    def start(self) -> None:
        """Ask now, so the agent starts tuned when the server answers, then keep asking."""
        self.refresh()
        self._thread = threading.Thread(target=self._poll, name="wake-thresholds", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _poll(self) -> None:
        while not self._stop.wait(self.refresh_seconds):
            self.refresh()
