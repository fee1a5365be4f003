"""The forgetting curve the coach's model PREDICTS with, calibrated on a site's own answers
(issue 16, docs/learning.md "The model's prediction"). Pure Python.

The schedule (server/learning/cards.py) keeps FSRS-6's default parameters, as the issue
requires. But the default curve is made for flash cards that adults rate themselves; at a
door a participant sees the word of the day once and is later asked it among four
pictures, and the default curve (decay 0.154) cannot even say that a word seen once is
mostly gone after a month. So the *prediction* fits three numbers of FSRS-6 to the site's
answered checks:

- the decay, parameters[20]: how the curve bends (the FSRS family runs from a flat power
  law, FSRS-6's 0.154, through FSRS-4.5's 0.5, towards an exponential as the decay grows;
  the grid goes past py-fsrs's optimiser bound 0.8 because a picture seen once may well
  fade exponentially, as the exponential models of forgetting say);
- a scale on the initial stabilities, parameters[0..3]: how long a first meeting or a
  first answer lasts;
- a growth factor on e^parameters[8]: how much a right answer lengthens the stability.

All else is FSRS-6's default and its updates are py-fsrs's (no learning steps):

- **The meeting is the card's first "review"**: checking in on the word's day shows and
  plays the word once. That is modelled as an exposure with *Again*'s initial stability
  and difficulty (a presentation without a retrieval, as after a miss) — in the fit and in
  the prediction alike; a later meeting of the same word again as an Again.
- **Guessing is built in**: a check shows four pictures, so a learner who recalls nothing
  is right one time in four: P(right) = g + (1 − g)·R with g = 1/CHOICES in the
  likelihood; and a right answer is a Good only as likely as it was a true recall: the
  stability after it is q·S(Good) + (1 − q)·S(Again), q = R / (g + (1 − g)·R). A wrong
  answer is an Again, a skip nothing.
- **Maximum likelihood on a fixed grid** of decay × scale × growth, refined by a parabola
  along each; the log-likelihood is summed per day, so one pass per grid point gives the
  fit on the answers before *any* day (`SiteFit.curve_before`): the prediction for a
  check is made from the answers before its day, never from itself or later ones.
- Below MIN_ANSWERS answered checks the default parameters are used (`Curve.answers` 0).
  An answer counts when it has something to be predicted from: a meeting of the word or
  an answer before it (the first answer to a word never met starts its card, as in FSRS).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fsrs.scheduler import DEFAULT_PARAMETERS

from sync.recall import CHOICES

GUESS = 1 / CHOICES
# Fewer answered checks than this at a site: the default parameters. Three numbers from
# right/wrong answers a quarter of which are guesses: a few hundred answers pin the curve
# within a grid step (tests/server/test_calibration.py recovers it from ~3000).
MIN_ANSWERS = 200
# Log-spaced, a factor 2.5 to 4 apart (150 passes over the answers: the whole cost of a
# fit; a coarser 5 × 5 × 4 was twice as fast but missed a known curve by 8 points); the
# fit refines between grid points. The default (0.154, 1, 1) lies inside.
DECAYS = (0.1, 0.25, 0.6, 1.5, 4.0, 10.0)
SCALES = (0.25, 1.0, 4.0, 16.0, 64.0)
GROWTHS = (0.03, 0.1, 0.3, 1.0, 3.0)
MEET, RIGHT, WRONG = 0, 1, 2
W = DEFAULT_PARAMETERS


@dataclass(frozen=True)
class Curve:
    """The prediction's parameters: FSRS-6's default but these three."""

    decay: float = W[20]
    scale: float = 1.0
    growth: float = 1.0  # × e^parameters[8]: how much a right answer lengthens stability
    answers: int = 0  # answered checks fitted on; 0: the defaults

    @property
    def fitted(self) -> bool:
        return self.answers > 0


DEFAULT = Curve()


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: int  # MEET, RIGHT or WRONG (a skip is no event: nothing learnt about memory)


def _initial_difficulty(kind: int) -> float:
    rating = 1 if kind in (MEET, WRONG) else 3
    return min(10.0, max(1.0, W[4] - math.exp(W[5] * (rating - 1)) + 1))


def _next_difficulty(d: float, kind: int) -> float:
    rating = 3 if kind == RIGHT else 1
    easy = W[4] - math.exp(W[5] * 3) + 1
    moved = d + (10.0 - d) * (-(W[6] * (rating - 3))) / 9.0
    return min(10.0, max(1.0, W[7] * easy + (1 - W[7]) * moved))


@dataclass(frozen=True)
class Steps:
    """One card's history, prepared: whole days since the event before (FSRS counts whole
    days), the kinds, and the difficulty after each (which the fitted numbers leave alone)."""

    gaps: tuple[int, ...]
    kinds: tuple[int, ...]
    difficulties: tuple[float, ...]
    days: tuple[date, ...]  # the UTC day of each event
    # Per event, the two factors of the next update that rest on the difficulty after it:
    # e^w8·(11 − D) for a right answer's stability, w11·D^−w12 for a lapse's.
    costs: tuple[tuple[float, float], ...]


def steps_of(events: Sequence[Event]) -> Steps:
    ordered = sorted(events, key=lambda e: e.at)
    gaps, difficulties = [], []
    d = 0.0
    for n, event in enumerate(ordered):
        gaps.append(0 if n == 0 else (event.at - ordered[n - 1].at).days)
        d = _initial_difficulty(event.kind) if n == 0 else _next_difficulty(d, event.kind)
        difficulties.append(d)
    kinds = tuple(e.kind for e in ordered)
    costs = [(math.exp(W[8]) * (11 - d), W[11] * d ** -W[12]) for d in difficulties]
    return Steps(
        tuple(gaps), kinds, tuple(difficulties), tuple(e.at.date() for e in ordered),
        tuple(costs),
    )  # fmt: skip


def _walk(steps: Steps, curve: Curve) -> Iterable[tuple[int, float, float]]:
    """(index, R before the event, stability after it) along the card, as FSRS-6 with this
    curve computes them (py-fsrs's formulas, State.Review, no learning steps)."""
    decay = -curve.decay
    factor = 0.9 ** (1 / decay) - 1
    short = math.exp(W[17] * W[18])
    s = 0.0
    for n, kind in enumerate(steps.kinds):
        if n == 0:
            s = max(0.001, curve.scale * W[0 if kind in (MEET, WRONG) else 2])
            yield n, 1.0, s
            continue
        gap = steps.gaps[n]
        r = (1 + factor * gap / s) ** decay
        d = steps.difficulties[n - 1]
        if gap < 1:  # the same day: FSRS's short-term stability
            grow = math.exp(W[17] * ((3 if kind == RIGHT else 1) - 3 + W[18])) * s ** -W[19]
            s = s * (max(grow, 1.0) if kind == RIGHT else grow)
        else:
            lapse = W[11] * d ** -W[12] * ((s + 1) ** W[13] - 1) * math.exp((1 - r) * W[14])
            lapse = min(lapse, s / short)
            if kind == RIGHT:
                boost = curve.growth * math.exp(W[8]) * (11 - d) * s ** -W[9]
                good = s * (1 + boost * (math.exp((1 - r) * W[10]) - 1))
                recalled = r / (GUESS + (1 - GUESS) * r)
                s = recalled * good + (1 - recalled) * lapse
            else:
                s = lapse
        s = max(0.001, s)
        yield n, r, s


def chance(events: Sequence[Event], at: datetime, curve: Curve) -> float:
    """The curve's probability that the word is recalled at `at`, after these events (all
    before `at`); 0 without any."""
    if not events:
        return 0.0
    *_, (_, _, s) = _walk(steps_of(events), curve)
    last = max(e.at for e in events)
    days = max(0, (at - last).days)
    return float((1 + (0.9 ** (-1 / curve.decay) - 1) * days / s) ** -curve.decay)


def _log_likelihoods(
    cards: Sequence[tuple[Steps, list[int]]], curve: Curve, days: int
) -> list[float]:
    """Σ log P(answer), with guessing, per day (each card's events' day numbers beside it,
    `days` of them). The same formulas as `_walk`, written out flat: this loop is the whole
    cost of a fit."""
    decay = -curve.decay
    factor = 0.9 ** (1 / decay) - 1
    short = math.exp(W[17] * W[18])
    grow_right = math.exp(W[17] * W[18])  # × s ** -W[19], at least 1
    grow_wrong = math.exp(W[17] * (-2 + W[18]))
    first_again, first_good = curve.scale * W[0], curve.scale * W[2]
    w9, w10, w13, w14, w19 = W[9], W[10], W[13], W[14], W[19]
    growth = curve.growth
    exp, log = math.exp, math.log
    guess, known = GUESS, 1 - GUESS
    sums = [0.0] * days
    for steps, slots in cards:
        kinds, gaps, costs = steps.kinds, steps.gaps, steps.costs
        s = max(0.001, first_good if kinds[0] == RIGHT else first_again)
        for n in range(1, len(kinds)):
            kind, gap = kinds[n], gaps[n]
            r = (1 + factor * gap / s) ** decay
            p = guess + known * r
            if kind == RIGHT:
                sums[slots[n]] += log(p if r < 0.999 else guess + known * 0.999)
            elif kind == WRONG:
                sums[slots[n]] += log(1 - p if r < 0.999 else known * 0.001)
            if gap < 1:
                if kind == RIGHT:
                    s *= max(1.0, grow_right * s**-w19)
                else:
                    s *= grow_wrong * s**-w19
            else:
                d_cost, lapse_cost = costs[n - 1]
                forgot = 1 - r
                lapse = lapse_cost * ((s + 1) ** w13 - 1) * exp(forgot * w14)
                if lapse > s / short:
                    lapse = s / short
                if kind == RIGHT:
                    good = s * (1 + growth * d_cost * s**-w9 * (exp(forgot * w10) - 1))
                    recalled = r / p
                    s = recalled * good + (1 - recalled) * lapse
                else:
                    s = lapse
            if s < 0.001:
                s = 0.001
    return sums


@dataclass(frozen=True)
class SiteFit:
    """The best curve on the answers before each day with answers (and the day after the
    last), from one pass per grid point."""

    days: tuple[date, ...]  # ascending: a fit made on the answers before this day
    curves: tuple[Curve, ...]

    def curve_before(self, day: date) -> Curve:
        """The fit on the site's answers before `day` (the default below MIN_ANSWERS)."""
        n = bisect.bisect_right(self.days, day) - 1
        return self.curves[n] if n >= 0 else DEFAULT


def fit_site(cards: Iterable[Sequence[Event]], *, minimum: int = MIN_ANSWERS) -> SiteFit:
    """Fit the decay and the initial-stability scale by maximum likelihood on the answers
    before each day. `cards`: each (participant, word)'s meetings and answers. A coarse
    grid (log-spaced), then a quadratic through the best point's neighbours in each
    direction for the finer estimate."""
    # A card never answered adds nothing to the likelihood: leave it out of the passes.
    prepared = [steps_of(events) for events in cards if any(e.kind != MEET for e in events)]
    counts: dict[date, int] = {}
    for steps in prepared:
        for n in range(1, len(steps.kinds)):
            if steps.kinds[n] != MEET:
                counts[steps.days[n]] = counts.get(steps.days[n], 0) + 1
    answer_days = sorted(counts)
    day_index = {day: n for n, day in enumerate(answer_days)}
    for steps in prepared:  # an answer first (no meeting known) is never a day of its own
        for day in steps.days:
            day_index.setdefault(day, len(day_index))
    slotted = [(steps, [day_index[day] for day in steps.days]) for steps in prepared]
    tables = {
        (i, j, k): _log_likelihoods(slotted, Curve(decay, scale, growth), len(day_index))
        for i, decay in enumerate(DECAYS)
        for j, scale in enumerate(SCALES)
        for k, growth in enumerate(GROWTHS)
    }
    days: list[date] = []
    curves: list[Curve] = []
    totals = dict.fromkeys(tables, 0.0)
    answers = 0
    for n, day in enumerate(answer_days):
        for key, table in tables.items():
            totals[key] += table[n]
        answers += counts[day]
        if answers < minimum:
            continue
        days.append(day.fromordinal(day.toordinal() + 1))  # holds from the next day on
        curves.append(_best(totals, answers))
    return SiteFit(tuple(days), tuple(curves))


def _best(totals: dict[tuple[int, int, int], float], answers: int) -> Curve:
    i, j, k = max(totals, key=lambda key: totals[key])
    decay = _refine(DECAYS, i, [totals.get((i + n, j, k)) for n in (-1, 0, 1)])
    scale = _refine(SCALES, j, [totals.get((i, j + n, k)) for n in (-1, 0, 1)])
    growth = _refine(GROWTHS, k, [totals.get((i, j, k + n)) for n in (-1, 0, 1)])
    return Curve(decay, scale, growth, answers)


def _refine(grid: Sequence[float], at: int, values: list[float | None]) -> float:
    """The top of the parabola through the log-likelihood at the best grid point and its
    two neighbours (in log parameter), kept within them; the grid point at an edge."""
    low, mid, high = values
    if low is None or high is None or mid is None:
        return grid[at]
    bend = low - 2 * mid + high
    if bend >= 0:
        return grid[at]
    offset = max(-1.0, min(1.0, 0.5 * (low - high) / bend))  # in grid steps
    step = math.log(grid[at + 1] / grid[at]) if offset > 0 else math.log(grid[at] / grid[at - 1])
    return grid[at] * math.exp(offset * step)
