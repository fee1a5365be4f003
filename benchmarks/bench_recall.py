"""Is the measured 30-day recall honest? A cohort of simulated learners, six months, through
the real door, journal, sync and server (issue 16, the proof "the measurement is honest").

One site plans a new word of the day every workday (a pictogram of sync.pictograms each).
--learners learners (default 24) each come on 2 or 3 agreed weekdays for --weeks weeks
(default 26), missing one day in ten. Everything a learner does goes through the real
kiosk.door.Door on a real sync.journal.Journal: the check-in tap (they see the word of the
day), the check-out tap, and — when the door puts a recall check after the goodbye
(Answer.recall) — the touch on one of the four pictures, or none (Door.answer_recall). The
door syncs twice a day (--syncs-a-day) with the real sync round (sync.agent.sync_once:
push, snapshot, heartbeat) against the real server app served by uvicorn on 127.0.0.1 in a
thread, on SQLite (default) or PostgreSQL (--database-url). Door and server share one
simulated clock. --offline-week takes the door offline for one week (its answers reach the
server late).

The learners' memory is a known forgetting curve (benchmarks/recall_learners.py: exponential
with a half-life that grows with each true retrieval — not FSRS); not recalling, they guess
among the four pictures. At month 3 and at the end the server's figures
(server.learning.progress.progress_of) are compared with the simulated truth for the same
checks: answered checks made 30 days or more after the learner last saw the word; the
truth is the mean true recall probability at those checks, which the guess-corrected
share right estimates. Criteria, pooled over the cohort at the end:
  |reported 30-day recall − truth| ≤ 5 points, |model's prediction − truth| ≤ 10 points.
The benchmark also computes the same figures itself from what the learners did (the
"own" columns): they must agree with the server's, or the server counts other checks.

Run from the repo root:
  python benchmarks/bench_recall.py [--learners 24] [--weeks 26] [--seed 16]
      [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--offline-week 9]
Exit status 1 when a criterion fails.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.recall_figures import (  # noqa: E402
    LEGEND,
    Figures,
    cards_of,
    figures_at,
    print_figures,
    schedule_text,
    verdict,
)
from benchmarks.recall_learners import (  # noqa: E402
    CHOICES,
    H0_DAYS,
    Learner,
    cohort,
    ease_of_words,
    response_ms,
)
from benchmarks.server_process import Database  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
SITE = "werkplaats"
KIOSK = "voordeur"
START = date(2027, 1, 4)  # a Monday


# -- the clock both ends share ------------------------------------------------------------


class SimulatedTime:
    """The door's held clock (sync.clock.HeldClock) and the server's `now`, one time."""

    def __init__(self, start: datetime) -> None:
        from sync.clock import HeldClock

        self.held = HeldClock(start, monotonic=1000.0, boot_id="bench-recall-boot")

    def server_now(self) -> datetime:
        return self.held.wall

    def to(self, local: datetime) -> None:
        """Move on to this local time (never back): wall and monotonic together."""
        seconds = (local.astimezone(UTC) - self.held.wall).total_seconds()
        if seconds > 0:
            self.held.advance(seconds)

    def wait(self, seconds: float) -> None:
        self.held.advance(seconds)


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


# -- the server: the real app in uvicorn on 127.0.0.1 -------------------------------------


class ServerThread:
    """create_app(Settings(now=the simulated clock)) served by uvicorn in a thread."""

    def __init__(self, database_url: str, now: Any) -> None:
        import uvicorn

        from server.app import create_app
        from server.local import free_port
        from server.settings import Settings

        self.port = free_port()
        app = create_app(
            Settings(database_url=database_url, host="127.0.0.1", port=self.port, now=now)
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="bench-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


# -- the site ------------------------------------------------------------------------------


def workdays(weeks: int) -> list[date]:
    return [START + timedelta(days=7 * w + d) for w in range(weeks) for d in range(5)]


def word_plan(days: list[date]) -> list[tuple[date, str, str]]:
    """(day, Dutch word, pictogram) for each workday: one new word a day, each a pictogram
    of the set, in the catalogue's order (tools, transport, kitchen, cleaning, …)."""
    from sync.pictograms import catalogue
    from sync.recall import word_key

    entries, seen = [], set()
    for entry in catalogue().values():
        key = word_key(entry.label)
        if key not in seen:
            seen.add(key)
            entries.append(entry)
    if len(entries) < len(days):
        raise SystemExit(f"only {len(entries)} pictograms for {len(days)} workdays")
    return [(day, e.label, e.name) for day, e in zip(days, entries, strict=False)]


