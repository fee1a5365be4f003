"""Is the measured 30-day recall honest? A cohort of simulated learners, six months, through
the real door, journal, sync and server (issue 16, the proof "the measurement is honest").

One site plans a new word of the day every workday (a pictogram of sync.pictograms each).
--learners learners (default 24) each come on 2 or 3 agreed weekdays for --weeks weeks
(default 26), missing one day in ten. Everything a learner does goes through the real
kiosk.door.Door on a real sync.journal.Journal: the check-in tap (they see the word of the
day), the check-out tap, and — when the door puts a recall check after the goodbye
(Answer.recall) — the touch on one of the four pictures, or none (Door.answer_recall). The
door syncs twice a day with the real sync round (sync.agent.sync_once: push, snapshot,
heartbeat) against the real server app served by uvicorn on 127.0.0.1 in a thread, on
SQLite (default) or PostgreSQL (--database-url). Door and server share one simulated clock.
--offline-week takes the door offline for one week (its answers reach the server late).

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
import math
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

from benchmarks.recall_learners import (  # noqa: E402
    CHOICES,
    Learner,
    cohort,
    ease_of_words,
    last_seen_before,
    response_ms,
)
from benchmarks.server_process import Database  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
SITE = "werkplaats"
KIOSK = "voordeur"
START = date(2027, 1, 4)  # a Monday
THIRTY_DAYS = timedelta(days=30)
REPORTED_WITHIN = 5.0  # points: |reported 30-day recall − truth|
MODEL_WITHIN = 10.0  # points: |model's prediction − truth|


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
        app = create_app(Settings(database_url=database_url, host="127.0.0.1", port=self.port,
                                  now=now))  # fmt: skip
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


def set_up(database_url: str, learners: list[Learner], plan: list[tuple[date, str, str]],
           at: datetime) -> str:  # fmt: skip
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

    def __init__(self, folder: Path, server_url: str, token: str, clock: SimulatedTime,
                 seed: int) -> None:  # fmt: skip
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
        self.door = Door(journal=self.journal, clock=clock.held, feedback=QuietIndicator(),
                         rng=random.Random(seed))  # fmt: skip
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


def simulate(site: Site, learners: list[Learner], plan: list[tuple[date, str, str]],
             ease: dict[str, float], weeks: int, offline_week: int, rng: random.Random,
             report_at: list[datetime], report: Any) -> None:  # fmt: skip
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
        if not offline:
            site.sync()
        departures = sorted((rng.uniform(0, 5400), p.id) for p in coming)
        for seconds, pid in departures:
            site.clock.to(local(day, 15, 30) + timedelta(seconds=seconds))
            site.check_out(by_id[pid], rng)
        site.clock.to(local(day, 17, 30))
        if not offline:
            site.sync()
    site.clock.to(local(workdays(weeks)[-1], 18, 0))
    site.sync()  # whatever is still on the door
    for at in reports:
        report(at)


# -- the figures ---------------------------------------------------------------------------


@dataclass
class Figures:
    """One learner's (or the cohort's) 30-day figures at one moment."""

    n: int = 0  # answered checks ≥ 30 days after last seeing the word (own count)
    truth_sum: float = 0.0  # Σ p_true over them
    right: int = 0
    model_sum: float = 0.0  # Σ the model's recall chance from the card before the answer
    server_n: int = 0
    server_recall_sum: float = 0.0  # Σ recall_30d × n (recall_30d is linear in the rights)
    server_model_sum: float = 0.0
    met: int = 0
    shown: int = 0
    answered: int = 0

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def truth(self) -> float:
        return 100 * self.truth_sum / self.n if self.n else math.nan

    @property
    def own_measured(self) -> float:
        return 100 * (self.right / self.n - 0.25) / 0.75 if self.n else math.nan

    @property
    def own_model(self) -> float:
        return 100 * self.model_sum / self.n if self.n else math.nan

    @property
    def reported(self) -> float:
        return 100 * self.server_recall_sum / self.server_n if self.server_n else math.nan

    @property
    def model(self) -> float:
        return 100 * self.server_model_sum / self.server_n if self.server_n else math.nan

    @property
    def noise(self) -> float:
        """The guess-corrected measure's own standard error, points (binomial at truth)."""
        if not self.n:
            return math.nan
        p = self.truth_sum / self.n
        q = p + (1 - p) / CHOICES
        return 100 * math.sqrt(q * (1 - q) / self.n) / 0.75


