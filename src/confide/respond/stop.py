"""Stop: end whatever the device is doing (music, a ringing timer, speech) and say little."""

from __future__ import annotations

from confide.respond.base import Answer


def stop() -> Answer:
    """Tell the device to stop; the short reply is what the app shows."""
    return Answer("Okay.", "stop", {"stop": True})
