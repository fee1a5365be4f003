"""The 30-day figures of bench_recall.py: the server's (server.learning.progress), the
simulated truth for the same checks, and the same measure computed from what the simulated
learners did; printed side by side, and the criteria.

The checks: answered recall checks made 30 days or more after the learner last saw the
word (a check-in on its day, or an earlier check, skipped ones too). The truth: the mean
true recall probability at those checks, which the guess-corrected share right
((p − 0.25) / 0.75) estimates; the model: FSRS's recall chance from the card before each
answer (server.learning.cards).
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
    server_recall_sum: float = 0.0  # Σ recall_30d × n (recall_30d is linear in the rights)
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
        earlier = [
            Given(c.at, c.answer)
            for c in learner.checks
            if c.word == check.word and c.at < check.at
        ]
        card = card_of(earlier)
        chance = recall_chance(card, check.at, met_at=learner.seen[check.word][0])
        figures.n += 1
        figures.truth_sum += check.p_true
        figures.right += check.answer == "right"
        figures.model_sum += chance
        if card is None:
            figures.first_n += 1
            figures.first_truth_sum += check.p_true
            figures.first_right += check.answer == "right"
            figures.first_model_sum += chance
    return figures


def server_figures(database_url: str, learner_ids: list[str], at: datetime) -> dict[str, Any]:
    """progress_of for each learner, read from the server's database."""
    from server.learning.progress import progress_of  # type: ignore[import-not-found]

    from server.db import make_engine

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
    print(
        f"  {'':<10} {'met':>4} {'shown':>5} {'answ':>5} {'n≥30d':>6} {'srv n':>6} "
        f"{'truth':>6} {'report':>6} {'own':>6} {'model':>6} {'own':>6} {'±noise':>6}"
    )
    rows = [("cohort", cohort_figures)] + [(pid, f) for pid, f in list(per_learner.items())[:shown]]
    for name, f in rows:
        print(
            f"  {name:<10} {f.met:>4} {f.shown:>5} {f.answered:>5} {f.n:>6} {f.server_n:>6} "
            f"{pts(f.truth):>6} {pts(f.reported):>6} {pts(f.own_measured):>6} "
            f"{pts(f.model):>6} {pts(f.own_model):>6} {pts(f.noise):>6}"
        )
    print(f"  cohort, own figures: {cohort_figures.split()}")
    return cohort_figures


def verdict(cohort_figures: Figures) -> bool:
    f = cohort_figures
    print(
        f"\nCriteria (pooled over the cohort, n = {f.server_n} checks ≥ 30 days; "
        f"own count {f.n}; the measure's own noise ±{pts(f.noise).strip()} points, 1 s.e.)"
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
            f"  {what:<24} {pts(value)} vs truth {pts(f.truth)}: |gap| {pts(gap)} "
            f"≤ {within:g}? {'PASS' if passed else 'FAIL'}"
        )
    if f.n != f.server_n:
        print(
            f"  note: the server counts {f.server_n} checks, the simulation {f.n} "
            "by the same definition"
        )
    if f.n and 1.96 * f.noise > REPORTED_WITHIN:
        print(
            f"  note: n = {f.n} is too few for a 5-point test: the guess-corrected measure "
            f"alone varies ±{1.96 * f.noise:.1f} points (95 %)"
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
