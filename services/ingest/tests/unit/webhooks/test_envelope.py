"""The hand-written record equals the contract's serialization, byte for byte."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suivi_ingest.webhooks import envelope
from suivi_ingest.webhooks.providers import PROVIDERS
from suivi_ingest.webhooks.publisher import serialize
from suivi_schemas.raw import IngestMetadata, RawProviderEvent

# Any text a request can carry: headers are decoded as latin-1, bodies as UTF-8 (no surrogate).
TEXT = st.text(st.characters(exclude_categories=["Cs"]))
LATIN1 = st.text(st.characters(max_codepoint=255))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
)


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """JSON texts as providers send them: compact, indented, with every escape and script."""
    value = draw(JSON_VALUES)
    return json.dumps(
        value, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2, "\t"]))
    )


def _pair(**fields: object) -> tuple[bytes, bytes]:
    """(hand-written record, the model's serialization) of the same fields."""
    ingest = {
        k: fields.pop(k)
        for k in ("request_id", "signature_scheme", "ingest_instance", "content_length")
    }
    received_at = fields.pop("received_at")
    assert isinstance(received_at, datetime)
    model = RawProviderEvent(**fields, received_at=received_at, ingest=IngestMetadata(**ingest))  # type: ignore[arg-type]
    hand = envelope.encode(**fields, received_at=envelope.utc_text(received_at), **ingest)  # type: ignore[arg-type]
    return hand, serialize(model)


@settings(max_examples=400, deadline=None)
@given(
    provider=st.sampled_from(sorted(PROVIDERS)),
    moment=MOMENTS,
    content_type=LATIN1,
    body=bodies() | TEXT,
    delivery_id=st.none() | TEXT,
    headers=st.dictionaries(st.sampled_from(["user-agent", "suivi-delivery-id", "x"]), LATIN1),
    request_id=LATIN1,
    scheme=st.sampled_from(["hmac-sha256-hex", "url-token", "suivi-v1"]) | TEXT,
    instance=st.none() | TEXT,
)
def test_same_bytes_as_the_model(
    provider: str,
    moment: datetime,
    content_type: str,
    body: str,
    delivery_id: str | None,
    headers: dict[str, str],
    request_id: str,
    scheme: str,
    instance: str | None,
) -> None:
    raw = body.encode()
    hand, contract = _pair(
        event_id=envelope.new_event_id(),
        provider=provider,
        received_at=moment,
        content_type=content_type,
        body=body,
        body_sha256=hashlib.sha256(raw).hexdigest(),
        delivery_id=delivery_id,
        headers=headers,
        request_id=request_id,
        signature_scheme=scheme,
        ingest_instance=instance,
        content_length=len(raw),
    )
    assert hand == contract


def test_a_real_webhook_and_every_microsecond_form() -> None:
    body = '{\n  "id": "evt_1",\n  "result": {"tracking_code": "9400\\"1", "city": "Besançon ✓"}\n}'
    for micro in (0, 1, 10, 123400, 999999):
        hand, contract = _pair(
            event_id=str(uuid.uuid4()),
            provider="easypost",
            received_at=datetime(2026, 12, 7, 1, 2, 3, micro, tzinfo=UTC),
            content_type="application/json; charset=utf-8",
            body=body,
            body_sha256=hashlib.sha256(body.encode()).hexdigest(),
            delivery_id="evt_1",
            headers={"user-agent": "EasyPost/v2"},
            request_id="req-1",
            signature_scheme="hmac-sha256-hex",
            ingest_instance="ingest-1",
            content_length=len(body.encode()),
        )
        assert hand == contract


def test_only_utc_times_are_written() -> None:
    assert envelope.utc_text(datetime(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00Z"
    with pytest.raises(ValueError, match="not a UTC time"):
        envelope.utc_text(datetime(2026, 1, 2, tzinfo=timezone(timedelta(hours=1))))


def test_event_ids_are_random_version_4_uuids_as_uuid4_writes_them() -> None:
    ids = [envelope.new_event_id() for _ in range(5000)]  # several blocks of random bytes
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
    assert {text[19] for text in ids} == set("89ab")  # the variant's two random bits vary
