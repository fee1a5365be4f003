"""Several server workers, one set of figures: prometheus-client's multiprocess mode.

Each worker writes its counts to small memory-mapped files in one directory; a scrape, on
whichever worker it lands, reads and sums them all. `prikklok server run` makes the
directory fresh at every start (a private one under the temporary directory: systemd's
PrivateTmp keeps it the server's own) and removes it when the server stops, so counts
start from zero with each start, as Prometheus expects of a counter, and a restarted
server never adds an earlier run's counts.

The variable must be set before prometheus_client is first imported: that import decides,
once per process, where values live. Workers are started afresh (spawned), so they all see it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ENV_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own name for it


def fresh_dir() -> Path:
    """A new, empty directory (mode 0700) for this server start's counts, named in the
    environment the workers inherit."""
    path = Path(tempfile.mkdtemp(prefix="prikklok-metrics-"))
    os.environ[ENV_DIR] = str(path)
    return path


def remove_dir(path: Path) -> None:
    """After the server stopped: its counts go with it."""
    if os.environ.get(ENV_DIR) == str(path):
        del os.environ[ENV_DIR]
    shutil.rmtree(path, ignore_errors=True)


def shared() -> bool:
    """Whether this process counts into the shared directory (decided when prometheus_client
    was imported, so asked of it rather than of the environment now)."""
    from prometheus_client import values

    return values.ValueClass is not values.MutexValue


def worker_gone(pid: int) -> None:
    """A worker stopped: drop what only a live process may report (prometheus-client's
    live gauges; the counters of a stopped worker stay in the sums, as they must)."""
    if shared():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
