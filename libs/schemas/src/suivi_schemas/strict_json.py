"""RFC 8259 JSON only: the one loader for request bodies and consumed records."""

from __future__ import annotations

import math
import re
from typing import Any

import pydantic_core

# Only a number with an exponent or a very long run of digits can overflow a float: the
# walk below runs only when the text holds one (rare), so the common body pays one search.
_MAY_OVERFLOW_BYTES = re.compile(rb"[0-9.][eE]|[0-9]{300}")
_MAY_OVERFLOW_TEXT = re.compile(r"[0-9.][eE]|[0-9]{300}")


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
    value = pydantic_core.from_json(data, allow_inf_nan=False)
    pattern = _MAY_OVERFLOW_TEXT if isinstance(data, str) else _MAY_OVERFLOW_BYTES
    if pattern.search(data) and _has_infinity(value):  # type: ignore[arg-type]
        raise ValueError("a number is out of range: larger than a 64-bit float can hold")
    return value
