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


def test_the_review_caps_of_the_settings_bound_sampling(settings) -> None:
    """Item 7: the operator's caps, not the defaults, are what the pipeline samples under."""
    from dataclasses import replace

    from confide.pipeline import Engines
    from confide_testing import ScriptedRecognizer, understand_timer

    capped = replace(settings, review_cap_month=3, review_cap_total=7)
    rt = Runtime(capped, engines_factory=lambda _: Engines(ScriptedRecognizer(), understand_timer))
    try:
        policy = rt.pipeline._policy
        assert (policy.per_person_month, policy.per_person_life) == (3, 7)
    finally:
        rt.close()
