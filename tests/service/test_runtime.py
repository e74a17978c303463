"""The runtime's hourly upkeep, as the worker runs it."""

from __future__ import annotations

import pytest

from confide.privacy.audit import Access, append, checkpoints
from confide.service.runtime import Runtime


@pytest.mark.parametrize(("appended", "signed"), [(0, []), (3, [3])], ids=["empty", "three"])
def test_the_hourly_upkeep_checkpoints_the_audit_chain(
    runtime: Runtime, appended: int, signed: list[int]
) -> None:
    """Item 9: the worker anchors the chain outside the database every hour, without anyone
    asking; twice in an idle hour signs nothing new."""
    with runtime.sessions() as session:
        for index in range(appended):
            append(session, Access("pia", "privacy_officer", "listen", f"interaction:{index}", "x"))
        session.commit()
    runtime.hourly()
    runtime.hourly()
    with runtime.sessions() as session:
        assert [made.sequence for made in checkpoints(session, runtime.blobs)] == signed
