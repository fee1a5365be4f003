"""The 30-day figures of bench_recall.py: the server's (server.learning.progress), the
simulated truth for the same checks, and the same measure computed from what the simulated
learners did; printed side by side, and the criteria.

The checks: answered recall checks made 30 days or more after the learner last saw the
word (a check-in on its day, or an earlier check, skipped ones too). The truth: the mean
true recall probability at those checks, which the guess-corrected share right
((p − 0.25) / 0.75) estimates; the model: FSRS's recall chance from the card before each
answer, on the curve calibrated on the site's answers before the check's day
(server.learning.calibration). The cohort's reported figure pools the server's right and
answered counts and corrects that for guessing, unbounded (each participant's figure, as
the coach sees it, is kept within 0…100, which would lift a pooled figure near 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from benchmarks.recall_learners import CHOICES, Learner, last_seen_before

THIRTY_DAYS = timedelta(days=30)
REPORTED_WITHIN = 5.0  # points: |reported 30-day recall − truth|
MODEL_WITHIN = 10.0  # points: |model's prediction − truth|


@dataclass
class Figures:
    """One learner's (or the cohort's) 30-day figures at one moment."""

    n: int = 0  # answered checks ≥ 30 days after last seeing the word (own count)
    truth_sum: float = 0.0  # Σ p_true over them
    right: int = 0
    model_sum: float = 0.0  # Σ the model's recall chance from the card before the answer
    server_n: int = 0
    server_right: int = 0  # Σ recall_30d_right
    server_recall_sum: float = 0.0  # Σ recall_30d × n (each kept within 0…1)
    server_model_sum: float = 0.0
    met: int = 0
    shown: int = 0
    answered: int = 0
    # Of the own checks, those with no answer to the word before (the model has no card
    # and falls back on a word learnt the day it was met).
    first_n: int = 0
    first_truth_sum: float = 0.0
    first_right: int = 0
    first_model_sum: float = 0.0
    # Σ n × the learner's own measure kept within 0…1, as the server reports it per
    # participant (summed over learners: what pooling the reported figures gives).
    own_kept_sum: float = 0.0

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
    def own_kept(self) -> float:
        return 100 * self.own_kept_sum / self.n if self.n else math.nan

    @property
    def own_model(self) -> float:
        return 100 * self.model_sum / self.n if self.n else math.nan

    @property
    def reported(self) -> float:
        """The server's counts pooled, corrected for guessing, not bounded."""
        if not self.server_n:
            return math.nan
        return 100 * (self.server_right / self.server_n - 0.25) / 0.75

    @property
    def reported_kept(self) -> float:
        """The per-participant figures (each within 0…100) pooled by n: the old way."""
        return 100 * self.server_recall_sum / self.server_n if self.server_n else math.nan

    @property
    def model(self) -> float:
        return 100 * self.server_model_sum / self.server_n if self.server_n else math.nan

    def split(self) -> str:
        """The own figures for first checks of a word and for later ones."""
        first = _part(self.first_n, self.first_truth_sum, self.first_right, self.first_model_sum)
        later = _part(
            self.n - self.first_n,
            self.truth_sum - self.first_truth_sum,
            self.right - self.first_right,
            self.model_sum - self.first_model_sum,
        )
        return f"first check of the word: {first}; after an answer: {later}"

    @property
    def noise(self) -> float:
        """The guess-corrected measure's own standard error, points (binomial at truth)."""
        if not self.n:
            return math.nan
        p = self.truth_sum / self.n
        q = p + (1 - p) / CHOICES
        return 100 * math.sqrt(q * (1 - q) / self.n) / 0.75


def _part(n: int, truth_sum: float, right: int, model_sum: float) -> str:
    if not n:
        return "n = 0"
    measured = 100 * (right / n - 0.25) / 0.75
    return (
        f"n = {n}, truth {100 * truth_sum / n:.1f}, measured {measured:.1f}, "
        f"model {100 * model_sum / n:.1f}"
    )


