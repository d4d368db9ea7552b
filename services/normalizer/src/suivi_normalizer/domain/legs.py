"""Raw provider event → the leg links its provider states (pure; issue 17).

Only providers with a reader in `providers.handoffs` are read, so other bodies cost nothing.
Links are stamped with the raw event's reception time (a replay gives the same bytes) and
their deterministic ids; a hint that is not a valid link (a slug or number the contract
refuses) is dropped, never a reason to dead-letter the body.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from suivi_normalizer.domain.envelope import RawEnvelope
from suivi_normalizer.providers.handoffs import READERS
from suivi_schemas.legs import LegLinkEvent


def reads_links(provider: str) -> bool:
    return provider in READERS


def links_of(raw: RawEnvelope, payload: Any) -> list[LegLinkEvent]:
    """The hand-offs `payload` (the decoded body of `raw`) states, each once, in order."""
    reader = READERS.get(raw.provider)
    if reader is None:
        return []
    found: dict[Any, LegLinkEvent] = {}
    for from_leg, to_leg, source in reader(payload):
        try:
            link = LegLinkEvent.of(
                from_leg, to_leg, source=source, provider=raw.provider, linked_at=raw.received_at
            )
        except (ValidationError, ValueError):
            continue
        found.setdefault(link.event_id, link)
    return list(found.values())
