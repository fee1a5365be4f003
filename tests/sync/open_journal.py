"""Open a journal the moment the parent says go, as `prikklok kiosk` and `prikklok sync`
do on first boot; print OK, or the error in one line.

Run as a child process by test_journal_first_boot.py, two at a time on one new path.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sync.journal import Journal


def main(path: str, kiosk_id: str) -> int:
    print("READY", flush=True)
    sys.stdin.readline()  # the parent releases both children together
    try:
        with Journal(Path(path), kiosk_id=kiosk_id) as journal:
            journal.last_seq()
    except Exception as error:  # the test reports whatever went wrong, in one line
        print(f"FAILED {type(error).__name__}: {error}", flush=True)
        return 1
    print("OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
