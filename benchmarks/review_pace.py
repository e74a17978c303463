"""Review pace benchmark: keys per task and clips per hour for a reviewer working the workbench
by keyboard alone, in Debian's chromium.

Why: reviewers in the system Confide answers did about 1,000 clips in a 9-hour shift (about
111 an hour); on Confide's workbench before issue 14, one keyboard-only task took 31 keys for a
one-letter fix and 52 for a retyped transcript, 25 of them only moving focus (issue 14's
figures, measured by hand on commit 7e8c55f). Targets: at most 8 keys for a one-word fix, at
least 300 clips an hour with 3 s clips and a 2 s think per clip.

How: a queue of generated 3 s clips behind a real server; the scripted reviewer of
tests/scripted_reviewer.py (the path the workbench's keyboard test holds) signs in, then for
each clip presses Space, waits until the player has played it to its end, thinks for 2 s,
rates it, fixes the word the recogniser doubted (or retypes the whole transcript) and presses
Ctrl+Enter, which saves and opens the next clip. Every key is counted; the clock runs from the
first clip's page to the last save. The server checks the clip was heard before it takes a save.

    .venv/bin/python benchmarks/review_pace.py [--clips 30] [--retyped 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _support import write

sys.path.append(str(Path(__file__).resolve().parents[1] / "tests"))
from confide_testing import CHROMIUM, CHROMIUM_ARGS  # the tests' browser setup
from scripted_reviewer import (
    Keyboard,
    Queue,
    next_clip_shown,
    one_word_fix,
    retyped,
    review_queue,
    sign_in,
)

CLIP_SECONDS = 3.0
THINK_SECONDS = 2.0
ANCHOR_KEYS = {"one-word fix": 31, "retyped transcript": 52}
"""Issue 14: one keyboard-only task on the workbench before it (7e8c55f)."""
ANCHOR_PER_HOUR = 1000 / 9
"""The pace reviewers kept in the system Confide answers: about 1,000 clips in a 9-hour shift."""
TARGETS = {"keys_one_word_fix": 8, "clips_per_hour": 300}


def work(
    page: Any, queue: Queue, login: str, clips: int, task: Callable[[Keyboard, float], None]
) -> dict[str, float]:
    """`clips` tasks done by `login`; keys per task and clips per hour."""
    sign_in(page, queue, login)
    keys = Keyboard(page)
    page.keyboard.press("Enter")  # "Take the next task" has the focus; not a task's key
    next_clip_shown(page, f"{queue.url}/review/")
    per_task = []
    started = time.perf_counter()
    for done in range(clips):
        before, url = keys.count, page.url
        task(keys, THINK_SECONDS)
        per_task.append(keys.count - before)
        if done < clips - 1:
            next_clip_shown(page, url)
        else:
            page.wait_for_url(lambda address, left=url: address != left)
        print(f"  {login}: clip {done + 1}/{clips}, {per_task[-1]} keys", flush=True)
    elapsed = time.perf_counter() - started
    return {
        "clips": clips,
        "keys_per_task": sum(per_task) / len(per_task),
        "keys_most": max(per_task),
        "seconds": elapsed,
        "clips_per_hour": clips / elapsed * 3600,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=30, help="one-word fixes to time")
    parser.add_argument("--retyped", type=int, default=5, help="retyped transcripts to time")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="confide-pace-") as folder,
        review_queue(Path(folder) / "data", args.clips + args.retyped + 2, CLIP_SECONDS) as queue,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        results = {}
        for name, login, clips, task in (
            ("one-word fix", "rhea", args.clips, one_word_fix),
            ("retyped transcript", "remy", args.retyped, retyped),
        ):
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            results[name] = work(context.new_page(), queue, login, clips, task)
            context.close()
        browser.close()

    rows = [
        [
            name,
            figures["clips"],
            f"{figures['keys_per_task']:.1f} (most {figures['keys_most']})",
            ANCHOR_KEYS[name],
            f"{figures['clips_per_hour']:.0f}",
            f"{ANCHOR_PER_HOUR:.0f}",
        ]
        for name, figures in results.items()
    ]
    notes = (
        f"{CLIP_SECONDS:.0f} s clips, a {THINK_SECONDS:.0f} s think per clip after it was heard; "
        "keys counted as pressed (a chord such as Ctrl+Enter is one key, each typed letter one). "
        f"Targets: at most {TARGETS['keys_one_word_fix']} keys for a one-word fix, at least "
        f"{TARGETS['clips_per_hour']} clips an hour. The anchors are issue 14's figures (keys "
        "on the workbench before it) and the reviewers' pace in the system Confide answers."
    )
    write(
        "review_pace",
        "Review pace: keys per task and clips per hour, keyboard only",
        [
            "task",
            "clips",
            "keys per task",
            "keys before (anchor)",
            "clips per hour",
            "anchor pace per hour",
        ],
        rows,
        notes,
        {
            "clip_seconds": CLIP_SECONDS,
            "think_seconds": THINK_SECONDS,
            "results": results,
            "anchor_keys": ANCHOR_KEYS,
            "anchor_per_hour": ANCHOR_PER_HOUR,
            "targets": TARGETS,
        },
    )


if __name__ == "__main__":
    main()
