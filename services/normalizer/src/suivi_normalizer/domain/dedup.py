"""A bounded memory of recently published event ids (per process).

Providers re-send whole histories with every update; remembering what was already published
keeps the status topic from repeating them. Best effort by design: after a restart a few
events may be published again, which consumers absorb since they deduplicate by event id.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Container, Iterable
from uuid import UUID


class RecentIds:
    """Ids are kept by their integer (`UUID.int`): a UUID's own hash is computed in Python, an
    int's is not, and the hot path asks several times per event (`by_int`)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[int, None] = OrderedDict()

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, UUID) and event_id.int in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def by_int(self) -> Container[int]:
        """The ids remembered, as integers (read-only use)."""
        return self._ids

    def remember(self, ids: Iterable[UUID]) -> None:
        if self.capacity <= 0:
            return
        remembered = self._ids
        for event_id in ids:
            key = event_id.int
            remembered[key] = None
            remembered.move_to_end(key)
        while len(remembered) > self.capacity:
            remembered.popitem(last=False)
