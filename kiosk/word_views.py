"""What the screens show of the words a participant has met (issue 16): the recall check
after their check-out, and "mijn woorden". Pure data, like kiosk.views: pictures and the
sound first; the only text is the Dutch word with its article, and the count of words
they know in Dutch and their own language.
"""

from __future__ import annotations

from collections.abc import Collection

from kiosk import phrases as P
from kiosk.recall import RecallCheck
from kiosk.signs import CUES, stays
from kiosk.views import MyWordsView, RecallView, Said, View, WordPicture, say
from sync.recall import Plan, word_key
from sync.roster import DoorData, WordOfTheDay

# The most pictures "mijn woorden" shows: the newest met first (the plan's order); two
# rows of six beside the answer panel, each large enough for a finger (the count is all).
MOST_WORDS = 12


def picture_of(key: str, word: WordOfTheDay, *, mark: bool = False) -> WordPicture:
    heading = f"{word.article} {word.word}" if word.article else word.word
    return WordPicture(
        key, heading, word.word, word.article, word.photo, word.pictogram, word.symbol,
        word.voice, mark,
    )  # fmt: skip


def check_view(check: RecallCheck) -> View:
    """The recall check's screen: the time it has is the check's own (kiosk.signs)."""
    choices = tuple(picture_of(word_key(w.word), w) for w in check.choices)
    recall = RecallView(check, picture_of(check.key, check.word), choices)
    return View(
        "recall",
        CUES["recall"],
        Said(recall.asked.heading),  # the Dutch word is the one to learn: no own line
        participant_id=check.participant_id,
        timeout=stays("recall"),
        recall=recall,
    )


def my_words_view(
    participant_id: str, plan: Plan, data: DoorData, lang: str | None, right: Collection[str]
) -> View:
    """ "Mijn woorden" for this participant: their plan's met words (newest first), those
    answered right at this door since the plan marked; the count is the server's."""
    pictures = []
    for key in plan.met:
        word = data.word_of(key)
        if word is not None:
            pictures.append(picture_of(key, word, mark=key in right))
        if len(pictures) == MOST_WORDS:
            break
    met = len(plan.met)
    count = say(lang, P.WORDS_KNOWN, known=str(plan.known), met=str(met))
    words = MyWordsView(tuple(pictures), plan.known, met, count)
    return View(
        "my_words",
        CUES["my_words"],
        say(lang, P.MY_WORDS),
        participant_id=participant_id,
        timeout=stays("my_words"),
        words=words,
    )


def has_words(data: DoorData, participant_id: str | None) -> bool:
    """Whether "mijn woorden" has anything to show this participant."""
    plan = data.recall.get(participant_id or "")
    return plan is not None and bool(plan.met)
