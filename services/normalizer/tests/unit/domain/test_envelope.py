"""The hot path's readings of a record agree with the contract's: the envelope read by orjson
equals RawProviderEvent.model_validate_json's (or the model refuses it itself), and a body read
in one orjson pass equals strict_json.loads's, value and type."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from suivi_normalizer.domain.encode import encode_new
from suivi_normalizer.domain.envelope import Envelope, read_envelope
from suivi_normalizer.domain.legs import links_of
from suivi_normalizer.domain.normalize import decode_body
from suivi_normalizer.providers import AdapterError
from suivi_normalizer.testing.golden import raw_event
from suivi_schemas import RawProviderEvent, strict_json

FIXTURES = sorted((Path(__file__).parents[2] / "fixtures").glob("*/*.json"))


def typed(value: Any) -> Any:
    """`value` with each scalar's type beside it (1 == 1.0 == True otherwise)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value), repr(value))


def the_model_reading(value: bytes) -> tuple[Any, ...] | type[Exception]:
    try:
        model = RawProviderEvent.model_validate_json(value)
    except ValidationError:
        return ValidationError
    return fields_of(model)


def fields_of(raw: Any) -> tuple[Any, ...]:
    at = raw.received_at
    return (raw.event_id, raw.provider, at, at.utcoffset(), raw.body)


def the_fast_reading(value: bytes) -> tuple[Any, ...] | type[Exception]:
    try:
        return fields_of(read_envelope(value))
    except ValidationError:
        return ValidationError


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_golden_envelope_reads_light_and_encodes_to_the_same_bytes(fixture: Path) -> None:
    model = raw_event(fixture.parent.name, fixture.read_text(encoding="utf-8"))
    light = read_envelope(model.model_dump_json().encode())
    assert isinstance(light, Envelope)
    assert fields_of(light) == fields_of(model)
    try:
        payload = decode_body(model.body)
    except AdapterError:
        return
    assert typed(payload) == typed(strict_json.loads(model.body))
    try:
        expected = encode_new(model, (), payload, revisions=True)
    except (AdapterError, ValidationError) as exc:
        with pytest.raises(type(exc)):
            encode_new(light, (), payload, revisions=True)
        return
    assert encode_new(light, (), payload, revisions=True) == expected
    assert links_of(light, payload) == links_of(model, payload)
    assert [x.model_dump_json() for x in links_of(light, payload)] == [
        x.model_dump_json() for x in links_of(model, payload)
    ]


def envelope(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(raw_event("suivi", '{"a": 1}').model_dump_json())
    fields["received_at"] = "2026-03-01T09:30:00.123456Z"
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not ...}


ODD_VALUES: st.SearchStrategy[Any] = st.sampled_from(
    [..., None, True, 1, 1.0, -1, "", " ", "x", [], {}, {"k": 1}, {"k": "v"}, "Suivi", " suivi",
     "suivi\n", "0" * 64, "A" * 64, "2026-03-01T09:30:00Z", "2026-03-01T09:30:00",
     "2026-03-01 09:30:00Z", "2026-03-01T09:30:00.1Z", "2026-02-30T09:30:00Z",
     "2026-03-01T24:00:00Z", "2026-03-01T09:30:60Z", "2026-03-01T09:30:00+24:00",
     "2026-03-01T09:30:00+23:59", "2026-03-01T09:30:00-00:00", "0000-01-01T00:00:00Z",
     "2026-03-01T09:30:00.123456789Z", "1772357400", "6F1D6B2E-8F0A-5C59-9A51-2F3C7D1E0B42",
     "6f1d6b2e8f0a5c599a512f3c7d1e0b42", "{6f1d6b2e-8f0a-5c59-9a51-2f3c7d1e0b42}",
     "6f1d6b2e-8f0a-5c59-9a51-2f3c7d1e0b42"]
)  # fmt: skip
FIELDS = st.sampled_from(
    ["schema_version", "event_id", "provider", "received_at", "content_type", "body",
     "body_sha256", "delivery_id", "headers", "ingest", "extra"]
)  # fmt: skip
INGEST_FIELDS = st.sampled_from(
    ["request_id", "signature_scheme", "ingest_instance", "content_length", "extra"]
)


@settings(max_examples=500, deadline=None)
@given(
    changes=st.dictionaries(FIELDS, ODD_VALUES, max_size=3),
    ingest=st.dictionaries(INGEST_FIELDS, ODD_VALUES | st.integers(-2, 2**70), max_size=2),
)
@example(changes={}, ingest={})
@example(changes={"schema_version": 2}, ingest={})
@example(changes={}, ingest={"content_length": 2**64})
@example(changes={}, ingest={"content_length": -1})
@example(changes={}, ingest={"content_length": True})
@example(changes={"schema_version": True, "provider": "Suivi"}, ingest={})
@example(changes={"headers": {"k": 1}}, ingest={})
def test_any_envelope_reads_as_the_model_reads_it(
    changes: dict[str, Any], ingest: dict[str, Any]
) -> None:
    fields = envelope(**changes)
    if isinstance(fields.get("ingest"), dict):
        fields["ingest"] = {k: v for k, v in {**fields["ingest"], **ingest}.items() if v is not ...}
    value = json.dumps(fields).encode()
    assert the_fast_reading(value) == the_model_reading(value)


