"""The prediction's forgetting curve, calibrated per site (server/learning/calibration.py):
FSRS-6's formulas, a meeting as the card's first exposure, guessing in the likelihood;
recovers the curve that made the answers; the default below MIN_ANSWERS; a fit never sees
the day it predicts. Plain Python."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from server.learning import calibration
from server.learning.calibration import (
    DEFAULT,
    GUESS,
    MEET,
    MIN_ANSWERS,
    RIGHT,
    WRONG,
    Curve,
    Event,
    chance,
    fit_site,
)

FSRS = Scheduler(desired_retention=0.85, learning_steps=(), relearning_steps=(),
                 enable_fuzzing=False)  # fmt: skip
START = datetime(2027, 1, 4, 8, 45, tzinfo=UTC)


def days(n: float) -> datetime:
    return START + timedelta(days=n)


def fsrs_card(*reviews: tuple[datetime, Rating]) -> Card:
    card = Card(card_id=1, due=reviews[0][0])
    for when, rating in reviews:
        card, _ = FSRS.review_card(card, rating, when)
    return card


def test_the_default_curve_is_fsrs_with_the_meeting_as_an_again() -> None:
    """A word met on day 0 and missed on days 3 and 12: py-fsrs's card of Again, Again,
    Again, to the digit, on the days after."""
    history = [Event(days(0), MEET), Event(days(3), WRONG), Event(days(12), WRONG)]
    card = fsrs_card((days(0), Rating.Again), (days(3), Rating.Again), (days(12), Rating.Again))
    for later in (12.5, 13, 20, 45, 100):
        assert chance(history, days(later), DEFAULT) == pytest.approx(
            FSRS.get_card_retrievability(card, days(later)), abs=1e-12
        )
    # Never answered: the meeting alone, Again's first stability (0.212 days), not Good's.
    met = fsrs_card((days(0), Rating.Again))
    assert chance([Event(days(0), MEET)], days(30), DEFAULT) == pytest.approx(
        FSRS.get_card_retrievability(met, days(30))
    )
    assert chance([Event(days(0), MEET)], days(30), DEFAULT) < 0.5
    assert chance([], days(30), DEFAULT) == 0.0


def test_a_right_answer_counts_as_recalled_only_as_likely_as_it_was() -> None:
    """Right 20 days after meeting (R low): mostly a lucky guess, so the stability after it
    is the mix of Good's and Again's by the chance it was a true recall."""
    met = fsrs_card((days(0), Rating.Again))
    r = FSRS.get_card_retrievability(met, days(20))
    recalled = r / (GUESS + (1 - GUESS) * r)
    good = fsrs_card((days(0), Rating.Again), (days(20), Rating.Good)).stability
    again = fsrs_card((days(0), Rating.Again), (days(20), Rating.Again)).stability
    assert good is not None and again is not None
    stability = recalled * good + (1 - recalled) * again
    factor = 0.9 ** (-1 / DEFAULT.decay) - 1
    expected = (1 + factor * 30 / stability) ** -DEFAULT.decay
    got = chance([Event(days(0), MEET), Event(days(20), RIGHT)], days(50), DEFAULT)
    assert got == pytest.approx(expected)
    as_good = FSRS.get_card_retrievability(
        fsrs_card((days(0), Rating.Again), (days(20), Rating.Good)), days(50)
    )
    assert got < as_good - 0.01  # a guess is not a Good (the default curve is flat: little)


def simulate(truth: Curve, learners: int, words: int, seed: int) -> list[list[Event]]:
    """Each learner meets `words` words on random days and is asked each one to four times
    at a spread of gaps; they recall with the truth curve's chance, else guess (1 in 4)."""
    rng = random.Random(seed)
    cards = []
    for _ in range(learners):
        for _ in range(words):
            when = days(rng.randint(0, 120))
            history = [Event(when, MEET)]
            for _ in range(rng.randint(1, 4)):
                when += timedelta(days=rng.choice((1, 2, 4, 7, 14, 30, 45)), hours=7)
                right = rng.random() < GUESS + (1 - GUESS) * chance(history, when, truth)
                history.append(Event(when, RIGHT if right else WRONG))
            cards.append(history)
    return cards


