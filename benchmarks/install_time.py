"""Install benchmark: what `make install` costs on a clean venv, beside the build it replaced.

Why: a newcomer waits for `make install` before the demo says anything. It took 10 minutes, 9.5 of
them building the default NLU model (issue 13.5: the build in <= 2 min on 2 cores, the install in
<= 3 min).

How: a new venv in a temporary folder, set up as the Makefile does it (`-m venv` on the Python
that runs this script, pip upgraded, `pip install -e '.[tts]'`; pip's cache as this machine has
it, so a fresh machine adds its download time), then `confide understand` builds the default NLU
model into an empty cache dir. The anchor is the same build by the code of an earlier commit
(default: the last one before issue 13.5's trainer), run from a git worktree in the same venv.
Wall times, both cores free.

    .venv/bin/python benchmarks/install_time.py [--anchor-rev REV]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import write

ROOT = Path(__file__).resolve().parent.parent
ANCHOR_REV = "18da874"
"""The last commit whose slot tagger was fitted by 150 L-BFGS iterations after the classifier."""
BUILD = ["-m", "confide", "understand", "build the default model"]
TARGETS = {"nlu_build_seconds": 120.0, "install_seconds": 180.0}


def timed(command: list[str], **options: object) -> float:
    """Run `command` (its output shown), failing loudly; its wall time in seconds."""
    print("$", " ".join(command), flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True, **options)  # type: ignore[call-overload]
    return time.perf_counter() - started


def git(*arguments: str) -> None:
    subprocess.run([shutil.which("git") or "git", *arguments], check=True, cwd=ROOT)


def build_seconds(python: Path, source: Path | None, scratch: Path) -> float:
    """One default-model build into an empty cache dir; `source` puts other code first."""
    environment = {**os.environ, "CONFIDE_CACHE_DIR": str(scratch), "HF_HUB_OFFLINE": "1"}
    if source is not None:
        environment["PYTHONPATH"] = str(source)
    return timed([str(python), *BUILD], env=environment, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anchor-rev", default=ANCHOR_REV, help="commit whose build is the anchor")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="confide-install-") as folder:
        scratch = Path(folder)
        venv = scratch / "venv"
        python = venv / "bin" / "python"
        quiet = ["--quiet", "--disable-pip-version-check"]
        venv_seconds = timed([sys.executable, "-m", "venv", str(venv)])
        venv_seconds += timed([str(python), "-m", "pip", "install", *quiet, "--upgrade", "pip"])
        pip_seconds = timed([str(python), "-m", "pip", "install", *quiet, "-e", ".[tts]"], cwd=ROOT)
        build = build_seconds(python, None, scratch / "cache-now")
        anchor_tree = scratch / "anchor"
        git("worktree", "add", "--quiet", "--detach", str(anchor_tree), args.anchor_rev)
        try:
            anchor = build_seconds(python, anchor_tree / "src", scratch / "cache-anchor")
        finally:
            git("worktree", "remove", "--force", str(anchor_tree))
    install = venv_seconds + pip_seconds + build
    anchor_install = venv_seconds + pip_seconds + anchor
    rows = [
        ["venv and pip upgrade", f"{venv_seconds:.0f} s", f"{venv_seconds:.0f} s", ""],
        ["pip install -e '.[tts]'", f"{pip_seconds:.0f} s", f"{pip_seconds:.0f} s", ""],
        ["default NLU model build", f"{anchor:.0f} s", f"{build:.0f} s", "<= 120 s"],
        ["`make install` in all", f"{anchor_install:.0f} s", f"{install:.0f} s", "<= 180 s"],
    ]
    write(
        "install_time",
        f"`make install` on a clean venv: the build at {args.anchor_rev} against now",
        ["step", f"at {args.anchor_rev} (anchor)", "now", "target"],
        rows,
        data={
            "anchor_rev": args.anchor_rev,
            "venv_seconds": round(venv_seconds, 1),
            "pip_seconds": round(pip_seconds, 1),
            "nlu_build_seconds": round(build, 1),
            "anchor_nlu_build_seconds": round(anchor, 1),
            "install_seconds": round(install, 1),
            "anchor_install_seconds": round(anchor_install, 1),
            "targets": TARGETS,
            "met": {
                "nlu_build": build <= TARGETS["nlu_build_seconds"],
                "install": install <= TARGETS["install_seconds"],
            },
            "run_seconds": round(time.perf_counter() - started, 1),
        },
        notes=(
            f"{os.cpu_count()} cores. pip installs from its cache on "
            "this machine: a fresh machine adds its download time. The anchor is the same build "
            f"by the code at {args.anchor_rev} (L-BFGS, 150 iterations, then the intent "
            "classifier), from a git worktree in the same venv. The issue measured 10 minutes "
            "for `make install` on a fresh machine, 9.5 of them the build."
        ),
    )


if __name__ == "__main__":
    main()
