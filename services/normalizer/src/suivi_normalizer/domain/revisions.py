"""Estimate revisions: the carrier changed its delivery estimate without a new checkpoint.

Providers re-send a shipment's history with the newest estimate on it; every checkpoint of it
is then already published and would be skipped, the new date with it. The shipment's newest
checkpoint that carries an estimate is therefore also judged by its estimate-aware id
(suivi_schemas.estimate_event_id): already published but with a window not seen yet, it goes
out again as a revision (same checkpoint, `revision_of` its id, the new estimate). Published
as a checkpoint, its estimate-aware id is remembered with it, so the same window sent again is
no revision. Best effort like RecentIds: after a restart the checkpoint itself goes out again,
new estimate included, and consumers that follow estimates key it by the same id.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from uuid import UUID

from suivi_normalizer.providers import Checkpoint
from suivi_schemas import estimate_event_id


@dataclass(frozen=True, slots=True)
class Revision:
    """A checkpoint to publish again for its new estimate."""

    event_id: UUID  # estimate-aware
    revision_of: UUID  # the checkpoint's own id
    checkpoint: Checkpoint


def estimate_id(checkpoint_id: UUID, cp: Checkpoint) -> UUID | None:
    eta = cp.estimated_delivery
    if eta is None:
        return None
    return estimate_event_id(checkpoint_id, eta.earliest, eta.latest, eta.source.value)


def newest_estimate(ids: Sequence[tuple[UUID, Checkpoint]]) -> tuple[UUID, Checkpoint] | None:
    """The newest checkpoint carrying an estimate (ties: the larger id, deterministically)."""
    carrying = [(cp.occurred_at, i.int, i, cp) for i, cp in ids if cp.estimated_delivery]
    if not carrying:
        return None
    # i.int orders as str(i) did: a UUID's text is fixed-width lowercase hex.
    _, _, checkpoint_id, cp = max(carrying, key=lambda c: (c[0], c[1]))
    return checkpoint_id, cp


def judge(
    ids: Sequence[tuple[UUID, Checkpoint]], known: Container[UUID]
) -> tuple[Revision | None, UUID | None]:
    """(a revision to publish, or an estimate-aware id to remember with its checkpoint)."""
    newest = newest_estimate(ids)
    if newest is None:
        return None, None
    checkpoint_id, cp = newest
    rid = estimate_id(checkpoint_id, cp)
    if rid is None or rid in known:
        return None, None
    if checkpoint_id in known:
        return Revision(rid, checkpoint_id, cp), None
    return None, rid
