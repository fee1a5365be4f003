"""First boot: the door and the sync agent open a brand-new journal at the same moment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 20


def _child(path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sync.open_journal", str(path), "door-1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        text=True,
    )


def _verdict(child: subprocess.Popen[str]) -> str:
    out, _ = child.communicate(timeout=60)
    lines = out.strip().splitlines()
    return lines[-1] if lines else f"exit {child.returncode}"


def test_two_processes_create_a_new_journal_together(tmp_path: Path) -> None:
    # Every pair is started (Python's start-up is the slow part) and waits at its gate;
    # then one pair at a time is released, its two processes within microseconds.
    pairs = [[_child(tmp_path / f"round-{n}" / "journal.db") for _ in range(2)]
             for n in range(ROUNDS)]  # fmt: skip
    for child in (c for pair in pairs for c in pair):
        assert child.stdout is not None and child.stdout.readline().strip() == "READY"
    verdicts = []
    for pair in pairs:
        for child in pair:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        verdicts += [_verdict(child) for child in pair]
    failures = [v for v in verdicts if v != "OK"]
    assert len(verdicts) == 2 * ROUNDS
    assert not failures, f"{len(failures)} of {2 * ROUNDS} openings failed: {failures[:3]}"
