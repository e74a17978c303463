"""The IBAN checksum that tells a spelled IBAN from a chance run of letters and digits."""

from __future__ import annotations

import pytest

from confide.protect.recognizers.ibans import iban_valid


@pytest.mark.parametrize(
    ("code", "valid"),
    [("GB82WEST12345698765432", True), ("GB83WEST12345698765432", False)],
)
def test_iban_checksum(code: str, valid: bool) -> None:
    assert iban_valid(code) is valid