def cards_of(learners: list[Learner], at: datetime) -> dict[tuple[str, str], list[Any]]:
    """Each learner's and word's meetings and answers before `at`, as the calibration
    takes them (a skip is no event)."""
    from server.learning.calibration import MEET, RIGHT, WRONG, Event

    cards: dict[tuple[str, str], list[Any]] = {}
    for learner in learners:
        asked = {(c.word, c.at) for c in learner.checks}
        for word, times in learner.seen.items():
            for when in times:
                if when <= at and (word, when) not in asked:
                    cards.setdefault((learner.id, word), []).append(Event(when, MEET))
        for c in learner.checks:
            if c.at <= at and c.answer != "skipped":
                kind = RIGHT if c.answer == "right" else WRONG
                cards.setdefault((learner.id, c.word), []).append(Event(c.at, kind))
    return cards


def own_figures(
    learner: Learner, at: datetime, cards: dict[tuple[str, str], list[Any]], fit: Any
) -> Figures:
    """The 30-day figures from what the learner did, by the definition the server uses:
    answered checks made ≥ 30 days after the learner last saw the word (a check-in on its
    day, or an earlier check, skipped ones too); the model from the card before each, on the
    curve fitted (`fit`, a calibration.SiteFit) on the answers before the check's day."""
    from server.learning.calibration import chance as curve_chance

    figures = Figures()
    for check in learner.checks:
        if check.at > at or check.answer == "skipped":
            continue
        last = last_seen_before(learner.seen[check.word], check.at)
        if last is None or check.at - last < THIRTY_DAYS:
            continue
        earlier = [e for e in cards[(learner.id, check.word)] if e.at < check.at]
        answered_before = any(
            c.word == check.word and c.at < check.at and c.answer != "skipped"
            for c in learner.checks
        )
        chance = curve_chance(earlier, check.at, fit.curve_before(check.at.date()))
        figures.n += 1
        figures.truth_sum += check.p_true
        figures.right += check.answer == "right"
        figures.model_sum += chance
        if not answered_before:
            figures.first_n += 1
            figures.first_truth_sum += check.p_true
            figures.first_right += check.answer == "right"
            figures.first_model_sum += chance
    if figures.n:
        kept = min(1.0, max(0.0, (figures.right / figures.n - 0.25) / 0.75))
        figures.own_kept_sum = kept * figures.n
    return figures


def server_figures(database_url: str, learner_ids: list[str], at: datetime) -> dict[str, Any]:
    """progress_of for each learner, read from the server's database."""
    from server.db import make_engine
    from server.learning.progress import progress_of

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {pid: progress_of(conn, pid, at) for pid in learner_ids}
    finally:
        engine.dispose()


def figures_at(
    database_url: str, learners: list[Learner], at: datetime
) -> tuple[dict[str, Figures], int]:
    """Per learner the figures, and the answers the server's curve was fitted to (0:
    the default curve)."""
    from server.learning.calibration import fit_site

    progress = server_figures(database_url, [p.id for p in learners], at)
    cards = cards_of(learners, at)
    fit = fit_site(cards.values())
    out = {}
    fitted_on = 0
    for learner in learners:
        figures = own_figures(learner, at, cards, fit)
        got = progress[learner.id]
        figures.met = got.words_met
        figures.shown = got.checks_shown
        figures.answered = got.checks_answered
        figures.server_n = got.recall_30d_checks
        figures.server_right = got.recall_30d_right
        fitted_on = got.model_answers
        if got.recall_30d_checks:
            figures.server_recall_sum = got.recall_30d * got.recall_30d_checks
            figures.server_model_sum = got.model_recall_30d * got.recall_30d_checks
        out[learner.id] = figures
    return out, fitted_on


def pts(value: float) -> str:
    return "    –" if math.isnan(value) else f"{value:5.1f}"


LEGEND = """\
  n≥30d: answered checks 30 days or more after last seeing the word (the simulation's count);
  srv n: the same by the server (progress_of). truth: mean true recall probability at those
  checks. report: the server's right and answered counts (the cohort's pooled), corrected
  for guessing, (p − 0.25) / 0.75, not bounded; kept: the server's per-learner figures as
  the coach sees them, each within 0…100 (the cohort's: those pooled by n, the old way);
  raw: the simulation's own figure computed the same way as report. model: the server's
  prediction for those checks (the curve calibrated on the site's answers before each
  check's day); own: the same computed here. ±s.e.: the guess-corrected measure's own
  sampling error at the truth (1 standard error). All in points."""


