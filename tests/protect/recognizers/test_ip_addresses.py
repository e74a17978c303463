"""IP addresses as said and as written; dotted numbers that are not addresses are left."""

from __future__ import annotations

import pytest

from confide.protect.recognizers.ip_addresses import find_ip_addresses
from confide.protect.recognizers.tokens import tokenize


def found(text: str) -> list[str]:
    return [text[span.start : span.end] for span in find_ip_addresses(tokenize(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "it blocks one hundred eighty one dot thirty nine dot two hundred five dot nine today",
            ["one hundred eighty one dot thirty nine dot two hundred five dot nine"],
        ),
        (
            "my router is one nine two dot one six eight dot zero dot one",
            ["one nine two dot one six eight dot zero dot one"],
        ),
        ("ping 10.0.0.254 please", ["10.0.0.254"]),
        (
            "fe80 colon one b colon four fifty seven colon ad6 colon dde0 is mine",
            ["fe80 colon one b colon four fifty seven colon ad6 colon dde0"],
        ),
        (
            "address 36e0:1d25:d58a:533c:d2d6:ea87:4678:3144 blocked",
            ["36e0:1d25:d58a:533c:d2d6:ea87:4678:3144"],
        ),
        # Not addresses: an octet over 255, three parts, a version, a time.
        ("it read 300.1.2.3 on the meter", []),
        ("python three dot eleven dot four", []),
        ("update to version one point two point three point four", []),
        ("wake me at six colon thirty", []),
    ],
)
def test_ip_addresses(text, expected):
    assert found(text) == expected