@settings(max_examples=300, deadline=None)
@given(
    at=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    minutes=st.integers(-24 * 60 + 1, 24 * 60 - 1),
    micro=st.booleans(),
)
def test_any_time_the_model_writes_reads_the_same(at: datetime, minutes: int, micro: bool) -> None:
    when = at.replace(
        tzinfo=timezone(timedelta(minutes=minutes)), microsecond=at.microsecond * micro
    )
    text = json.loads(
        raw_event("suivi", "{}").model_copy(update={"received_at": when}).model_dump_json()
    )
    value = json.dumps(envelope(received_at=text["received_at"])).encode()
    assert isinstance(read_envelope(value), Envelope)
    assert the_fast_reading(value) == the_model_reading(value)


@pytest.mark.parametrize("value", [b"", None, b"{not json", b"[]", b"null", b'{"provider": 1}'])
def test_what_is_no_envelope_is_refused_by_the_model(value: bytes | None) -> None:
    with pytest.raises(ValidationError, match="RawProviderEvent"):
        read_envelope(value)


def json_values() -> st.SearchStrategy[Any]:
    floats = st.floats(allow_nan=False, allow_infinity=False)
    big = st.integers(-(2**80), 2**80)
    # Long runs of digits in strings (tracking numbers) and numbers, with what may precede them.
    digits = st.from_regex(r"[-a-z \"/:.]{0,2}[0-9]{17,24}", fullmatch=True)
    scalars = st.none() | st.booleans() | st.text(max_size=30) | floats | st.integers() | big
    scalars |= digits
    return st.recursive(
        scalars | st.just(-0.0),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=30,
    )


def the_strict_reading(text: str | bytes) -> Any:
    try:
        return typed(strict_json.loads(text))
    except ValueError:
        return ValueError


def the_one_pass_reading(text: str | bytes) -> Any:
    try:
        return typed(decode_body(text))
    except AdapterError:
        return ValueError


@settings(max_examples=500, deadline=None)
@given(json_values(), st.booleans())
def test_any_body_decodes_as_strict_json_reads_it(value: Any, as_bytes: bool) -> None:
    text = json.dumps(value)
    body: str | bytes = text.encode() if as_bytes else text
    assert the_one_pass_reading(body) == the_strict_reading(body)


@pytest.mark.parametrize(
    "text",
    [
        "1e999", "-1e400", "NaN", "[Infinity]", '{"a": 1e308}', "18446744073709551615",
        "18446744073709551616", "-9223372036854775809", '{"n": 123456789012345678901234567890}',
        '{"s": "9400111899223033005282", "n": 1.5}', '"\\ud800"', '"a\\u0000b"', "[1,]", "",
        "\ufeff{}", "1 2", "[" * 200 + "]" * 200, "[" * 201 + "]" * 201, "0.1e1", "-0",
        '{"a":' * 200 + "1" + "}" * 200, '{"a":' * 201 + "1" + "}" * 201, "4.9e-324",
        "[" * 1100 + "]" * 1100, '[ 12345678901234567890]', '{"n":12345678901234567890}',
        '{"s": "a 12345678901234567890"}', '{"s": "12345678901234567890", "n": [1]}',
        "12345678901234567890", "0.12345678901234567890123", "1e0000000000000000000001",
        '{"s": "x\\"12345678901234567890"}', "[1,\n-12345678901234567890]",
    ],
)  # fmt: skip
def test_edge_bodies_decode_as_strict_json_reads_them(text: str) -> None:
    assert the_one_pass_reading(text) == the_strict_reading(text)
    assert the_one_pass_reading(text.encode("utf-8", "surrogatepass")) == the_strict_reading(
        text.encode("utf-8", "surrogatepass")
    )


def test_an_envelope_with_a_new_id_is_read_with_its_own_id() -> None:
    raw = raw_event("suivi", "{}").model_copy(
        update={"event_id": uuid.uuid4(), "received_at": datetime.now(UTC)}
    )
    assert fields_of(read_envelope(raw.model_dump_json().encode())) == fields_of(raw)


def test_event_ids_are_read_as_uuid_reads_them() -> None:
    import random
    from uuid import UUID

    from suivi_normalizer.domain.envelope import _uuid

    rng = random.Random(22)
    texts = [str(UUID(int=rng.getrandbits(128))) for _ in range(2000)]
    texts += ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"]
    for text in texts:
        made, expected = _uuid(text), UUID(text)
        assert made == expected and hash(made) == hash(expected)
        assert (str(made), made.version, made.is_safe) == (text, expected.version, expected.is_safe)
