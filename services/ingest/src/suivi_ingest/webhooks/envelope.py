"""The `tracking.raw.v1` record of an accepted webhook, written straight to its JSON bytes.

The contract is `suivi_schemas.raw.RawProviderEvent`; building that model and serializing it
cost ~15 µs a webhook (issue 22), for values this service made itself (ids, times, hashes) or
checked already. `encode` writes the same bytes the model's serializer writes (same field order,
compact separators, UTF-8 unescaped, datetime as `…Z`): tests/unit/webhooks/test_envelope.py
holds it to the byte against the model for generated payloads, and the fake publisher of every
other test reads each record back through the model.
"""

from __future__ import annotations

import os
from datetime import datetime

import orjson

_UUID_BYTES = 16
_POOL_UUIDS = 256  # random bytes drawn at once: one getrandom(2) per 256 webhooks, not each


class _Pool:
    """Random bytes drawn in blocks, as hex; emptied in a forked child (never shared ids)."""

    hex = ""
    at = 0


def _forget() -> None:
    _Pool.hex, _Pool.at = "", 0


os.register_at_fork(after_in_child=_forget)


def new_event_id() -> str:
    """A random (version 4) UUID's text, as `str(uuid.uuid4())` gives it, from the same source
    (os.urandom) drawn in blocks: `uuid.uuid4()` and its `str` cost ~2 µs a webhook."""
    at, h = _Pool.at, _Pool.hex
    if at == len(h):
        _Pool.hex = h = os.urandom(_UUID_BYTES * _POOL_UUIDS).hex()
        at = 0
    _Pool.at = at + 2 * _UUID_BYTES
    # Version 4 in the 13th digit; the variant (10xx) in the 17th: RFC 9562.
    variant = "89ab"[int(h[at + 16], 16) & 3]
    return (
        f"{h[at : at + 8]}-{h[at + 8 : at + 12]}-4{h[at + 13 : at + 16]}-"
        f"{variant}{h[at + 17 : at + 20]}-{h[at + 20 : at + 32]}"
    )


def utc_text(moment: datetime) -> str:
    """An aware UTC datetime as pydantic writes it: ISO 8601, `Z`, microseconds when not 0."""
    text = moment.isoformat()
    if not text.endswith("+00:00"):
        raise ValueError(f"not a UTC time: {text}")
    return text[:-6] + "Z"


def encode(
    *,
    event_id: str,
    provider: str,
    received_at: str,
    content_type: str,
    body: str,
    body_sha256: str,
    delivery_id: str | None,
    headers: dict[str, str],
    request_id: str,
    signature_scheme: str,
    ingest_instance: str | None,
    content_length: int,
) -> bytes:
    """`RawProviderEvent(...)` serialized, for values that satisfy its fields (`event_id` a
    UUID's text, `provider` a slug, `received_at` from `utc_text`, `body_sha256` 64 lowercase
    hex digits): the caller makes them so; anything from the request is escaped by orjson."""
    # orjson keeps a dict's order and writes what pydantic-core writes for str, int and None.
    return orjson.dumps(
        {
            "schema_version": 1,
            "event_id": event_id,
            "provider": provider,
            "received_at": received_at,
            "content_type": content_type,
            "body": body,
            "body_sha256": body_sha256,
            "delivery_id": delivery_id,
            "headers": headers,
            "ingest": {
                "request_id": request_id,
                "signature_scheme": signature_scheme,
                "ingest_instance": ingest_instance,
                "content_length": content_length,
            },
        }
    )
