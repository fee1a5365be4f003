"""Attendance: sessions from taps, presence, today on the floor, summaries and history,
the calendar picture."""
