"""bench_recall.py runs end to end, small: a few learners for eight weeks through the real
door, journal, sync and server, on SQLite and PostgreSQL. Not its criteria (eight weeks
give too few checks 30 days after a word was last seen to test 5 points): that it runs,
that the door put checks and the learners answered them, and that the server counts the
same 30-day checks as the simulation by the same definition, with the same rights and the
same model prediction (server/learning/calibration)."""

from __future__ import annotations

import os

import pytest

from benchmarks.bench_recall import options, run


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_recall_benchmark_runs_and_reports_checks(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--learners",
        "6",
        "--weeks",
        "8",
        "--offline-week",
        "3",
        "--seed",
        "5",
        "--syncs-a-day",
        "1",
    ]
    if kind == "postgresql":
        url = os.environ.get("PRIKKLOK_TEST_DATABASE_URL")
        if not url:
            pytest.fail("PRIKKLOK_TEST_DATABASE_URL is not set: this test needs a PostgreSQL")
        argv += ["--database-url", url]
    result = run(options(argv))
    printed = capsys.readouterr().out

    tally = result.tally
    assert tally.odd_taps == 0, printed  # every tap was the check-in or check-out meant
    assert tally.check_ins == tally.check_outs == tally.visits
    assert tally.sync_failures == 0
    assert tally.checks > tally.visits / 2, printed  # most check-outs put a check
    assert tally.right and tally.wrong and tally.skipped
    cohort = result.cohort
    # The server saw every answer, and counts the 30-day checks the simulation counts.
    assert cohort.shown == tally.checks
    assert cohort.answered == tally.right + tally.wrong
    assert cohort.n > 0, printed
    assert cohort.server_n == cohort.n, printed
    # ... the same right answers among them, and the same model prediction before each.
    assert cohort.server_right == cohort.right, printed
    assert cohort.model == pytest.approx(cohort.own_model), printed
    assert "After 8 weeks" in printed and "Criteria" in printed
