"""decode_order, the projector's reading of `commerce.orders.v1` records: for every record, the
event OrderEvent.model_validate_json gives (the same values, fields set and class), or its error.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from suivi_projections.testing.samples import T0, order_event, workload
from suivi_projections.write import decode
from suivi_projections.write.decode import decode_order
from suivi_schemas import OrderEvent


def published() -> list[bytes]:
    """Orders as ingest publishes them (model_dump_json): the bench's workload, and samples of
    every shape (fulfilments, cancelled parcels, no email)."""
    events = [i for i in workload(3000) if isinstance(i, OrderEvent)]
    parcels = [("ups", "1Z1", (("li-1", 1),)), ("dhl", "JD2", ())]
    events += [
        order_event("acme", "A1", shipments=parcels, shipped_at=T0, cancelled_shipments=["JD2"]),
        order_event("acme", "A1", shipments=parcels[:1], fulfillment_id="f-1"),
        order_event("acme", "A2", email=None, cancelled=True, updated_at=T0 + timedelta(hours=1)),
        order_event("shop_2", "#1001", email="zoe.lefevre+parcels@mail.example.fr"),
    ]
    return [e.model_dump_json().encode() for e in events]


def same(a: OrderEvent, b: OrderEvent) -> bool:
    """Equal events, down to each model's class and the fields it was given."""
    if type(a) is not type(b) or a.__dict__.keys() != b.__dict__.keys():
        return False
    if a.model_fields_set != b.model_fields_set or a.__pydantic_extra__ != b.__pydantic_extra__:
        return False
    for x, y in zip(a.__dict__.values(), b.__dict__.values(), strict=True):
        if isinstance(x, BaseModel) and not _same(x, y):
            return False
    return a == b and a.model_dump_json() == b.model_dump_json()


def _same(a: BaseModel, b: object) -> bool:
    if not isinstance(b, BaseModel) or type(a) is not type(b):
        return False
    return a.model_fields_set == b.model_fields_set and a == b


def outcome(read: Any, value: bytes) -> OrderEvent | list[Any]:
    try:
        return read(value)  # type: ignore[no-any-return]
    except ValidationError as exc:
        return exc.errors(include_context=False)


def agree(value: bytes) -> None:
    expected, got = outcome(OrderEvent.model_validate_json, value), outcome(decode_order, value)
    if isinstance(expected, OrderEvent):
        assert isinstance(got, OrderEvent) and same(got, expected)
    else:
        assert got == expected


def test_every_published_order_gives_the_models_event_without_its_email_check() -> None:
    values = published()
    assert len(values) > 100
    decode._plain_domain.cache_clear()
    for value in values:
        agree(value)
    # The plain form was taken: email_validator ran once per domain, not once per order.
    assert decode._plain_domain.cache_info().misses <= 3


BASE: dict[str, Any] = json.loads(published()[-1])

ADDRESSES: list[object] = [
    "a@b.co", "A.B@example.com", "a@Example.com", " a@example.com", "a@example.com ",
    "a..b@example.com", ".a@example.com", "a.@example.com", "a@example", "a@localhost",
    "a@example.local", "a@example.test", "a@123.456", "a@-example.com", "a@example-.com",
    "a@xn--bcher-kva.example", "a@bücher.example", "Zoé@example.com", "a+b_c-d@ex-ample.fr",
    "Name <a@example.com>", "a@@example.com", "a@exa_mple.com", "\"a b\"@example.com",
    "a@" + "x" * 63 + ".com", "a@" + "x" * 64 + ".com", "x" * 64 + "@example.com",
    "x" * 65 + "@example.com", "a@" + ".".join(["x" * 60] * 5) + ".com", "", "@", None, 3,
]  # fmt: skip
EMAILS = st.sampled_from(ADDRESSES)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)
FIELDS = st.sampled_from([*sorted(BASE), "other"])
CUSTOMER_FIELDS = st.sampled_from(["email", "phone", "name", "locale", "timezone", "other"])


@pytest.mark.parametrize("email", ADDRESSES)
def test_every_other_address_is_the_models_to_judge(email: object) -> None:
    agree(json.dumps(BASE | {"customer": BASE["customer"] | {"email": email}}).encode())


@settings(max_examples=300, deadline=None)
@given(
    changes=st.dictionaries(FIELDS, JSON_VALUES, max_size=2),
    customer=st.dictionaries(CUSTOMER_FIELDS, JSON_VALUES | EMAILS, max_size=2),
    email=st.none() | EMAILS | st.emails(),
)
def test_any_change_to_a_published_order_gives_the_models_event_or_its_error(
    changes: dict[str, Any], customer: dict[str, Any], email: object
) -> None:
    fields = BASE | {"customer": BASE["customer"] | {"email": email} | customer} | changes
    agree(json.dumps(fields).encode())


@pytest.mark.parametrize("value", [b"", b"{", b"[]", b"null", b'{"event_id": 1}', b"\xff"])
def test_unreadable_records_fail_with_the_models_error(value: bytes) -> None:
    agree(value)