@pytest.mark.parametrize(
    "truth", [Curve(0.6, 4.0, 0.3), Curve(2.0, 1.5, 0.1), Curve(0.25, 12.0, 1.0)]
)
def test_recovers_the_curve_that_made_the_answers(truth: Curve) -> None:
    cards = simulate(truth, learners=30, words=40, seed=7)
    fitted = fit_site(cards).curve_before(days(400).date())
    assert fitted.answers == sum(e.kind != MEET for c in cards for e in c) > 2500
    # The curve it predicts with: within 6 points of the truth's for a word met once, and
    # for one met and then answered right or wrong, at 1 to 60 days.
    for history in ([Event(days(0), MEET)],
                    [Event(days(0), MEET), Event(days(7), RIGHT)],
                    [Event(days(0), MEET), Event(days(7), WRONG)]):  # fmt: skip
        for later in (1, 7, 30, 60):
            at = history[-1].at + timedelta(days=later)
            assert chance(history, at, fitted) == pytest.approx(
                chance(history, at, truth), abs=0.06
            )
    # And the numbers themselves, within a grid step.
    assert truth.decay / 2 < fitted.decay < truth.decay * 2
    assert truth.scale / 3 < fitted.scale < truth.scale * 3
    # The default curve is far off for all three, so the fit is not the default's echo.
    met = [Event(days(0), MEET)]
    assert abs(chance(met, days(30), DEFAULT) - chance(met, days(30), truth)) > 0.1


def test_the_default_below_the_minimum_and_a_fit_from_the_day_after_it() -> None:
    cards = simulate(Curve(2.0, 1.5, 0.1), learners=30, words=40, seed=8)
    answers = sorted(e.at for c in cards for e in c if e.kind != MEET)
    fit = fit_site(cards)
    # The day the MIN_ANSWERS-th answer was given: still the default on it, fitted after.
    reached = answers[MIN_ANSWERS - 1].date()
    assert fit.curve_before(reached) == DEFAULT and not fit.curve_before(reached).fitted
    after = fit.curve_before(reached + timedelta(days=1))
    before_then = sum(a.date() <= reached for a in answers)
    assert after.fitted and after.answers == before_then >= MIN_ANSWERS
    # A site with fewer answers than the minimum never leaves the default.
    few = simulate(Curve(2.0, 1.5, 0.1), learners=3, words=20, seed=9)
    assert sum(e.kind != MEET for c in few for e in c) < MIN_ANSWERS
    assert fit_site(few).curve_before(days(400).date()) == DEFAULT


def test_a_fit_never_sees_the_day_it_is_for() -> None:
    """Turning every answer of one day and later into its opposite leaves the fit for that
    day as it was, and changes the one for the day after."""
    cards = simulate(Curve(0.6, 4.0, 0.3), learners=30, words=40, seed=10)
    day = days(90).date()
    flipped = [
        [e if e.kind == MEET or e.at.date() < day else
         Event(e.at, WRONG if e.kind == RIGHT else RIGHT) for e in c]
        for c in cards
    ]  # fmt: skip
    honest, changed = fit_site(cards), fit_site(flipped)
    assert honest.curve_before(day) == changed.curve_before(day)
    later = day + timedelta(days=30)
    assert honest.curve_before(later) != changed.curve_before(later)


def test_the_grid_reaches_past_the_default_both_ways() -> None:
    """The default decay and scale lie inside the grid, with room either side."""
    assert calibration.DECAYS[0] <= DEFAULT.decay < calibration.DECAYS[-1] / 10
    assert calibration.SCALES[0] < DEFAULT.scale < calibration.SCALES[-1]
    assert calibration.GROWTHS[0] < DEFAULT.growth < calibration.GROWTHS[-1]
