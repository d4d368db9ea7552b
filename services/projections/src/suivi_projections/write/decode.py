"""`commerce.orders.v1` records read as the contract reads them, without its costliest check
where it would change nothing.

OrderEvent's validation spends most of its time in the customer's EmailStr (email_validator,
~100 µs an address). An order in the form the contract writes (model_dump_json: the address
already normalized) is read by a twin of the model whose only difference is that field: a plain
address (dot-atom local part, lowercase domain email_validator accepts unchanged, checked once
per domain) is taken as written. The twin's values then make the OrderEvent, without validating
them again. Anything else (another spelling of the address, an invalid record) is read by
OrderEvent.model_validate_json, so an invalid record fails with the model's own error and is
dead-lettered with its reason. A test holds both readings equal over goldens and mutations.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any

import email_validator
from pydantic import AfterValidator

from suivi_schemas import OrderEvent
from suivi_schemas.orders import Customer

# What email_validator keeps unchanged: an ASCII dot-atom local part (its case kept) and a
# lowercase ASCII domain of at least two labels (checked by email_validator itself, once).
_PLAIN_EMAIL = re.compile(r"([A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@([a-z0-9-]+(?:\.[a-z0-9-]+)+)")


class _NotPlain(ValueError):  # noqa: N818 - a signal, not an error
    """Not in the form the contract writes: the model decides."""


@functools.lru_cache(maxsize=4096)
def _plain_domain(domain: str) -> bool:
    """email_validator accepts an address at `domain` and keeps the domain as written."""
    probe = f"a@{domain}"
    try:
        parts = email_validator.validate_email(probe, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return parts.normalized == probe


def _plain_email(value: str) -> str:
    """The address if EmailStr would give it back unchanged (judged cheaply), else _NotPlain."""
    found = _PLAIN_EMAIL.fullmatch(value)
    # email_validator's limits: 64 characters of local part, 254 in all.
    if found is None or len(found[1]) > 64 or len(value) > 254:
        raise _NotPlain
    if not _plain_domain(found[2]):
        raise _NotPlain
    return value


class _Customer(Customer):
    email: Annotated[str, AfterValidator(_plain_email)] | None = None


class _Order(OrderEvent):
    customer: _Customer


_new = object.__new__
_set = object.__setattr__


def _as(model: type[Any], twin: Any, values: dict[str, Any]) -> Any:
    """An instance of `model` with the twin's values, as the model's validation leaves it."""
    made = _new(model)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", twin.__pydantic_fields_set__)
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


def decode_order(value: bytes | str) -> OrderEvent:
    """A record's OrderEvent, as OrderEvent.model_validate_json reads it (and raises)."""
    try:
        twin = _Order.model_validate_json(value)
    except ValueError:  # ValidationError too: the model's own error, or another spelling
        return OrderEvent.model_validate_json(value)
    values = dict(twin.__dict__)
    customer = twin.customer
    values["customer"] = _as(Customer, customer, dict(customer.__dict__))
    event: OrderEvent = _as(OrderEvent, twin, values)
    return event