def own_figures(learner: Learner, at: datetime) -> Figures:
    """The 30-day figures from what the learner did, by the definition the server uses:
    answered checks made ≥ 30 days after the learner last saw the word (a check-in on its
    day, or an earlier check, skipped ones too); the model from the card before each."""
    from server.learning.cards import Given, card_of, recall_chance

    figures = Figures()
    for check in learner.checks:
        if check.at > at or check.answer == "skipped":
            continue
        last = last_seen_before(learner.seen[check.word], check.at)
        if last is None or check.at - last < THIRTY_DAYS:
            continue
        earlier = [Given(c.at, c.answer) for c in learner.checks
                   if c.word == check.word and c.at < check.at]  # fmt: skip
        met_at = learner.seen[check.word][0]
        figures.n += 1
        figures.truth_sum += check.p_true
        figures.right += check.answer == "right"
        figures.model_sum += recall_chance(card_of(earlier), check.at, met_at=met_at)
    return figures


def server_figures(database_url: str, learner_ids: list[str], at: datetime) -> dict[str, Any]:
    """progress_of for each learner, read from the server's database."""
    from server.db import make_engine
    from server.learning.progress import progress_of  # type: ignore[import-not-found]

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {pid: progress_of(conn, pid, at) for pid in learner_ids}
    finally:
        engine.dispose()


def figures_at(database_url: str, learners: list[Learner], at: datetime) -> dict[str, Figures]:
    try:
        progress = server_figures(database_url, [p.id for p in learners], at)
    except ImportError:
        progress = {}
    out = {}
    for learner in learners:
        figures = own_figures(learner, at)
        got = progress.get(learner.id)
        if got is None:
            out[learner.id] = figures
            continue
        figures.met = got.words_met
        figures.shown = got.checks_shown
        figures.answered = got.checks_answered
        figures.server_n = got.recall_30d_checks
        if got.recall_30d_checks:
            figures.server_recall_sum = got.recall_30d * got.recall_30d_checks
            figures.server_model_sum = got.model_recall_30d * got.recall_30d_checks
        out[learner.id] = figures
    return out


def pts(value: float) -> str:
    return "    –" if math.isnan(value) else f"{value:5.1f}"


def print_figures(title: str, per_learner: dict[str, Figures], shown: int) -> Figures:
    cohort_figures = Figures()
    for figures in per_learner.values():
        cohort_figures.add(figures)
    print(f"\n{title}")
    print(f"  {'':<10} {'met':>4} {'shown':>5} {'answ':>5} {'n≥30d':>6} {'srv n':>6} "
          f"{'truth':>6} {'report':>6} {'own':>6} {'model':>6} {'own':>6} {'±noise':>6}")  # fmt: skip
    rows = [("cohort", cohort_figures)] + [
        (pid, f) for pid, f in list(per_learner.items())[:shown]
    ]
    for name, f in rows:
        print(
            f"  {name:<10} {f.met:>4} {f.shown:>5} {f.answered:>5} {f.n:>6} {f.server_n:>6} "
            f"{pts(f.truth):>6} {pts(f.reported):>6} {pts(f.own_measured):>6} "
            f"{pts(f.model):>6} {pts(f.own_model):>6} {pts(f.noise):>6}"
        )
    return cohort_figures


