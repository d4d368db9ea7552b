"""Dead-letter headers: why and where, the record's headers kept, no personal data."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
from pydantic import BaseModel, EmailStr, ValidationError

from suivi_infra.dlq import dead_letter_headers


@dataclass
class Record:
    topic: str = "commerce.orders.v1"
    partition: int = 2
    offset: int = 41
    key: bytes | None = b"shop:1"
    value: bytes | None = b"{}"
    headers: list[tuple[str, bytes]] = field(default_factory=list)


class Customer(BaseModel):
    email: EmailStr
    age: int


def test_validation_errors_name_fields_never_values() -> None:
    try:
        Customer.model_validate({"email": "jane.doe@", "age": "jane's secret"})
    except ValidationError as exc:
        error = exc
    record = Record(headers=[("trace", b"t1"), ("suivi-dlq-reason", b"an older one")])
    headers = dict(dead_letter_headers(record, error, provider="shopify"))
    reason = headers["suivi-dlq-reason"].decode()
    assert reason.startswith("invalid fields ")
    assert "email:value_error" in reason and "age:int_parsing" in reason
    assert "jane" not in reason
    assert headers["trace"] == b"t1"  # the record's own headers travel along, once
    assert [k for k, _ in dead_letter_headers(record, error)].count("suivi-dlq-reason") == 1
    assert headers["suivi-dlq-error"] == b"ValidationError"
    assert headers["suivi-dlq-source-offset"] == b"41"
    assert headers["suivi-dlq-provider"] == b"shopify"


def test_other_errors_keep_their_message() -> None:
    headers = dict(dead_letter_headers(Record(), ValueError("data.carrier: missing")))
    assert headers["suivi-dlq-reason"] == b"data.carrier: missing"


def test_database_and_foreign_errors_give_no_message() -> None:
    nul = asyncpg.CharacterNotInRepertoireError("invalid byte sequence: jane")
    assert dict(dead_letter_headers(Record(), nul))["suivi-dlq-reason"] == (
        b"CharacterNotInRepertoireError (SQLSTATE 22021)"
    )
    key = KeyError("jane.doe@example.com")
    assert dict(dead_letter_headers(Record(), key))["suivi-dlq-reason"] == b"KeyError"
