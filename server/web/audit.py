"""The audit log as the staff pages write it: `saw` after showing participants' data,
`changed` inside a change's own transaction. Kept in server/administration/audit.py; the
names stay here so every page imports them from one place."""

from __future__ import annotations

from server.administration.audit import SEEN_AGAIN_AFTER as SEEN_AGAIN_AFTER
from server.administration.audit import changed as changed
from server.administration.audit import forget_seen as forget_seen
from server.administration.audit import saw as saw
