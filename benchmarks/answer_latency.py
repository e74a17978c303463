"""Latency from end of speech to answer, with N simulated devices, on SQLite and PostgreSQL.

`confide serve` (with its in-process worker, Whisper tiny.en and the shipped NLU model) runs
pinned to one core. Each device sends synthesised commands one after another and long-polls for
the answer. Measured: from the last byte of the upload to the answer arriving. On a real device
the endpointer adds its trailing silence (0.7 s by default) before the upload starts; the last
column adds it back, which is what a person waits after they stop speaking.
"""

from __future__ import annotations

import argparse
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from _support import (
    fresh_settings,
    household,
    percentile,
    postgres_available,
    server_process,
    write,
)
from confide.capture.agent import EndpointSettings
from confide.demo.voices import cached_speaker
from confide.service.runtime import Runtime

COMMANDS = [
    ("set a timer for ten minutes", "joe"),
    ("what's the weather like in paris tomorrow", "heart"),
    ("add eggs to my shopping list", "joe"),
    ("play something by the beatles", "heart"),
    ("turn the volume up", "joe"),
    ("what did you hear", "heart"),
]
CACHE = Path(__file__).parent / "cache" / "speech"


def device_run(url: str, token: str, clips: list[bytes], rounds: int) -> list[float]:
    latencies = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=120) as client:
        for index in range(rounds):
            clip = clips[index % len(clips)]
            sent = client.post(
                "/api/utterances",
                content=clip,
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            uploaded = time.perf_counter()
            status = sent.json()
            while status["status"] not in ("answered", "failed"):
                status = client.get(
                    f"/api/utterances/{status['id']}", params={"wait": 30}, headers=headers
                ).json()
            latencies.append(time.perf_counter() - uploaded)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rounds", type=int, default=6, help="Utterances per device.")
    args = parser.parse_args()
    speak = cached_speaker(CACHE)
    clips = [speak(text, voice, 1.0).to_wav_bytes() for text, voice in COMMANDS]
    endpoint_delay = EndpointSettings().trailing_silence
    rows, data = [], {}
    for backend in ["sqlite"] + (["postgresql"] if postgres_available() else []):
        with fresh_settings(backend) as settings:
            runtime = Runtime(settings)
            _, tokens = household(runtime, max(args.devices))
            runtime.close()
            with server_process(settings, worker=True) as (url, _pid):
                device_run(url, tokens[0], clips[:1], 1)  # models load on the first job
                for devices in args.devices:
                    started = time.perf_counter()
                    with ThreadPoolExecutor(devices) as pool:
                        runs = list(
                            pool.map(
                                lambda t: device_run(url, t, clips, args.rounds), tokens[:devices]
                            )
                        )
                    wall = time.perf_counter() - started
                    latencies = [value for run in runs for value in run]
                    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
                    rows.append(
                        [
                            backend,
                            devices,
                            len(latencies),
                            f"{len(latencies) / wall:.2f}",
                            f"{p50:.2f} s",
                            f"{p95:.2f} s",
                            f"{p50 + endpoint_delay:.2f} s",
                            "≤ 1.0 s",
                        ]
                    )
                    data[f"{backend}/{devices}"] = {
                        "answers": len(latencies),
                        "p50": p50,
                        "p95": p95,
                        "per_second": len(latencies) / wall,
                        "endpoint_delay": endpoint_delay,
                    }
    write(
        "answer_latency",
        "End of speech to answer, default ASR, server on one core",
        [
            "database",
            "devices",
            "answers",
            "answers/s",
            "upload→answer p50",
            "p95",
            "end of speech→answer p50",
            "target (p50)",
        ],
        rows,
        "Commands of 1.5 to 3 s, synthesised by piper (joe) and hibari (heart). The last column "
        f"adds the endpointer's {endpoint_delay} s trailing silence to the measured p50.",
        data,
    )


if __name__ == "__main__":
    main()
