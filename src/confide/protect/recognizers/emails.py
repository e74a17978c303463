"""E-mail addresses as said aloud: "john dot smith at gmail dot com", mixes with "@" and ".".

"at" is an everyday word, so an address needs a domain that ends in a known top-level domain (or
a well-known mail host) after it, and a short local part before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from confide.protect.recognizers.tokens import DIGIT_WORDS, SCORES, Token, word_set
from confide.protect.spans import PiiSpan

_TLDS = word_set(
    "com org net edu gov io co uk us de fr fm me ai info biz ca au ie nl es it eu app dev tv ch "
    "be at se no dk fi pl pt in jp nz za mail"
)
_MAIL_HOSTS = frozenset({"gmail", "hotmail", "yahoo", "outlook", "icloud", "aol", "protonmail"})
_MAIL_STOPS = word_set(
    "is was to at email mail address me my send it the and or from cc reply forward share with "
    "contact write copy as its it's be for on of by via say add"
)
"""Words that end an e-mail's local part, read backwards from "at"."""


def find_emails(tokens: Sequence[Token]) -> list[PiiSpan]:
    """ "john dot smith at gmail dot com", "j smith at example dot co dot uk", mixes with "@"."""
    spans = []
    for at, token in enumerate(tokens):
        if token.text not in ("at", "@") or at == 0:
            continue
        domain_end = _domain_end(tokens, at + 1)
        if domain_end is None:
            continue
        local_start = _local_start(tokens, at)
        if local_start is None:
            continue
        end, score = domain_end
        spans.append(PiiSpan(tokens[local_start].start, tokens[end].end, "EMAIL", score))
    return spans


def _is_dot(token: Token) -> bool:
    return token.text in ("dot", ".", "point")


def _domain_end(tokens: Sequence[Token], index: int) -> tuple[int, float] | None:
    """Index of the domain's last token and the score, or None if no domain starts here."""
    labels, at, last_tld = 0, index, None
    while at < len(tokens):
        word = tokens[at].text
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", word) or word in ("at", "dot"):
            break
        labels += 1
        if labels > 1 and word in _TLDS and _is_dot(tokens[at - 1]):
            last_tld = at
        if at + 1 < len(tokens) and _is_dot(tokens[at + 1]):
            at += 2
        elif labels == 1 and at + 1 < len(tokens) and re.fullmatch(r"[a-z]+", tokens[at + 1].text):
            # A domain said in two words ("north wind dot net").
            if at + 2 < len(tokens) and _is_dot(tokens[at + 2]):
                at += 1
                labels = 0
                continue
            break
        else:
            break
    if last_tld is not None:
        return last_tld, SCORES["strong"]
    if tokens[index].text in _MAIL_HOSTS:
        return index, SCORES["context"]
    return None


def _local_start(tokens: Sequence[Token], at: int) -> int | None:
    """First token of the local part that ends just before `at`."""
    start, words, connector = None, 0, False
    for index in range(at - 1, -1, -1):
        token = tokens[index]
        word = token.text
        if word in ("dot", ".", "underscore", "_", "dash", "-", "hyphen"):
            if start is None:
                return None
            connector = True
            continue
        if not re.fullmatch(r"[a-z0-9]+", word) or (word in _MAIL_STOPS and not connector):
            break
        if not (word.isdigit() or word in DIGIT_WORDS):
            words += 1
        if words > (3 if connector else 2):
            break
        start, connector = index, False
    return start
