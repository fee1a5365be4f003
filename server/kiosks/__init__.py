"""The kiosks' side: ingest of pushed taps, enrolment, heartbeats, honest time, the snapshot
pulled by a door, kiosk tokens and each kiosk's status."""
