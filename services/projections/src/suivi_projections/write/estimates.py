"""Carrier estimates of a batch → `estimate_observations` (issue 21), inside the batch's
transaction. Every status event carrying an estimate is observed, duplicates included: a
checkpoint published again with another window (a normalizer restart) is a revision too; the
primary key (checkpoint, window, source) makes a replay change nothing. A new window judges the
shipment's newest generation again (late, trending late): it is marked due for the monitor.

The rows are written, and the due marks made, by `sql.OBSERVE_AND_LOAD_STATE`, in the round
trip that loads the batch's shipments (shipments.load_state), after the keys' locks."""

from __future__ import annotations

from collections.abc import Sequence

from suivi_projections.db.rows import StatusRow


def observation_rows(events: Sequence[StatusRow]) -> list[tuple[object, ...]]:
    """Rows of `sql.OBSERVATION_COLUMNS`, one per event with an estimate, in the events'
    order (ties of `recorded_at` keep it)."""
    return [
        (e.carrier, e.tracking_number, e.revision_of or e.event_id, e.eta_earliest, e.eta_latest,
         e.eta_source, e.occurred_at, e.received_at, e.estimated_delivery)
        for e in events
        if e.estimated_delivery is not None
    ]  # fmt: skip
