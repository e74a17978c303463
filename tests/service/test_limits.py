"""Each device's share of the server: slots per token and kind, given back whatever happens."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from confide.service.limits import DeviceLimits, InFlight, Kind

LIMITS = DeviceLimits(uploads=2, waits=3)


@pytest.mark.parametrize(("kind", "share"), [("upload", 2), ("wait", 3)])
def test_a_device_gets_its_share_and_no_more(kind: Kind, share: int) -> None:
    in_flight = InFlight(LIMITS)
    with ExitStack() as held:
        taken = [held.enter_context(in_flight.slot(kind, "token-a")) for _ in range(share + 2)]
        others = [
            held.enter_context(in_flight.slot(kind, "token-b")),
            held.enter_context(in_flight.slot("wait" if kind == "upload" else "upload", "token-a")),
        ]
        assert taken == [True] * share + [False] * 2
        assert others == [True, True]
        assert in_flight.total() == share + 2
    assert in_flight.total() == 0


def test_a_slot_is_given_back_when_its_request_fails() -> None:
    in_flight = InFlight(LIMITS)
    for _ in range(LIMITS.uploads + 1):
        with pytest.raises(RuntimeError), in_flight.slot("upload", "token-a") as admitted:
            assert admitted
            raise RuntimeError("the request failed")
    assert in_flight.total() == 0
