"""Personal data as a speech recogniser writes it: Confide's own recognisers, one per module.

Written-form detectors (Presidio's regexes, spaCy's NER) look for "4111 1111 1111 1111" and
"John Smith"; a recogniser writes "four one one one double one ...", "john smith at gmail dot com"
and "twelve elm street", lowercase and unpunctuated, often half in numerals. So these recognisers
work on tokens, not characters (`tokens`): runs of spoken or written digits, spelled letters,
"dot" and "at". Each one goes from tokens to spans and knows nothing of the others; what to do
with the spans is `confide.protect.redact`'s business.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from confide.protect.recognizers.addresses import find_addresses
from confide.protect.recognizers.ages import find_ages
from confide.protect.recognizers.emails import find_emails
from confide.protect.recognizers.ibans import find_ibans
from confide.protect.recognizers.ip_addresses import find_ip_addresses
from confide.protect.recognizers.people import find_names
from confide.protect.recognizers.personal_numbers import find_numbers
from confide.protect.recognizers.postcodes import find_postcodes
from confide.protect.recognizers.tokens import Token, tokenize
from confide.protect.spans import PiiSpan

RECOGNISERS: tuple[Callable[[Sequence[Token]], list[PiiSpan]], ...] = (
    find_ip_addresses,
    find_numbers,
    find_ibans,
    find_postcodes,
    find_emails,
    find_addresses,
    find_names,
    find_ages,
)
"""Every spoken-form recogniser, each from tokens to spans."""


def find_spoken(text: str) -> list[PiiSpan]:
    """Every piece of personal data the spoken-form recognisers find in `text`."""
    tokens = tokenize(text)
    spans: list[PiiSpan] = []
    for recogniser in RECOGNISERS:
        spans += recogniser(tokens)
    return spans
