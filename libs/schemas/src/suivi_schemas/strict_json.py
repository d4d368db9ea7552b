"""RFC 8259 JSON only: the one loader for request bodies and consumed records."""

from __future__ import annotations

import math
import re
from typing import Any

import orjson
import pydantic_core

# A float overflows (beyond 1.8e308) only with an exponent of three digits or more, or with
# over 200 digits before its point: the walk below runs only when the text holds such a run
# (rare; a looser "digit then e" matched 40% of real bodies), so the common body pays one search.
_MAY_OVERFLOW_BYTES = re.compile(rb"[0-9.][eE]\+?[0-9]{3}|[0-9]{200}")
_MAY_OVERFLOW_TEXT = re.compile(r"[0-9.][eE]\+?[0-9]{3}|[0-9]{200}")


def _has_infinity(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if math.isinf(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def loads(data: str | bytes | bytearray) -> Any:
    """Parses JSON; ValueError for NaN, Infinity and numbers beyond a float (e.g. 1e999)."""
    try:
        # orjson refuses all three in one fast pass, so an accepted text needs no search for
        # them; but it reads integers beyond 64 bits as floats, so the value is pydantic's.
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return _loads_checked(data)  # refused, or only orjson's to refuse: decided as before
    return pydantic_core.from_json(data, allow_inf_nan=False)


def _loads_checked(data: str | bytes | bytearray) -> Any:
    value = pydantic_core.from_json(data, allow_inf_nan=False)
    pattern = _MAY_OVERFLOW_TEXT if isinstance(data, str) else _MAY_OVERFLOW_BYTES
    if pattern.search(data) and _has_infinity(value):  # type: ignore[arg-type]
        raise ValueError("a number is out of range: larger than a 64-bit float can hold")
    return value
