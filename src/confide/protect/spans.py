"""The one type where finding personal data and transforming it meet.

Detection (`confide.protect.redact`) produces spans over a transcript's text; the text
placeholders, the audio bleeps and the fail-closed check each consume them, and none of them
knows how a span was found (the Presidio split of analyzer and anonymizer).
"""

from __future__ import annotations

from dataclasses import dataclass

PII_TYPES = (
    "PERSON",
    "CREDIT_CARD",
    "BANK_ACCOUNT",
    "IBAN",
    "SSN",
    "PHONE",
    "EMAIL",
    "ADDRESS",
    "IP_ADDRESS",
    "AGE",
    "PRIVATE",
)
"""Every type a span may carry; a placeholder is the type in brackets, e.g. `[PHONE]`."""


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data in a text."""

    start: int
    """Offset of its first character in the input text."""
    end: int
    """Offset one past its last character."""
    type: str
    """One of PII_TYPES."""
    score: float
    """The detector's confidence, 0 to 1."""

    def placeholder(self) -> str:
        return f"[{self.type}]"
