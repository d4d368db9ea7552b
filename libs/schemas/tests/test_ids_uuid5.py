"""Event ids are RFC 4122 version 5 UUIDs in Suivi's namespace, whichever way they are built."""

from __future__ import annotations

import pickle
import uuid

from hypothesis import given
from hypothesis import strategies as st

from suivi_schemas import ids


@given(st.text(max_size=80))
def test_the_fast_uuid5_is_uuid5(name: str) -> None:
    made, expected = ids._uuid5(name), uuid.uuid5(ids.SUIVI_NAMESPACE, name)
    assert (made, str(made), hash(made)) == (expected, str(expected), hash(expected))
    assert (made.version, made.variant) == (5, uuid.RFC_4122)
    assert pickle.loads(pickle.dumps(made)) == expected  # noqa: S301 - our own bytes