def verdict(cohort_figures: Figures) -> bool:
    f = cohort_figures
    print(f"\nCriteria (pooled over the cohort, n = {f.server_n} checks ≥ 30 days; "
          f"own count {f.n}; the measure's own noise ±{pts(f.noise).strip()} points, 1 s.e.)")  # fmt: skip
    ok = True
    for what, value, within in (
        ("reported 30-day recall", f.reported, REPORTED_WITHIN),
        ("model's prediction", f.model, MODEL_WITHIN),
    ):
        gap = abs(value - f.truth)
        passed = not math.isnan(gap) and gap <= within
        ok = ok and passed
        print(f"  {what:<24} {pts(value)} vs truth {pts(f.truth)}: |gap| {pts(gap)} "
              f"≤ {within:g}? {'PASS' if passed else 'FAIL'}")  # fmt: skip
    if f.n != f.server_n:
        print(f"  note: the server counts {f.server_n} checks, the simulation {f.n} "
              "by the same definition")  # fmt: skip
    if f.n and 1.96 * f.noise > REPORTED_WITHIN:
        print(f"  note: n = {f.n} is too few for a 5-point test: the guess-corrected measure "
              f"alone varies ±{1.96 * f.noise:.1f} points (95 %)")  # fmt: skip
    return ok


# -- the run -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    days = workdays(args.weeks)
    plan = word_plan(days)
    from sync.recall import word_key

    ease = ease_of_words([word_key(w) for _, w, _ in plan], rng)
    learners = cohort(args.learners, rng)
    kind = "postgresql" if args.database_url else "sqlite"
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".bench-recall-", dir=args.dir) as tmp:
        db = Database.fresh(kind, folder=Path(tmp) / "server", pg_url=args.database_url)
        try:
            db.migrate()
            clock = SimulatedTime(local(START, 7, 0))
            token = set_up(db.url, learners, plan, clock.held.wall)
            print(f"{args.learners} learners, {args.weeks} weeks from {START}, {len(plan)} "
                  f"words planned, seed {args.seed}, {kind}"
                  + (f", door offline in week {args.offline_week + 1}"
                     if 0 <= args.offline_week < args.weeks else ""))  # fmt: skip
            final: dict[str, Figures] = {}

            def report(at: datetime) -> None:
                figures = figures_at(db.url, learners, at)
                weeks_in = round((at - local(START, 0)).days / 7)
                print_figures(f"After {weeks_in} weeks ({at.date()}): 30-day recall, points",
                              figures, args.show)  # fmt: skip
                final.clear()
                final.update(figures)

            ends = [local(START + timedelta(weeks=args.weeks // 2) - timedelta(days=2), 23)] \
                if args.weeks >= 8 else []  # fmt: skip
            ends.append(local(days[-1], 23))
            with ServerThread(db.url, clock.server_now) as server:
                site = Site(Path(tmp), server.url, token, clock, args.seed)
                try:
                    simulate(site, learners, plan, ease, args.weeks, args.offline_week, rng,
                             ends, report)  # fmt: skip
                finally:
                    site.close()
        finally:
            db.drop()
    t = site.tally
    print(f"\nAt the door: {t.visits} visits, {t.check_ins} check-ins, {t.check_outs} "
          f"check-outs ({t.odd_taps} other answers), {t.checks} checks shown: {t.right} right, "
          f"{t.wrong} wrong, {t.skipped} skipped; {t.no_check} check-outs without a check")  # fmt: skip
    print(f"Sync: {t.syncs} rounds, {t.sync_failures} with a problem, "
          f"{t.sync_seconds:.1f} s in all; the run took {time.perf_counter() - began:.0f} s")  # fmt: skip
    cohort_figures = Figures()
    for figures in final.values():
        cohort_figures.add(figures)
    ok = verdict(cohort_figures)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=24)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server (a private schema is made and dropped); "
                             "default: SQLite in a temporary folder")  # fmt: skip
    parser.add_argument("--offline-week", type=int, default=8,
                        help="the week (from 0) the door does not sync; -1: never offline")  # fmt: skip
    parser.add_argument("--show", type=int, default=4, help="learners printed beside the cohort")
    parser.add_argument("--dir", type=Path, default=ROOT, help="folder for the temporary files")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
