"""Demo data: a workshop with people, taps and history, for showing and benchmarking
(never imported by the server itself)."""
