"""Every sentence the kiosk screen shows, as a gettext msgid.

The msgids are English so a translator without Dutch can work from them; the kiosk still
*shows* Dutch first (see kiosk.language). Placeholders are `{named}` for str.format, and
translations must keep them exactly. `N_` marks the strings for
`pybabel extract -k N_` without translating at import time.

Two groups:
- PARTICIPANT: shown below the Dutch in the participant's own language, so every catalogue
  must translate them (tests check all eight).
- KIOSK: the kiosk's chrome and the supervisors' screens, Dutch and English only.
"""

from __future__ import annotations


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; returns it unchanged."""
    return msgid


# -- Participant screens: every screen a participant can meet -------------------------------
WELCOME = N_("Welcome, {name}!")
BIRTHDAY = N_("Happy birthday, {name}!")
CHECKED_IN_AT = N_("You checked in at {time}.")
TASKS_TODAY = N_("Your tasks today")
NO_TASKS = N_("Your supervisor will tell you your tasks.")
WORD_OF_THE_DAY = N_("Word of the day")
LISTEN = N_("Listen")
LUNCH_QUESTION = N_("Will you eat with us?")
YES = N_("Yes")
NO = N_("No")
GOODBYE = N_("Goodbye, {name}!")
WORKED_TODAY = N_("You worked {duration} today.")
SEE_YOU_TOMORROW = N_("See you tomorrow!")
SEE_YOU_ON = N_("See you on {weekday}!")
SEE_YOU_SOON = N_("See you soon!")
TOO_SOON = N_("You checked in at {time}. Do you want to leave?")
YES_LEAVING = N_("Yes, I am leaving")
NO_STAYING = N_("No, I am staying")
YOU_STAY = N_("You stay checked in.")
FORGOT_CHECKOUT = N_("You did not check out on {date}.")
TELL_SUPERVISOR = N_("Please tell your supervisor.")
UNKNOWN_BADGE = N_("We do not know this badge.")
ASK_SUPERVISOR = N_("Please ask your supervisor.")
BADGE_NOT_USABLE = N_("This badge cannot be used.")
PROGRAM_NOT_STARTED = N_("Your program has not started yet.")
PROGRAM_ENDED = N_("Your program has ended.")
BADGE_REVOKED = N_("This badge is no longer valid.")
NOT_ACTIVE = N_("You are not active at the moment.")
READER_PROBLEM = N_("The badge reader is not working.")
SOMETHING_WENT_WRONG = N_("Something went wrong.")
TAP_AGAIN = N_("Please tap your badge again.")
NOT_SAVED = N_("Your tap was not saved.")
GO_TO_SUPERVISOR = N_("Please go to your supervisor now.")
DURATION = N_("{hours} h {minutes} min")
TAP_YOUR_BADGE = N_("Tap your badge")
# What a participant tells the door themselves (issue 15, sync.own_say).
LEAVE_REASON_QUESTION = N_("Why are you leaving early?")
REASON_OFFICE = N_("Municipality or IND")
REASON_DOCTOR = N_("Doctor or ill")
REASON_CHILDREN = N_("Children or school")
REASON_TRANSPORT = N_("Transport")
REASON_OTHER = N_("Something else")
LEFT_WHEN = N_("What time did you leave on {date}?")
DONT_KNOW = N_("I don't know")
NOT_COMING = N_("I will not come on …")
WHICH_DAY = N_("Which day will you not come?")
WHY_NOT_COMING = N_("Why will you not come?")
ALREADY_SAID = N_("Already said")
NOTED = N_("Thank you. Your supervisor will see it.")
NEXT_TIME = N_("Next time: {date}")
# The words of the recall check (issue 16): "mijn woorden" after their own tap.
MY_WORDS = N_("My words")
WORDS_KNOWN = N_("You know {known} of {met} words")

# -- Kiosk chrome and supervisor screens ----------------------------------------------------
PRESENT_COUNT = N_("Present: {count}")
ONLINE = N_("Online")
OFFLINE = N_("Offline")
RECORDS_WAITING = N_("{count} records waiting")
SUPERVISOR = N_("Supervisor")
PRESENT_NOW = N_("Present now")
EVACUATION_LIST = N_("Evacuation list")
EVERYONE_INSIDE = N_("Everyone inside: {count}")
PARTICIPANTS = N_("Participants")
SUPERVISORS = N_("Supervisors")
NOBODY_INSIDE = N_("Nobody is inside.")
CHECK_IN = N_("Check in")
CHECK_OUT = N_("Check out")
MANUAL = N_("by hand")
ENROL_BADGE = N_("Enrol a badge")
TAP_NEW_BADGE = N_("Tap the new badge now")
CHOOSE_PARTICIPANT = N_("Choose the participant")
BADGE_TAKEN = N_("This badge already belongs to {name}.")
BADGE_ENROLLED = N_("Badge enrolled for {name}.")
CHECK_EVERYONE_OUT = N_("Check everyone out")
CONFIRM_CHECK_EVERYONE_OUT = N_("Check out everyone still inside?")
CHECKED_EVERYONE_OUT = N_("{count} checked out.")
LUNCH_TODAY = N_("Lunch today: {count}")
SYNC_STATUS = N_("Sync status")
LAST_CONTACT = N_("Last contact: {time}")
NEVER = N_("never")
CLOCK_SYNCED = N_("Clock synchronised")
CLOCK_NOT_SYNCED = N_("Clock not synchronised")
READER_STATUS = N_("Reader: {state}")
READER_OK = N_("working")
READER_DEGRADED = N_("faltering")
READER_ABSENT = N_("not found")
KIOSK_ID = N_("Kiosk: {kiosk}")
CLOSE = N_("Close")
BACK = N_("Back")
CANCEL = N_("Cancel")
CONFIRM = N_("Confirm")
SINCE = N_("since {time}")
TAP_AGAIN_TO_LEAVE = N_("To leave, tap your badge again.")
DOOR_READY = N_("Door ready ({reader}); inside: {count}.")
TAPS_NOT_SAVED = N_("Taps are not being saved: {cause}")
DISK_FULL = N_("disk full")
JOURNAL_READ_ONLY = N_("journal read-only")
JOURNAL_WRITE_FAILED = N_("journal write error")
RESERVE_IN_USE = N_("Disk full: taps use the reserve")
DISK_FREE = N_("Disk: {free} free ({share})")
MADE_AT = N_("made at {time}")
SEEN_COUNT = N_("{seen} of {count} seen")

PARTICIPANT: tuple[str, ...] = (
    WELCOME, BIRTHDAY, CHECKED_IN_AT, TASKS_TODAY, NO_TASKS, WORD_OF_THE_DAY, LISTEN,
    LUNCH_QUESTION, YES, NO, GOODBYE, WORKED_TODAY, SEE_YOU_TOMORROW, SEE_YOU_ON,
    SEE_YOU_SOON, TOO_SOON, YES_LEAVING, NO_STAYING, YOU_STAY, FORGOT_CHECKOUT,
    TELL_SUPERVISOR, UNKNOWN_BADGE, ASK_SUPERVISOR, BADGE_NOT_USABLE, PROGRAM_NOT_STARTED,
    PROGRAM_ENDED, BADGE_REVOKED, NOT_ACTIVE, READER_PROBLEM, SOMETHING_WENT_WRONG, TAP_AGAIN,
    DURATION, TAP_YOUR_BADGE, NOT_SAVED, GO_TO_SUPERVISOR,
    LEAVE_REASON_QUESTION, REASON_OFFICE, REASON_DOCTOR, REASON_CHILDREN, REASON_TRANSPORT,
    REASON_OTHER, LEFT_WHEN, DONT_KNOW, NOT_COMING, WHICH_DAY, WHY_NOT_COMING, ALREADY_SAID,
    NOTED, NEXT_TIME, MY_WORDS, WORDS_KNOWN,
)  # fmt: skip

KIOSK: tuple[str, ...] = (
    PRESENT_COUNT, ONLINE, OFFLINE, RECORDS_WAITING, SUPERVISOR, PRESENT_NOW,
    EVACUATION_LIST, EVERYONE_INSIDE, PARTICIPANTS, SUPERVISORS, NOBODY_INSIDE, CHECK_IN,
    CHECK_OUT, MANUAL, ENROL_BADGE, TAP_NEW_BADGE, CHOOSE_PARTICIPANT, BADGE_TAKEN,
    BADGE_ENROLLED, CHECK_EVERYONE_OUT, CONFIRM_CHECK_EVERYONE_OUT, CHECKED_EVERYONE_OUT,
    LUNCH_TODAY, SYNC_STATUS, LAST_CONTACT, NEVER, CLOCK_SYNCED, CLOCK_NOT_SYNCED,
    READER_STATUS, READER_OK, READER_DEGRADED, READER_ABSENT, KIOSK_ID, CLOSE, BACK, CANCEL,
    CONFIRM, SINCE, TAP_AGAIN_TO_LEAVE, DOOR_READY, TAPS_NOT_SAVED, DISK_FULL,
    JOURNAL_READ_ONLY, JOURNAL_WRITE_FAILED, RESERVE_IN_USE, DISK_FREE, MADE_AT, SEEN_COUNT,
)  # fmt: skip
