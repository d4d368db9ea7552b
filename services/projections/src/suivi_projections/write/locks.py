"""Shipment keys' transaction-level advisory locks, and the parts of a batch they fall in."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable

import asyncpg

from suivi_projections.domain.shipments import Key
from suivi_projections.write import sql


@functools.lru_cache(maxsize=65536)
def lock_id(key: Key) -> int:
    digest = hashlib.blake2b(f"{key[0]}:{key[1]}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def part_of(lock: int, parts: int) -> int:
    """The part (0 to parts - 1) of a key by its lock id: the parts are ranges of lock ids in
    ascending order, so a batch locking its parts' keys part after part (each sorted) locks
    them all in ascending order, as one sorted call would."""
    return ((lock + (1 << 63)) * parts) >> 64


def key_part(record_key: bytes | None, parts: int) -> int:
    """The part of a status record by its Kafka key, `carrier:TRACKINGNUMBER` (the shipment
    key: its lock id is the same digest); 0 without one. Only a guess of the event's own
    (apply_batch checks it on the decoded event)."""
    if parts == 1 or not record_key:
        return 0
    digest = hashlib.blake2b(record_key, digest_size=8).digest()
    return part_of(int.from_bytes(digest, "big", signed=True), parts)


async def lock_keys(conn: asyncpg.Connection, keys: Iterable[Key]) -> None:
    ids = sorted({lock_id(k) for k in keys})
    if ids:
        await conn.fetchval(sql.LOCK_KEYS, ids)
