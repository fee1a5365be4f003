"""Attendance: sessions from taps, presence, who is inside now, today on the floor, one
participant's day and the supervisors' amendments to it, a site's participants, summaries
and history, what a coach reads, the calendar picture."""