def set_up(
    database_url: str, learners: list[Learner], plan: list[tuple[date, str, str]], at: datetime
) -> str:
    """The site, its participants and badges, the word plan, the door; the door's token."""
    from server.administration import operations as admin
    from server.administration.importer import import_participants
    from server.administration.plan import Plan, load_plan
    from server.db import make_engine, writing
    from sync.protocol import SnapshotWord

    names = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri"}
    rows = "".join(
        f"{p.id},Deelnemer {p.id[2:]},nl,{' '.join(names[d] for d in p.weekdays)},{p.badge}\n"
        for p in learners
    )
    engine = make_engine(database_url)
    try:
        with writing(engine) as conn:
            admin.add_site(conn, SITE, "Werkplaats", clock_time(8, 30), clock_time(17), str(TZ))
            import_participants(
                conn, "id,display_name,language,agreed_weekdays,badge_uid\n" + rows, SITE, at
            )
            words = [SnapshotWord(day=d, word=w, pictogram=p) for d, w, p in plan]
            load_plan(conn, SITE, Plan(words=words))
            return admin.add_kiosk(conn, SITE, KIOSK, "Voordeur", at)
    finally:
        engine.dispose()


# -- six months at the door ----------------------------------------------------------------


@dataclass
class Tally:
    visits: int = 0
    check_ins: int = 0
    check_outs: int = 0
    checks: int = 0  # checks the door put after a check-out
    skipped: int = 0
    right: int = 0
    wrong: int = 0
    no_check: int = 0  # check-outs without a check
    odd_taps: int = 0  # a tap answered otherwise than check-in/check-out (should be 0)
    syncs: int = 0
    sync_failures: int = 0
    sync_seconds: float = 0.0


class Site:
    """The door, its journal and its sync, and the cohort coming through it."""

    def __init__(
        self, folder: Path, server_url: str, token: str, clock: SimulatedTime, seed: int
    ) -> None:
        from hardware.feedback import QuietIndicator
        from kiosk.door import Door
        from sync.client import ServerClient
        from sync.journal import Journal

        self.clock = clock
        path = folder / "journal.db"
        self.journal = Journal(path, kiosk_id=KIOSK)
        # The sync agent has its own connection to the journal, as its own process has.
        self.agent_journal = Journal(path, kiosk_id=KIOSK)
        self.client = ServerClient(server_url, token, timeout=60)
        self.door = Door(
            journal=self.journal,
            clock=clock.held,
            feedback=QuietIndicator(),
            rng=random.Random(seed),
        )
        self.tally = Tally()

    def close(self) -> None:
        self.client.close()
        self.agent_journal.close()
        self.journal.close()

    def sync(self) -> None:
        from sync.agent import sync_once

        began = time.perf_counter()
        result = sync_once(self.agent_journal, self.client, now=self.clock.held.now)
        while result.more:
            result = sync_once(self.agent_journal, self.client, now=self.clock.held.now)
        self.tally.sync_seconds += time.perf_counter() - began
        self.tally.syncs += 1
        if result.problems:
            self.tally.sync_failures += 1
            print(f"  sync problem: {result.problems[0]}", file=sys.stderr)
        self.door.refresh()  # as the waiting screen does: take what the agent stored

    def odd(self, outcome: object) -> None:
        self.tally.odd_taps += 1
        print(f"  a tap answered {outcome} at {self.clock.held.wall}", file=sys.stderr)

    def check_in(self, learner: Learner, word: tuple[str, float] | None) -> None:
        from kiosk.decide import Outcome

        answer = self.door.tap(learner.badge)
        if answer.decision.outcome is not Outcome.CHECK_IN:
            self.odd(answer.decision.outcome)
            return
        self.tally.check_ins += 1
        if word is not None:  # the word of the day on the welcome screen, read aloud
            learner.meets(word[0], word[1], self.clock.held.wall)

    def check_out(self, learner: Learner, rng: random.Random) -> None:
        from kiosk.decide import Outcome
        from sync.recall import RIGHT, SKIPPED, WRONG, word_key

        answer = self.door.tap(learner.badge)
        if answer.decision.outcome is not Outcome.CHECK_OUT:
            self.odd(answer.decision.outcome)
            return
        self.tally.check_outs += 1
        check = answer.recall
        if check is None:
            self.tally.no_check += 1
            return
        self.tally.checks += 1
        self.clock.wait(2.0)  # the goodbye, then the word plays and the pictures show
        at = self.clock.held.wall
        p_true = learner.memory[check.key].p(at)
        touches, recalled = learner.answers(check.key, at, rng)
        if not touches:
            self.clock.wait(5.0)
            self.door.answer_recall(check, None, None)
            self.tally.skipped += 1
            return
        ms = response_ms(recalled, rng)
        self.clock.wait(ms / 1000)
        assert len(check.choices) == CHOICES
        chosen = check.key if recalled else word_key(rng.choice(check.choices).word)
        self.door.answer_recall(check, chosen, ms)
        outcome = RIGHT if chosen == check.key else WRONG
        self.tally.right += outcome == RIGHT
        self.tally.wrong += outcome == WRONG
        learner.record(check.key, at, outcome, recalled, p_true)
        assert outcome != SKIPPED


