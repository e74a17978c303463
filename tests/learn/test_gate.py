"""The promotion gate (invariant 11), table-driven: only a candidate better beyond chance, worse
in no slice and on no regression set beyond the limits, and not tainted, is promoted."""

from __future__ import annotations

import pytest

from confide.learn.gate import HELD_OUT_SHARE, MIN_SLICE_ITEMS, Evidence, decide, held_out


def items(count: int, **slices: str) -> list[dict[str, str]]:
    return [{"intent": "PlayMusic", "device": "speaker", "week": "2026-W48", **slices}] * count


BETTER = [(0.5, 0.9)] * 20 + [(0.8, 0.9)] * 20
"""Forty held-out items, the candidate better on every one."""
SLICES = items(20, intent="PlayMusic") + items(20, intent="GetWeather")
SNIPS_HELD = {"snips_intent_accuracy": (0.95, 0.95)}
WER_HELD = {"real_speech_wer": (0.08, 0.08)}


@pytest.mark.parametrize(
    ("evidence", "promoted", "said"),
    [
        (Evidence("nlu", BETTER, SLICES, SNIPS_HELD), True, "Promoted: better on 40"),
        (Evidence("asr", BETTER, SLICES, WER_HELD), True, "real_speech_wer 0.0800 -> 0.0800"),
        (
            Evidence("nlu", [(0.7, 0.7)] * 40, SLICES, SNIPS_HELD),
            False,
            "not better beyond chance",
        ),
        (
            Evidence("nlu", [(0.6, 0.7), (0.7, 0.6)] * 20, SLICES, SNIPS_HELD),
            False,
            "not better beyond chance",
        ),
        (
            Evidence("nlu", BETTER, SLICES, {"snips_intent_accuracy": (0.95, 0.935)}),
            False,
            "snips_intent_accuracy moved from 0.9500 to 0.9350, beyond the 1 point allowed",
        ),
        (
            Evidence("nlu", BETTER, SLICES, {"snips_intent_accuracy": (0.95, 0.941)}),
            True,
            "snips_intent_accuracy 0.9500 -> 0.9410",
        ),
        (
            Evidence("asr", BETTER, SLICES, {"real_speech_wer": (0.08, 0.09)}),
            False,
            "real_speech_wer moved from 0.0800 to 0.0900, beyond the 0.5 point allowed",
        ),
        (
            Evidence("asr", BETTER, SLICES, {"real_speech_wer": (0.08, 0.084)}),
            True,
            "Promoted",
        ),
        (
            Evidence("asr", BETTER, SLICES, {"real_speech_wer": None}),
            False,
            "could not be measured",
        ),
        (Evidence("nlu", BETTER, SLICES, {}), False, "snips_intent_accuracy could not be measured"),
        (
            Evidence(
                "nlu",
                [(0.2, 0.9)] * 30 + [(0.9, 0.7)] * MIN_SLICE_ITEMS,
                items(30) + items(MIN_SLICE_ITEMS, device="display"),
                SNIPS_HELD,
            ),
            False,
            "slice device=display worse (0.900 -> 0.700 on 5 items)",
        ),
        (
            Evidence(
                "nlu",
                [(0.2, 0.9)] * 30 + [(0.9, 0.7)] * (MIN_SLICE_ITEMS - 1),
                items(30) + items(MIN_SLICE_ITEMS - 1, device="display"),
                SNIPS_HELD,
            ),
            True,
            "Promoted",  # too few items in the worse slice to judge it
        ),
        (Evidence("nlu", BETTER, SLICES, SNIPS_HELD, tainted=True), False, "since been deleted"),
        (Evidence("nlu", [], [], SNIPS_HELD), False, "no held-out reviewed items"),
    ],
    ids=[
        "clearly-better-nlu",
        "clearly-better-asr",
        "equal",
        "mixed",
        "snips-drop",
        "snips-drop-within-limit",
        "real-speech-rise",
        "real-speech-rise-within-limit",
        "real-speech-unmeasured",
        "snips-unmeasured",
        "worse-slice",
        "worse-slice-too-small",
        "tainted",
        "no-held-out-items",
    ],
)
def test_the_gate_decides(evidence: Evidence, promoted: bool, said: str) -> None:
    decision = decide(evidence)
    assert decision.promote is promoted
    assert said in decision.reason
    assert decision.reason.startswith("Promoted" if promoted else "Refused")
    assert decision.metrics["held_out_items"] == len(evidence.scores)


def test_the_reason_names_every_rule_that_failed():
    evidence = Evidence(
        "nlu", [(0.7, 0.7)] * 40, SLICES, {"snips_intent_accuracy": (0.9, 0.8)}, tainted=True
    )
    reason = decide(evidence).reason
    for failure in ("deleted", "not better beyond chance", "snips_intent_accuracy moved"):
        assert failure in reason


def test_the_slices_and_figures_are_kept_for_the_record():
    metrics = decide(Evidence("nlu", BETTER, SLICES, SNIPS_HELD)).metrics
    assert metrics["slices"]["intent=GetWeather"] == {
        "items": 20,
        "baseline": pytest.approx(0.8),
        "candidate": pytest.approx(0.9),
        "judged": True,
    }
    assert metrics["regression"] == {"snips_intent_accuracy": {"baseline": 0.95, "candidate": 0.95}}
    assert metrics["difference"]["low"] > 0


def test_the_held_out_split_is_a_stable_share_by_id():
    ids = [f"{n:032x}" for n in range(4000)]
    chosen = [item for item in ids if held_out(item)]
    assert abs(len(chosen) / len(ids) - HELD_OUT_SHARE) < 0.03
    assert chosen == [item for item in ids if held_out(item)]
    assert not any(held_out(item, share=0.0) for item in ids)
