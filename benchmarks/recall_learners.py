"""Simulated learners for bench_recall.py: who comes when, and a memory that follows a
known forgetting curve — the truth the door's recall checks are measured against.

The truth model is deliberately NOT the scheduler's (FSRS, a power-law curve whose
stability grows by its own trained formula): it is exponential forgetting with a half-life
(Ebbinghaus; the form of Duolingo's half-life regression, Settles & Meeder 2016), so the
benchmark tests the model against a memory it was not built from. Per learner and word:

    p_true(t) = 2 ** (-(t - last) / h)

- first meeting (check-in on the day it is the word of the day): h = H0 × ability × ease,
  with ability per learner and ease per word log-normal around 1;
- a check the learner truly recalls: h × GAIN (retrieval strengthens memory);
- a check not recalled (they guess; a lucky guess is still not a retrieval): the right
  picture grows and the word plays again, a restudy: h = max(h0, h × LAPSE);
- a check skipped (no touch, walked off): nothing learnt, nothing changed.

A check that is not recalled is a guess among the four pictures: right with 1/4, which is
what the server's guess correction ((p − 0.25) / 0.75) undoes on average. These
parameters were fixed before the first run and are not tuned to the result.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

H0_DAYS = 4.0  # half-life after meeting a word once (picture, sound, text at check-in)
ABILITY_SIGMA = 0.4  # log-normal spread of learners' memory
EASE_SIGMA = 0.4  # log-normal spread of words' ease
GAIN = 2.5  # a true retrieval multiplies the half-life (retrieval practice)
LAPSE = 0.5  # a failed retrieval, then shown the answer: the half-life shrinks
SKIP_SHARE = 0.10  # checks nobody touches within the time (walked off, next person)
ABSENT_SHARE = 0.10  # agreed days a learner does not come
CHOICES = 4


@dataclass
class Memory:
    """One learner's memory of one word."""

    h0: float  # days
    half_life: float  # days
    last: datetime

    def p(self, at: datetime) -> float:
        days = max(0.0, (at - self.last).total_seconds() / 86400)
        return float(2.0 ** (-days / self.half_life))


@dataclass(frozen=True)
class Check:
    """One check as the simulation saw it: the truth and what the learner did."""

    learner: str
    word: str  # word key
    at: datetime
    p_true: float
    answer: str  # "right" | "wrong" | "skipped"
    recalled: bool  # truly retrieved (a right answer may be a lucky guess)


@dataclass
class Learner:
    """A participant of the cohort: agreed weekdays, their memory of each word met."""

    id: str
    badge: str
    weekdays: tuple[int, ...]  # ISO weekday numbers, 1 = Monday
    ability: float
    h0_days: float = H0_DAYS  # the median half-life after a first meeting (--half-life)
    memory: dict[str, Memory] = field(default_factory=dict)
    # Every moment they saw a word: the check-in on its day, and every check of it.
    seen: dict[str, list[datetime]] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    def comes(self, day: date, rng: random.Random) -> bool:
        return day.isoweekday() in self.weekdays and rng.random() >= ABSENT_SHARE

    def meets(self, word: str, ease: float, at: datetime) -> None:
        """Check-in on the word's day: the word of the day is shown and read aloud."""
        self.seen.setdefault(word, []).append(at)
        known = self.memory.get(word)
        if known is None:
            h0 = self.h0_days * self.ability * ease
            self.memory[word] = Memory(h0, h0, at)
        else:  # the same word planned again: a restudy, as after a failed check
            known.half_life = max(known.h0, known.half_life * LAPSE)
            known.last = at

    def answers(self, word: str, at: datetime, rng: random.Random) -> tuple[bool, bool]:
        """A check of `word` at `at`: (touches at all, truly recalls). Updates the memory
        and the log; the caller turns "recalls" into the picture touched (a guess if not)."""
        memory = self.memory[word]
        p_true = memory.p(at)
        self.seen.setdefault(word, []).append(at)
        if rng.random() < SKIP_SHARE:
            self.checks.append(Check(self.id, word, at, p_true, "skipped", False))
            return False, False
        recalled = rng.random() < p_true
        if recalled:
            memory.half_life *= GAIN
        else:
            memory.half_life = max(memory.h0, memory.half_life * LAPSE)
        memory.last = at
        return True, recalled

    def record(self, word: str, at: datetime, answer: str, recalled: bool, p_true: float) -> None:
        self.checks.append(Check(self.id, word, at, p_true, answer, recalled))


def cohort(count: int, rng: random.Random, h0_days: float = H0_DAYS) -> list[Learner]:
    """`count` learners, half on two agreed weekdays and half on three (2.5 a week)."""
    people = []
    for n in range(count):
        days = 2 if n % 2 == 0 else 3
        weekdays = tuple(sorted(rng.sample(range(1, 6), days)))
        ability = math.exp(rng.gauss(0.0, ABILITY_SIGMA))
        people.append(Learner(f"p-{n:03d}", f"04{0xA00000 + n:06X}", weekdays, ability, h0_days))
    return people


def ease_of_words(keys: list[str], rng: random.Random) -> dict[str, float]:
    return {key: math.exp(rng.gauss(0.0, EASE_SIGMA)) for key in keys}


def response_ms(recalled: bool, rng: random.Random) -> int:
    """How long the touch took: a known word quickly, a guess slower; within the 5 s."""
    median = 1600 if recalled else 2800
    return int(min(4900, max(300, rng.lognormvariate(math.log(median), 0.35))))


def last_seen_before(seen: list[datetime], at: datetime) -> datetime | None:
    earlier = [s for s in seen if s < at]
    return max(earlier) if earlier else None


DAY = timedelta(days=1)
