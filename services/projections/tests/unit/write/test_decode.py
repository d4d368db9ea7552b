"""decode_status, the projector's reading of `tracking.status.v1` records without the model: for
every record, the row the model's validation gives, or the model's own error.

The published form (what the normalizer writes: model_dump_json) takes the fast path; every other
spelling of a valid event, and every invalid record, is the model's to judge."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from suivi_projections.db import rows
from suivi_projections.db.rows import StatusRow, decode_status, status_row
from suivi_projections.testing.samples import T0, status_event, workload
from suivi_schemas import (
    EstimatedDelivery,
    EstimateSource,
    Location,
    Reason,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    estimate_event_id,
)

S = ShipmentStatus
FIXTURES = Path(__file__).parents[4] / "normalizer" / "tests" / "fixtures"


def published() -> list[bytes]:
    """Events as the normalizer publishes them: its golden outputs, and the bench's workload."""
    found = [
        line.encode()
        for path in sorted(FIXTURES.glob("*/*.expected.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    events = [i for i in workload(600) if isinstance(i, ShipmentStatusEvent)]
    return found + [e.model_dump_json().encode() for e in events]


def by_model(value: bytes) -> StatusRow:
    return status_row(ShipmentStatusEvent.model_validate_json(value))


def errors(exc: ValidationError) -> list[Any]:
    """What the dead letter tells of it (field, type) and the message, not the error objects."""
    return exc.errors(include_context=False)


def same(a: StatusRow, b: StatusRow) -> bool:
    """Equal rows, the instants' offsets too (the timeline keeps the instant only, but equal
    offsets show both paths read the same text)."""
    offsets = [(x.occurred_at.utcoffset(), x.received_at.utcoffset()) for x in (a, b)]
    return a == b and offsets[0] == offsets[1]


EVENT = status_event(
    "ups", "1Z 999-aa1", T0, S.EXCEPTION, substatus=Substatus.ADDRESS_ISSUE,
    action_required=True, reason=Reason.CONSIGNEE, city="Lyon", country="FR",
    eta=date(2025, 3, 6), message="Adresse incomplète",
)  # fmt: skip
BASE: dict[str, Any] = json.loads(EVENT.model_dump_json())


WITH_TIMES = {
    "earliest": "2025-03-06",
    "latest": "2025-03-06",
    "earliest_at": "2025-03-06T08:00:00+01:00",
    "latest_at": "2025-03-06T18:00:00Z",
    "source": "provider",
    "detail": "window",
}


def variant(**changes: Any) -> bytes:
    """The event's published JSON with fields replaced (a value of ... removes the field)."""
    data = {k: v for k, v in (BASE | changes).items() if v is not ...}
    return json.dumps(data).encode()


def test_every_published_event_takes_the_fast_path_and_gives_the_models_row() -> None:
    values = published()
    assert len(values) > 600  # the normalizer's golden outputs are there
    for value in values:
        fast = rows._fast_row(value)  # no fallback: the published form is read without the model
        assert same(fast, by_model(value)), value
        assert same(decode_status(value), fast)


@pytest.mark.parametrize(
    "value",
    [
        variant(carrier=" UPS "),  # slugs are trimmed and lowered by the model
        variant(provider="Suivi"),
        variant(location={"city": "Lyon", "country": "fr"}),  # country upper-cased
        variant(location={"city": "Lyon", "extra": 1}),  # unknown keys ignored, missing None
        variant(location={"city": "", "country": None}),  # empty: no location
        variant(raw_message="bad\u0000byte"),  # NUL dropped
        variant(event_id=str(EVENT.event_id).upper()),
        variant(event_id=EVENT.event_id.hex),  # another spelling of the same UUID
        variant(occurred_at="2025-03-03T10:00:00+01:00"),
        variant(occurred_at="2025-03-03T09:00:00.5Z"),
        variant(occurred_at="2025-03-03T09:00:00.123456789Z"),
        variant(occurred_at="2025-03-03 09:00:00Z"),
        variant(occurred_at=1740992400),  # a Unix time
        variant(schema_version=...),
        variant(action_required=...),
        variant(action_required="true"),
        variant(time_basis="offset"),
        variant(
            estimated_delivery={
                "earliest": "2025-03-06",
                "latest": "2025-03-07",
                "source": "carrier",
            }
        ),
        variant(estimated_delivery=WITH_TIMES),
        variant(
            estimated_delivery=BASE["estimated_delivery"] | {"earliest": "2025-03-06T00:00:00"}
        ),
        variant(revision_of=str(EVENT.event_id)),
        variant(unknown_field={"ignored": True}),
        json.dumps(dict(reversed(list(BASE.items())))).encode(),  # another order of the keys
    ],
)
def test_other_spellings_of_a_valid_event_give_the_models_row(value: bytes) -> None:
    assert same(decode_status(value), by_model(value))


@pytest.mark.parametrize(
    "value",
    [
        b'{"oops": true}',
        b"not json",
        b"[1, 2]",
        b"",
        variant(status="teleported"),
        variant(carrier="U P S"),
        variant(tracking_number=""),
        variant(tracking_number="1Z\u200b999"),  # an invisible character
        variant(tracking_number="X" * 65),
        variant(event_id="not-a-uuid"),
        variant(event_id="6fa5e7fb-a272-51ca-94af-32317e440ba-"),
        variant(occurred_at="2025-03-03T09:00:00"),  # no offset
        variant(occurred_at="2025-02-30T09:00:00Z"),
        variant(occurred_at="2025-W10-1T09:00:00Z"),
        variant(location={"country": ""}),
        variant(location={"country": "FRA"}),
        variant(schema_version=2),
        variant(action_required="maybe"),
        variant(time_basis="sundial"),
        variant(raw_code=12),
        variant(
            estimated_delivery={
                "earliest": "2025-03-07",
                "latest": "2025-03-06",
                "source": "carrier",
            }
        ),
        variant(
            estimated_delivery={
                "earliest": "2025-W10-1",
                "latest": "2025-03-06",
                "source": "carrier",
            }
        ),
        variant(estimated_delivery=BASE["estimated_delivery"] | {"source": "oracle"}),
        variant(revision_of="nope"),
    ],
)
def test_invalid_records_fail_with_the_models_error(value: bytes) -> None:
    with pytest.raises(ValidationError) as expected:
        ShipmentStatusEvent.model_validate_json(value)
    with pytest.raises(ValidationError) as raised:
        decode_status(value)
    assert errors(raised.value) == errors(expected.value)


def test_an_instant_with_no_utc_time_fails_as_the_driver_would() -> None:
    """Valid by the contract, but year 1 at +14:00 is before UTC's year 1: OverflowError, as
    asyncpg raises encoding it (the projector dead-letters the event, the batch goes on)."""
    first = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    value = status_event("ups", "1Z999AA3", first, S.IN_TRANSIT).model_dump_json().encode()
    with pytest.raises(OverflowError):
        decode_status(value)
    with pytest.raises(OverflowError):
        by_model(value)


def test_a_revision_keeps_its_checkpoint_and_its_window() -> None:
    window = EstimatedDelivery.on(date(2025, 3, 9), EstimateSource.CARRIER)
    revision = EVENT.model_copy(
        update={
            "revision_of": EVENT.event_id,
            "event_id": estimate_event_id(EVENT.event_id, window.earliest, window.latest),
            "estimated_delivery": window,
        }
    )
    row = decode_status(revision.model_dump_json().encode())
    assert row.revision_of == EVENT.event_id and row.eta_latest == date(2025, 3, 9)
    assert row.estimated_delivery == json.loads(window.model_dump_json())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
SPELLINGS = st.sampled_from(
    [
        "2025-03-03T09:00:00Z",
        "2025-03-03T09:00:00+14:00",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "2025-03-03",
        "ups",
        "UPS",
        "FR",
        "fr",
        "carrier",
        "in_transit",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "",
        "\u0000",
        " x ",
        {"city": "Paris"},
        {"earliest": "2025-03-01", "latest": "2025-03-02", "source": "carrier"},
        WITH_TIMES,
    ]
)
FIELDS = st.sampled_from([*sorted(BASE), "revision_of", "other"])


def outcome(read: Any, value: bytes) -> StatusRow | tuple[type[BaseException], Any]:
    """The row, or the error's type (and a validation error's list)."""
    try:
        return read(value)  # type: ignore[no-any-return]
    except ValidationError as exc:
        return ValidationError, errors(exc)
    except OverflowError:
        return OverflowError, None


@settings(max_examples=300, deadline=None)
@given(changes=st.dictionaries(FIELDS, JSON_VALUES | SPELLINGS, max_size=3))
def test_any_change_to_a_published_event_gives_the_models_row_or_its_error(
    changes: dict[str, Any],
) -> None:
    value = json.dumps(BASE | changes).encode()
    expected, got = outcome(by_model, value), outcome(decode_status, value)
    if isinstance(expected, StatusRow):
        assert isinstance(got, StatusRow) and same(got, expected)
    else:
        assert got == expected


def test_the_row_is_the_timeline_row_the_write_path_stores() -> None:
    row = decode_status(EVENT.model_dump_json().encode())
    assert (row.carrier, row.tracking_number) == ("ups", "1Z999AA1")  # the key, normalized
    assert row.location == {"city": "Lyon", "region": None, "postal_code": None, "country": "FR"}
    assert row.checkpoint().status is S.EXCEPTION and row.checkpoint().action_required
    empty = EVENT.model_copy(update={"location": Location()})
    assert decode_status(empty.model_dump_json().encode()).location is None
    assert row.occurred_at == T0 and row.occurred_at.utcoffset() == UTC.utcoffset(None)
