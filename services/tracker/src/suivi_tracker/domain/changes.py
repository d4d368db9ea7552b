"""Change detection: the hash of a polled body in a canonical form, so an unchanged poll
publishes nothing.

The tracker must not parse carrier bodies (that is the normalizer's job, and a service never
imports another), so "normalized" here means: a JSON body is re-serialised with sorted keys and
no insignificant whitespace, after dropping the top-level fields that change on every call
without saying anything about the parcel (transaction/request ids, response timestamps). Two
answers with the same checkpoints in another key order or spacing hash the same; any real
change (a new checkpoint, a new estimate) changes the hash. A body that is not JSON is hashed
as its bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Top level only: deeper down, "timestamp" is often a checkpoint's own time (DHL) and matters.
VOLATILE_TOP_LEVEL: frozenset[str] = frozenset(
    {
        "transactionId",
        "customerTransactionId",
        "transaction_id",
        "requestId",
        "request_id",
        "responseTimestamp",
        "serverTime",
        "timestamp",
    }
)


def canonical_body(body: bytes) -> bytes:
    try:
        document: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body
    if isinstance(document, dict):
        document = {k: v for k, v in document.items() if k not in VOLATILE_TOP_LEVEL}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def body_hash(body: bytes) -> str:
    return hashlib.sha256(canonical_body(body)).hexdigest()
