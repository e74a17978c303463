"""/openapi.json promises what the server sends: a schemathesis run over every operation it
documents, with every check, as a paired device and a lead reviewer would call them (and
without their tokens).

Bounded for the default `make test`: a fixed seed and a few dozen examples per operation, which
takes seconds, not minutes. The upload's bodies are half real WAVs, so that answered
interactions exist for the status and event routes to find, and half arbitrary bytes.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from hypothesis import strategies as st

from confide.service.app import create_app
from confide.service.sessions import open_session

schemathesis = pytest.importorskip("schemathesis", reason="needs schemathesis (dev extra)")
from schemathesis.engine import events, from_schema  # noqa: E402

EXAMPLES = 40
"""Per operation and phase: enough to reach each documented status, few enough for 2 cores."""
AUDIO = ("audio/wav", "audio/flac")
UPLOAD = "POST /api/utterances"
LABELS_REFUSED = ["2xx", 401, 403, 404, 409, 422, 429]
"""The schema cannot tell a catalog id that exists from one that does not: labels linking to an
unknown entry, and merges into one, are refused (422) however well-formed."""


@schemathesis.serializer(*AUDIO)
def _as_sent(_context: Any, value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _wav(rate: int, seconds: float, seed: int, channels: int) -> bytes:
    noise = np.random.default_rng(seed).uniform(-0.5, 0.5, (int(rate * seconds), channels))
    buffer = io.BytesIO()
    sf.write(buffer, noise, rate, format="WAV")
    return buffer.getvalue()


WAVS = st.builds(
    _wav,
    rate=st.sampled_from([8000, 16000, 44100]),
    seconds=st.floats(0.05, 1.0),
    seed=st.integers(0, 2**16),
    channels=st.integers(1, 2),
)


@dataclass
class Run:
    failures: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    """Check failures by operation, check and status."""
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    """Answers by operation and status."""


def _run(runtime: Any, token: str, review_token: str) -> Run:
    """Schemathesis's every phase and check over the app's schema, as the device of `token`
    and the staff member of `review_token`."""
    config = schemathesis.Config.from_dict(
        {
            "seed": 10,
            "generation": {"max-examples": EXAMPLES},
            "checks": {"enabled": True},
            "auth": {
                "openapi": {
                    "DeviceToken": {"bearer": token},
                    "ReviewToken": {"bearer": review_token},
                }
            },
            # The schema cannot tell audio from other bytes: arbitrary bytes that fit it are
            # refused as not audio (422) or too long (413), or reuse a key for other bytes (409).
            "operations": [
                {
                    "include-name": UPLOAD,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", 401, 409, 413, 422, 429]
                        }
                    },
                },
                {
                    "include-name-regex": "^POST .*/(annotation|merge)$",
                    "checks": {"positive_data_acceptance": {"expected-statuses": LABELS_REFUSED}},
                },
            ],
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime), config=config)

    @schema.hook("before_generate_body")
    def audio_half_the_time(context: Any, strategy: Any) -> Any:
        if context.operation is not None and context.operation.label == UPLOAD:
            return st.one_of(WAVS, strategy)
        return strategy

    run = Run()
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError | events.FatalError):
            pytest.fail(f"schemathesis could not run: {event}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        recorder = event.recorder
        for exchange in recorder.interactions.values():
            run.answers[(recorder.label, _status(exchange))] += 1
        for case_id, checks in recorder.checks.items():
            status = _status(recorder.interactions.get(case_id))
            for check in checks:
                if check.failure_info is not None:
                    run.failures[(recorder.label, check.name, status)] += 1
    return run


def _status(exchange: Any) -> int:
    """The status a recorded exchange got; 0 for none (the request never completed)."""
    return exchange.response.status_code if exchange is not None and exchange.response else 0


def test_every_answer_is_what_the_schema_documents(runtime, household, team, queued) -> None:
    paths = create_app(runtime).openapi()["paths"]
    documented = {
        f"{method.upper()} {path}" for path, methods in paths.items() for method in methods
    }
    for _ in range(3):
        queued("alice")
    with runtime.sessions() as session:  # a lead, who labels too: every review route is theirs
        review_token = open_session(session, "staff", team["lena"].id, 1, datetime.now(UTC))
        session.commit()
    run = _run(runtime, household.tokens["alice"], review_token)
    assert not run.failures
    assert documented <= {operation for operation, _ in run.answers}
    # The run got past the device's token, not only its refusals: an upload and a poll answered.
    answered = {operation for operation, status in run.answers if status < 300}
    assert {UPLOAD, "GET /api/utterances/{interaction_id}"} <= answered
    assert {"POST /api/review/tasks/next", "GET /api/catalog"} <= answered