def print_figures(title: str, per_learner: dict[str, Figures], shown: int) -> Figures:
    cohort_figures = Figures()
    for figures in per_learner.values():
        cohort_figures.add(figures)
    print(f"\n{title}")
    print(
        f"  {'':<8} {'met':>4} {'shown':>5} {'answ':>5} {'n≥30d':>5} {'srv n':>5} "
        f"{'truth':>5} {'report':>6} {'kept':>5} {'raw':>5} {'model':>5} {'own':>5} {'±s.e.':>5}"
    )
    rows = [("cohort", cohort_figures)] + [(pid, f) for pid, f in list(per_learner.items())[:shown]]
    for name, f in rows:
        print(
            f"  {name:<8} {f.met:>4} {f.shown:>5} {f.answered:>5} {f.n:>5} {f.server_n:>5} "
            f"{pts(f.truth):>5} {pts(f.reported):>6} {pts(f.reported_kept):>5} "
            f"{pts(f.own_measured):>5} {pts(f.model):>5} {pts(f.own_model):>5} {pts(f.noise):>5}"
        )
    print(f"  cohort, the simulation's own figures: {cohort_figures.split()}")
    return cohort_figures


def verdict(cohort_figures: Figures) -> bool:
    f = cohort_figures
    print(
        f"\nCriteria, pooled over the cohort: n = {f.server_n} checks ≥ 30 days by the server "
        f"({f.n} by the simulation); the guess-corrected measure's own s.e. "
        f"±{pts(f.noise).strip()} points"
    )
    ok = True
    for what, value, within in (
        ("reported 30-day recall", f.reported, REPORTED_WITHIN),
        ("model's prediction", f.model, MODEL_WITHIN),
    ):
        gap = abs(value - f.truth)
        passed = not math.isnan(gap) and gap <= within
        ok = ok and passed
        print(
            f"  {what:<23} {pts(value)} vs truth {pts(f.truth)}: |gap| {pts(gap)} "
            f"≤ {within:g}? {'PASS' if passed else 'FAIL'}"
        )
    print(
        f"  (pooling the per-learner figures kept within 0…100 instead, as before: "
        f"{pts(f.reported_kept).strip()})"
    )
    if f.n != f.server_n:
        print(
            f"  note: the server counts {f.server_n} checks, the simulation {f.n} "
            "by the same definition"
        )
    if f.n and 1.96 * f.noise > REPORTED_WITHIN:
        print(
            f"  note: n = {f.n} is few for a 5-point test: the guess-corrected measure alone "
            f"varies ±{1.96 * f.noise:.1f} points (95 %)"
        )
    return ok


GAPS = ((0, "< 1 d"), (1, "1–6 d"), (7, "7–13 d"), (14, "14–29 d"), (30, "≥ 30 d"))


def schedule_text(learners: list[Learner]) -> str:
    """How long after last seeing the word the answered checks came, and how often one
    word was checked: what decides how many 30-day checks there are to measure."""
    counts = dict.fromkeys([label for _, label in GAPS], 0)
    per_word: dict[tuple[str, str], int] = {}
    for learner in learners:
        for check in learner.checks:
            per_word[(learner.id, check.word)] = per_word.get((learner.id, check.word), 0) + 1
            if check.answer == "skipped":
                continue
            last = last_seen_before(learner.seen[check.word], check.at)
            days = (check.at - last).days if last else 0
            label = next(label for start, label in reversed(GAPS) if days >= start)
            counts[label] += 1
    met = sum(len(learner.memory) for learner in learners)
    checked = len(per_word)
    times = sorted(per_word.values())
    most = times[-1] if times else 0
    gaps = ", ".join(f"{label} {count}" for label, count in counts.items())
    return (
        f"Answered checks by time since the learner last saw the word: {gaps}\n"
        f"Words met {met}, of them checked at least once {checked}; checks per checked word: "
        f"mean {sum(times) / max(1, checked):.2f}, most {most}"
    )
