"""The kiosks' side: ingest of pushed taps, enrolment, heartbeats, honest time, the snapshot
pulled by a door, kiosk tokens, each kiosk's status, a site's doors and the badges handed
out from the staff pages."""