def simulate(
    site: Site,
    learners: list[Learner],
    plan: list[tuple[date, str, str]],
    ease: dict[str, float],
    weeks: int,
    offline_week: int,
    rng: random.Random,
    minds: random.Random,
    syncs_a_day: int,
    report_at: list[datetime],
    report: Any,
) -> None:
    """Day by day: check-ins, a sync, check-outs with their checks, a sync. `rng` draws who
    comes when, `minds` what the learners recall and touch: two streams, so another truth
    model (--half-life) meets the same days, visits and times."""
    from sync.recall import word_key

    words = {day: (word_key(word), ease[word_key(word)]) for day, word, _ in plan}
    reports = list(report_at)
    site.sync()  # the door got its snapshot when it was installed
    for day in workdays(weeks):
        while reports and reports[0] < local(day, 0):
            report(reports.pop(0))
        offline = (day - START).days // 7 == offline_week
        coming = [p for p in learners if p.comes(day, rng)]
        site.tally.visits += len(coming)
        arrivals = sorted((rng.uniform(0, 3600), p.id) for p in coming)
        by_id = {p.id: p for p in learners}
        site.clock.to(local(day, 8, 25))
        for seconds, pid in arrivals:
            site.clock.to(local(day, 8, 30) + timedelta(seconds=seconds))
            site.check_in(by_id[pid], words.get(day))
        site.clock.to(local(day, 10, 0))
        if not offline and syncs_a_day > 1:
            site.sync()
        departures = sorted((rng.uniform(0, 5400), p.id) for p in coming)
        for seconds, pid in departures:
            site.clock.to(local(day, 15, 30) + timedelta(seconds=seconds))
            site.check_out(by_id[pid], minds)
        site.clock.to(local(day, 17, 30))
        if not offline:
            site.sync()
    site.clock.to(local(workdays(weeks)[-1], 18, 0))
    site.sync()  # whatever is still on the door
    for at in reports:
        report(at)


# -- the run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    tally: Tally
    cohort: Figures  # pooled over the learners, at the end
    passed: bool


