from __future__ import annotations

from datetime import UTC, datetime

import pytest

from confide.learn.slices import confidence_bucket, device_kind, iso_week


@pytest.mark.parametrize(
    ("confidence", "bucket"),
    [
        (None, "unknown"),
        (0.0, "<0.6"),
        (0.599, "<0.6"),
        (0.6, "0.6-0.8"),
        (0.8, ">=0.8"),
        (1.0, ">=0.8"),
    ],
)
def test_confidence_bucket(confidence, bucket):
    assert confidence_bucket(confidence) == bucket


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Alice's speaker", "speaker"),
        ("Bob's kitchen display", "display"),
        ("Speaker 2", "speaker"),
        ("speaker for Maria", "speaker"),
        ("Maria", "other"),  # a name the customer chose is never shown
        ("", "other"),
    ],
)
def test_device_kind_names_no_one(name, kind):
    assert device_kind(name) == kind


@pytest.mark.parametrize(
    ("moment", "week"),
    [
        (datetime(2026, 11, 30, tzinfo=UTC), "2026-W49"),
        (datetime(2027, 1, 1, tzinfo=UTC), "2026-W53"),
    ],
)
def test_iso_week(moment, week):
    assert iso_week(moment) == week
