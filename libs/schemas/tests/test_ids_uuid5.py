"""Event ids are RFC 4122 version 5 UUIDs in Suivi's namespace, whichever way they are built."""

from __future__ import annotations

import math
import pickle
import uuid
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from suivi_schemas import ids


@given(st.text(max_size=80))
def test_the_fast_uuid5_is_uuid5(name: str) -> None:
    made, expected = ids._uuid5(name), uuid.uuid5(ids.SUIVI_NAMESPACE, name)
    assert (made, str(made), hash(made)) == (expected, str(expected), hash(expected))
    assert (made.version, made.variant) == (5, uuid.RFC_4122)
    assert pickle.loads(pickle.dumps(made)) == expected  # noqa: S301 - our own bytes


def _as_first_written(
    carrier: str,
    tracking_number: str,
    occurred_at: datetime,
    code: str,
    city: str | None,
    country: str | None,
) -> uuid.UUID:
    """checkpoint_event_id as it was first written: uuid5 of the parts joined by '|'."""
    instant = str(math.floor(occurred_at.timestamp()))
    parts = (
        carrier.lower(),
        ids.normalize_tracking_number(tracking_number),
        instant,
        code.strip().lower(),
        ids._fold(city),
        (country or "").upper(),
    )
    return uuid.uuid5(ids.SUIVI_NAMESPACE, "|".join(parts))


_words = st.text(st.characters(codec="utf-8"), max_size=20)  # no lone surrogates


@given(
    carrier=_words,
    number=_words,
    at=st.datetimes(timezones=st.timezones()),
    code=_words,
    city=st.none() | _words,
    country=st.none() | _words,
)
def test_checkpoint_ids_never_change(
    carrier: str, number: str, at: datetime, code: str, city: str | None, country: str | None
) -> None:
    made = ids.checkpoint_event_id(
        carrier=carrier, tracking_number=number, occurred_at=at, code=code, city=city,
        country=country,
    )  # fmt: skip
    assert made == _as_first_written(carrier, number, at, code, city, country)
    assert str(made) == str(_as_first_written(carrier, number, at, code, city, country))
