"""A participant's word card, from their recall answers: FSRS through py-fsrs (MIT), the
scheduler that predicts forgetting best on right/wrong answers alone (srs-benchmark).

Settings, all of them here (docs/learning.md says why):
- the default model parameters;
- no learning or relearning steps: minutes mean nothing at a door a participant passes
  two or three days a week, so every answer schedules in days;
- desired retention 0.85: a word is due when the model expects 85 % recall;
- no fuzzing: the same answers give the same card on every server process and in every
  test, so two doors' answers in any arrival order converge to one card.

right → Good, wrong → Again, skipped → no update. A card is rebuilt from all of the
participant's answers to the word in the order they were given (wall time), so an answer
from a door that was offline for a week lands in its place. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler

from sync.recall import RIGHT, WRONG

DESIRED_RETENTION = 0.85
SCHEDULER = Scheduler(
    desired_retention=DESIRED_RETENTION,
    learning_steps=(),
    relearning_steps=(),
    enable_fuzzing=False,
)
RATINGS = {RIGHT: Rating.Good, WRONG: Rating.Again}
# For a word met but never checked, the model's own first-day stability for a word learnt
# (Good): how likely it is still known, to order it among the due words.
FIRST_STABILITY = SCHEDULER.parameters[2]


@dataclass(frozen=True)
class Given:
    """One answer as the cards need it."""

    at: datetime  # aware
    answer: str  # sync.recall.ANSWERS


def card_of(answers: Iterable[Given]) -> Card | None:
    """The card after these answers; None if none of them was answered (all skipped)."""
    card: Card | None = None
    for given in sorted(answers, key=lambda g: g.at):
        rating = RATINGS.get(given.answer)
        if rating is None:
            continue  # skipped: asked, not answered, nothing learnt about memory
        if card is None:
            # card_id given: py-fsrs otherwise sleeps a millisecond to make one from the clock
            card = Card(card_id=1, due=given.at)
        card, _ = SCHEDULER.review_card(card, rating, given.at)
    return card


def recall_chance(card: Card | None, at: datetime, *, met_at: datetime | None = None) -> float:
    """The model's probability that the word is recalled at `at`. A word never answered:
    the forgetting curve of a word learnt when it was met (`met_at`), else 0."""
    if card is not None:
        return float(SCHEDULER.get_card_retrievability(card, at))
    if met_at is None:
        return 0.0
    days = max(0, (at - met_at).days)
    return float((1 + SCHEDULER._FACTOR * days / FIRST_STABILITY) ** SCHEDULER._DECAY)


def is_due(card: Card | None, at: datetime) -> bool:
    """A word is due when it was never answered, or its card's due time has come."""
    return card is None or card.due <= at
