"""The sweep: the database, not the broker, says what work is left, so a lost message, a killed
worker or a restarted broker only delays an interaction, never loses it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Due:
    """What the database says needs a job now."""

    answer: list[str] = field(default_factory=list)
    """Interaction ids to (re)send to the answers queue."""
    protect: list[str] = field(default_factory=list)
    """Interaction ids whose sampled clips wait for protection."""
