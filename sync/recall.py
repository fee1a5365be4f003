"""The five-second recall check of the words of the day (issue 16), as both ends share it.

At check-out — never at check-in, never before the answer to the tap — the door plays one
word the participant has met and shows four pictures: that word and three other words they
have met. One touch answers; no touch within CHECK_SECONDS, or the next person's tap, ends it
as skipped. The answer is a journal record of its own kind, synced exactly once like a tap:

- ``word_recall``: participant_id set; detail ``{"word": KEY, "answer": ANSWER,
  "response_ms": int | None}`` — KEY is `word_key` of the Dutch word, ANSWER one of ANSWERS,
  response_ms the time from the pictures shown to the touch (None when skipped). Nothing
  more (least data, docs/privacy.md): not which pictures were shown, not which was touched.

The server is the authority on what to ask: it keeps each participant's word cards from
the answers (FSRS, server/learning/) and sends each door, in the snapshot, a `WordsPlan` per
participant (ids only: word keys). The door asks the first due word it has not had an
answer to since (its own unsynced answers, and today's, count on top of the plan).

A word's id is its key, not the planning row: the same word planned on two days, or by
two sites, is one card. Pure Python; the door process imports this (no pydantic).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WORD_RECALL = "word_recall"
KINDS = frozenset({WORD_RECALL})

RIGHT, WRONG, SKIPPED = "right", "wrong", "skipped"
ANSWERS = (RIGHT, WRONG, SKIPPED)
CHOICES = 4  # pictures shown: the word and three others the participant has met
CHECK_SECONDS = 5.0  # no touch within this → skipped
MAX_RESPONSE_MS = 60_000
# What a plan may carry per participant (sync.protocol.RecallPlan checks the same bounds).
MAX_DUE = 10
MAX_MET = 400

_SPACE = re.compile(r"\s+")
_ARTICLE = re.compile(r"^(de|het|een)\s+")


def word_key(word: str) -> str:
    """The id of a Dutch word across days and sites: lower case, spaces folded, without a
    leading article ("De  Hamer" → "hamer"). Accents stay: "één" is not "een"."""
    folded = _SPACE.sub(" ", word.strip()).casefold()
    return _ARTICLE.sub("", folded) or folded


def detail_problem(kind: str, detail: Mapping[str, Any]) -> str | None:
    """Why this record's detail cannot be kept, in words a supervisor can act on; None if
    it is sound. Only for the kinds above; other kinds are not judged here."""
    if kind not in KINDS:
        return None
    extra = sorted(set(detail) - {"word", "answer", "response_ms"})
    if extra:
        return f"word_recall: unexpected fields {extra}"
    word = detail.get("word")
    if not isinstance(word, str) or not word or len(word) > 200 or word_key(word) != word:
        return f"word_recall: word must be a word key, not {word!r}"
    answer = detail.get("answer")
    if answer not in ANSWERS:
        return f"word_recall: answer must be one of {', '.join(ANSWERS)}, not {answer!r}"
    ms = detail.get("response_ms")
    if answer == SKIPPED:
        return None if ms is None else "word_recall: a skipped check has no response time"
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 <= ms <= MAX_RESPONSE_MS:
        return f"word_recall: response_ms must be 0…{MAX_RESPONSE_MS}, not {ms!r}"
    return None


@dataclass(frozen=True)
class WordsPlan:
    """What the server asks a door to check for one participant: `due` words, the one most
    likely forgotten first; `met` every word they have met, newest first (the door draws
    the other three pictures from it, and shows it as "mijn woorden"); `known` how many of
    them they know now by the server's cards (answered right at their last check)."""

    due: tuple[str, ...] = ()
    met: tuple[str, ...] = ()
    known: int = 0

    def to_dict(self, participant_id: str) -> dict[str, Any]:
        return {
            "participant_id": participant_id,
            "due": list(self.due),
            "met": list(self.met),
            "known": self.known,
        }


def plans_from(items: Any) -> dict[str, WordsPlan]:
    """The plans of a snapshot's `recall` list (already checked by the protocol on the
    way in, or written by this door): participant id → WordsPlan. Raises ValueError."""
    if items is None:
        return {}
    if not isinstance(items, list):
        raise ValueError("recall: expected a list")
    plans: dict[str, WordsPlan] = {}
    for i, raw in enumerate(items):
        try:
            plans[str(raw["participant_id"])] = WordsPlan(
                due=tuple(str(k) for k in raw.get("due", ())),
                met=tuple(str(k) for k in raw.get("met", ())),
                known=int(raw.get("known", 0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError(f"recall[{i}]: expected participant_id, due, met, known") from None
    return plans
