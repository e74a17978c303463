"""IP addresses, written ("192.168.1.20") or said ("one ninety two dot one six eight dot ...").

IPv4: four numbers of at most three digits, each at most 255, joined by "dot" or "." ("point" is
left to version numbers). IPv6: at least four groups of hex digits joined by "colon" or ":",
each group said as numbers, letters or written ("fe80 colon one b colon ..."). An IP address ties
a request to one home's connection, so it is personal data wherever it is said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from confide.protect.recognizers.spoken_numbers import read_number
from confide.protect.recognizers.tokens import SCORES, Token, digit_item
from confide.protect.spans import PiiSpan

_DOTS = frozenset({"dot", "."})
OCTETS = 4
_COLONS = frozenset({"colon", ":"})
MIN_HEX_GROUPS = 4
"""Fewer groups than this are more likely a time ("ten colon thirty")."""
_HEX_GROUP = re.compile(r"[0-9a-f]{1,4}")


def find_ip_addresses(tokens: Sequence[Token]) -> list[PiiSpan]:
    """Every dotted quad, written or said."""
    spans: list[PiiSpan] = []
    index = 0
    while index < len(tokens):
        end = _quad_end(tokens, index) or _hex_groups_end(tokens, index)
        if end is None:
            index += 1
            continue
        score = SCORES["strong"]
        spans.append(PiiSpan(tokens[index].start, tokens[end - 1].end, "IP_ADDRESS", score))
        index = end
    return spans


def _quad_end(tokens: Sequence[Token], index: int) -> int | None:
    """The index after a dotted quad starting at `index`, or None."""
    at = index
    for octet in range(OCTETS):
        if octet:
            if at >= len(tokens) or tokens[at].text not in _DOTS:
                return None
            at += 1
        number = read_number(tokens, at, 3) if at < len(tokens) else None
        if number is None or int(number[0]) > 255:
            return None
        at = number[1]
    return at


def _hex_groups_end(tokens: Sequence[Token], index: int) -> int | None:
    """The index after IPv6-like groups starting at `index`, or None."""
    groups, at = 0, index
    while at < len(tokens):
        group_end = at
        while group_end < len(tokens) and group_end - at < 4 and _hexish(tokens[group_end]):
            group_end += 1
        if group_end == at:
            break
        groups, at = groups + 1, group_end
        if at + 1 < len(tokens) and tokens[at].text in _COLONS and _hexish(tokens[at + 1]):
            at += 1
        else:
            break
    return at if groups >= MIN_HEX_GROUPS else None


def _hexish(token: Token) -> bool:
    """A piece of a hex group: written hex digits, a number word, or a letter a to f."""
    return bool(_HEX_GROUP.fullmatch(token.text)) or digit_item([token], 0) is not None
