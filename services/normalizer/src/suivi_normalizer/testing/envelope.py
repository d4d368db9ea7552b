"""Raw envelopes built outside ingest (the CLI, golden tests, benchmarks)."""

from __future__ import annotations

import uuid
from datetime import datetime

from suivi_schemas import IngestMetadata, RawProviderEvent
from suivi_schemas.ids import SUIVI_NAMESPACE


def envelope_for(
    provider: str,
    body: str,
    received_at: datetime,
    *,
    event_id: uuid.UUID | None = None,
    request_id: str = "local",
) -> RawProviderEvent:
    """A RawProviderEvent for `body`; its id defaults to one derived from the body's digest."""
    encoded = body.encode("utf-8")
    digest = RawProviderEvent.digest(encoded)
    return RawProviderEvent(
        event_id=event_id or uuid.uuid5(SUIVI_NAMESPACE, f"raw|{provider}|{digest}"),
        provider=provider,
        received_at=received_at,
        content_type="application/json",
        body=body,
        body_sha256=digest,
        ingest=IngestMetadata(
            request_id=request_id, signature_scheme="none", content_length=len(encoded)
        ),
    )
