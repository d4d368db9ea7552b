"""A bounded memory of recently published event ids (per process).

Providers re-send whole histories with every update; remembering what was already published
keeps the status topic from repeating them. Best effort by design: after a restart a few
events may be published again, which consumers absorb since they deduplicate by event id.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from uuid import UUID


class RecentIds:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[UUID, None] = OrderedDict()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def remember(self, ids: Iterable[UUID]) -> None:
        if self.capacity <= 0:
            return
        for event_id in ids:
            self._ids[event_id] = None
            self._ids.move_to_end(event_id)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
