"""Pure rules of parcels carried by several carriers (issue 17): grouping and the leading leg.

A parcel is a connected set of legs (carrier, tracking number) under the links received.
Every rule is a function of the *set* of links and of each leg's own state, never of the
order they arrived in: any order of links and events ends in the same grouping and story.

- Position: a leg's place in the chain, the longest run of links leading to it (0: the first
  carrier). Cycles (two sources disagreeing on the direction) cannot raise it forever: a
  position never exceeds the number of legs.
- Parcel id: the first leg, the smallest (carrier, number) of position 0: stable whichever
  link or event came first, and unchanged by later legs.
- Leading leg: the furthest leg that has moved (a status past pending / info_received), else
  the furthest that has any event. An older leg reporting late never takes the lead back, so
  the parcel's status does not go backwards because of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from suivi_schemas import ShipmentStatus

Leg = tuple[str, str]  # (carrier, normalized tracking number)
NOT_MOVING = frozenset({ShipmentStatus.PENDING, ShipmentStatus.INFO_RECEIVED})


class Placed(NamedTuple):
    parcel: Leg
    position: int


def parcels(links: Iterable[tuple[Leg, Leg]]) -> dict[Leg, Placed]:
    """Each linked leg → its parcel's id and its position (see the module docstring)."""
    edges = sorted(set(links))
    parent: dict[Leg, Leg] = {}

    def root(leg: Leg) -> Leg:
        while parent.setdefault(leg, leg) != leg:
            parent[leg] = parent[parent[leg]]
            leg = parent[leg]
        return leg

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    position = dict.fromkeys(parent, 0)
    for _ in range(len(position)):  # longest path, bounded: terminates on cycles too
        changed = False
        for a, b in edges:
            if a != b and position[b] < position[a] + 1 <= len(position) - 1:
                position[b] = position[a] + 1
                changed = True
        if not changed:
            break
    firsts: dict[Leg, Leg] = {}
    for leg in sorted(position, key=lambda leg: (position[leg], leg)):
        firsts.setdefault(root(leg), leg)
    return {leg: Placed(firsts[root(leg)], position[leg]) for leg in position}


class LegState(NamedTuple):
    """What the leading-leg rule needs of one leg's current parcel."""

    leg: Leg
    position: int
    status: ShipmentStatus | None
    last_event_at: datetime | None


def leading(legs: Sequence[LegState]) -> LegState | None:
    """The leg whose state is the parcel's (None: no leg has an event yet)."""
    started = [s for s in legs if s.status is not None]
    moving = [s for s in started if s.status not in NOT_MOVING]
    pool = moving or started
    if not pool:
        return None
    return max(
        pool,
        key=lambda s: (
            s.position,
            s.last_event_at is not None,
            s.last_event_at or datetime.min,
            s.leg,
        ),
    )