def run(args: argparse.Namespace) -> Result:
    """The whole benchmark; prints as it goes."""
    rng = random.Random(args.seed)
    days = workdays(args.weeks)
    plan = word_plan(days)
    from sync.recall import word_key

    ease = ease_of_words([word_key(w) for _, w, _ in plan], rng)
    learners = cohort(args.learners, rng, args.half_life)
    kind = "postgresql" if args.database_url else "sqlite"
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".bench-recall-", dir=args.dir) as tmp:
        db = Database.fresh(kind, folder=Path(tmp) / "server", pg_url=args.database_url)
        try:
            db.migrate()
            clock = SimulatedTime(local(START, 7, 0))
            token = set_up(db.url, learners, plan, clock.held.wall)
            print(
                f"{args.learners} learners, {args.weeks} weeks from {START}, {len(plan)} "
                f"words planned, seed {args.seed}, {kind}, truth half-life after one meeting "
                f"{args.half_life:g} days (median)"
                + (
                    f", door offline in week {args.offline_week + 1}"
                    if 0 <= args.offline_week < args.weeks
                    else ""
                )
            )
            print(LEGEND)
            final: dict[str, Figures] = {}

            def report(at: datetime) -> None:
                figures, fitted_on = figures_at(db.url, learners, at)
                weeks_in = round((at - local(START, 0)).days / 7)
                curve = f"fitted to the site's {fitted_on} answers" if fitted_on else "default"
                print_figures(
                    f"After {weeks_in} weeks ({at.date()}): 30-day recall, points; "
                    f"the model's curve now: {curve}",
                    figures,
                    args.show,
                )
                final.clear()
                final.update(figures)

            ends = (
                [local(START + timedelta(weeks=args.weeks // 2) - timedelta(days=2), 23)]
                if args.weeks >= 8
                else []
            )
            ends.append(local(days[-1], 23))
            with ServerThread(db.url, clock.server_now) as server:
                site = Site(Path(tmp), server.url, token, clock, args.seed)
                try:
                    simulate(
                        site,
                        learners,
                        plan,
                        ease,
                        args.weeks,
                        args.offline_week,
                        rng,
                        random.Random(args.seed + 1_000_003),
                        args.syncs_a_day,
                        ends,
                        report,
                    )
                finally:
                    site.close()
        finally:
            db.drop()
    t = site.tally
    print(
        f"\nAt the door: {t.visits} visits, {t.check_ins} check-ins, {t.check_outs} "
        f"check-outs ({t.odd_taps} other answers), {t.checks} checks shown: {t.right} right, "
        f"{t.wrong} wrong, {t.skipped} skipped; {t.no_check} check-outs without a check"
    )
    print(
        f"Sync: {t.syncs} rounds, {t.sync_failures} with a problem, "
        f"{t.sync_seconds:.1f} s in all; the run took {time.perf_counter() - began:.0f} s"
    )
    print(schedule_text(learners))
    print(calibration_cost(learners, local(days[-1], 23)))
    cohort_figures = Figures()
    for figures in final.values():
        cohort_figures.add(figures)
    ok = verdict(cohort_figures)
    print("PASS" if ok else "FAIL")
    return Result(t, cohort_figures, ok)


def calibration_cost(learners: list[Learner], at: datetime) -> str:
    """What one calibration of the site's curve costs (progress_of makes one per site and
    day, cached): on the cohort's answers, and on three times as many (the cohort's cards
    three times over, as a site of 72 learners), against the target of well under 1 s."""
    from server.learning.calibration import MEET, MIN_ANSWERS, fit_site

    cards = cards_of(learners, at)
    times = []
    for copies in (1, 3):
        many = [events for _ in range(copies) for events in cards.values()]
        answers = sum(e.kind != MEET for events in many for e in events)
        began = time.perf_counter()
        fit_site(many)
        times.append(f"{answers} answers {time.perf_counter() - began:.2f} s")
    return (
        f"Calibration (fit_site, one per site and day; default below {MIN_ANSWERS} answers): "
        + ", ".join(times)
        + " (target: well under 1 s)"
    )


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=24)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server (a private schema is made and dropped); "
        "default: SQLite in a temporary folder",
    )
    parser.add_argument(
        "--offline-week",
        type=int,
        default=8,
        help="the week (from 0) the door does not sync; -1: never offline",
    )
    parser.add_argument(
        "--syncs-a-day",
        type=int,
        choices=(1, 2),
        default=2,
        help="2: after the check-ins and after closing; 1: after closing only (faster)",
    )
    parser.add_argument(
        "--half-life",
        type=float,
        default=H0_DAYS,
        help="the truth model's median half-life in days after meeting a word "
        "once (a sensitivity check; the criteria are for the default)",
    )
    parser.add_argument("--show", type=int, default=4, help="learners printed beside the cohort")
    parser.add_argument("--dir", type=Path, default=ROOT, help="folder for the temporary files")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(0 if run(options()).passed else 1)
