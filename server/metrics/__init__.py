"""The server's figures for Prometheus: `GET /metrics` (docs/admin/metrics.md).

Counted as they happen (`tallies.py`: pushes, records, request times, database errors,
failed logins; summed over the workers by `processes.py`), or read from the database when
Prometheus asks (`kiosk_figures.py`: kiosks by state, their queues); who may ask is
`scrape_access.py`, the answer is put together in `exposition.py`.
"""
