"""The content-warning screen."""

from __future__ import annotations

import pytest

from confide.protect.distress import suspect_distress


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("somebody help me he's hurting me", True),
        ("please stop hitting her", True),
        ("call the police", True),
        ("i want to die", True),
        ("set a timer for ten minutes", False),
        ("play help by the beatles", False),
        ("what's the weather in emergency bay", True),  # errs towards warning
        ("", False),
    ],
)
def test_suspect_distress(text, warned):
    assert suspect_distress(text) is warned
