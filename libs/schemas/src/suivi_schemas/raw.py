"""`tracking.raw.v1`: a provider's webhook exactly as received, after its signature was verified."""

from __future__ import annotations

import hashlib
import uuid
from typing import Literal

from pydantic import AwareDatetime, Field

from suivi_schemas.common import Contract, Slug


class IngestMetadata(Contract):
    """Facts about how ingest accepted the request (no personal data)."""

    request_id: str
    signature_scheme: str = Field(
        description="How authenticity was checked, e.g. 'hmac-sha256-hex'."
    )
    ingest_instance: str | None = None
    content_length: int = Field(ge=0)


class RawProviderEvent(Contract):
    """Envelope of one verified webhook delivery."""

    schema_version: Literal[1] = 1
    event_id: uuid.UUID = Field(description="Assigned by ingest; unique per accepted request.")
    provider: Slug = Field(description="Provider slug from the webhook URL, e.g. 'easypost'.")
    received_at: AwareDatetime
    content_type: str
    body: str = Field(description="The request body exactly as received (UTF-8 text).")
    body_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    delivery_id: str | None = Field(
        default=None,
        description="The provider's own id of this delivery (EasyPost evt_…, AfterShip event_id), "
        "the same on its retries, so they can be deduplicated downstream.",
    )
    headers: dict[str, str] = Field(
        default_factory=dict, description="Selected request headers (never secrets or signatures)."
    )
    ingest: IngestMetadata

    @staticmethod
    def digest(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()
