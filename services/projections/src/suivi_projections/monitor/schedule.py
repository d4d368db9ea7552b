"""What the write side asks of the monitor, inside the write side's own transaction.

The projector marks every changed or relinked generation due, and forgets the insights of
generations a shrunk key no longer has, in the transaction that changed them: a crash between
the two can never leave a changed shipment unjudged.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

# Written by the projector with every changed generation (and every relinked one): due since
# forever, so the monitor looks at it at its next tick whatever its clock says. Sorted rows:
# concurrent projectors lock them in one order. A row already due is left as it is: no new row
# version, no index entry (due_at is indexed), for every event of a parcel between two ticks.
MARK_DUE = """
INSERT INTO shipment_insights AS i (carrier, tracking_number, generation, due_at)
SELECT u.carrier, u.tracking_number, u.generation, '-infinity'::timestamptz
FROM unnest($1::text[], $2::text[], $3::integer[]) AS u (carrier, tracking_number, generation)
ORDER BY 1, 2, 3
ON CONFLICT (carrier, tracking_number, generation) DO UPDATE SET due_at = '-infinity'
WHERE i.due_at IS DISTINCT FROM '-infinity'
"""


def marking_due(write: str, params: int, ctes: str = "") -> str:
    """`write` (a data-modifying statement of `params` parameters, reading `ctes` if given) and
    MARK_DUE as one statement, the due rows in the three parameters after `write`'s: one round
    trip for both."""
    due = MARK_DUE
    for n in (3, 2, 1):
        due = due.replace(f"${n}::", f"${params + n}::")
    return f"WITH {ctes + ', ' if ctes else ''}written AS ({write})\n{due}"


FORGET_SHRUNK = """
DELETE FROM shipment_insights i
USING unnest($1::text[], $2::text[], $3::integer[]) AS k (carrier, tracking_number, keep)
WHERE i.carrier = k.carrier AND i.tracking_number = k.tracking_number AND i.generation > k.keep
"""


def due_columns(due: Sequence[tuple[str, str, int]]) -> list[list[object]]:
    """(carrier, tracking_number, generation) rows, sorted → MARK_DUE's three arrays."""
    return [list(column) for column in zip(*due, strict=True)] if due else [[], [], []]


async def mark_due(conn: asyncpg.Connection, due: Sequence[tuple[str, str, int]]) -> None:
    """(carrier, tracking_number, generation) rows, sorted: judged again at the next tick."""
    if due:
        await conn.execute(MARK_DUE, *due_columns(due))


async def forget(conn: asyncpg.Connection, shrunk: Sequence[tuple[tuple[str, str], int]]) -> None:
    """((carrier, tracking_number), generations kept): drops the insights of the ones beyond."""
    if shrunk:
        carriers, numbers = [k[0] for k, _ in shrunk], [k[1] for k, _ in shrunk]
        await conn.execute(FORGET_SHRUNK, carriers, numbers, [n for _, n in shrunk])
