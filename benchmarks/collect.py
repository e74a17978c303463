"""Gather every benchmark's table from results/ into RESULTS.md, in the order of the issues."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
ORDER = [
    "wake_calibration",
    "wakeword",
    "asr",
    "asr_window",
    "nlu",
    "install_time",
    "ingest_throughput",
    "answer_latency",
    "endpointing",
    "sealing",
    "erasure",
    "redaction",
    "public_names",
    "anonymization",
    "watermark",
    "learning",
    "load",
    "review_pace",
    "wyoming_asr",
]
HEADER = """# Benchmark results

Each table is written by its script in this folder (`make benchmarks` runs them all, then this
collector). Figures are from one run on the machine named under each table; anchors and targets
stand beside them.
"""


def main() -> None:
    parts = [HEADER]
    results = HERE / "results"
    for name in ORDER:
        # a benchmark run again on another draw (`--seed`) follows its main table
        for table in [results / f"{name}.md", *sorted(results.glob(f"{name}-seed*.md"))]:
            if table.exists():
                parts.append(table.read_text().replace("\n# ", "\n## ", 1).replace("# ", "## ", 1))
    (HERE / "RESULTS.md").write_text("\n".join(parts))
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
