"""The shared loader takes RFC 8259 JSON only."""

from __future__ import annotations

import math

import pytest

from suivi_schemas import strict_json

OUT_OF_JSON = ["NaN", "Infinity", "-Infinity", "1e999", "-1E+999", "1" + "0" * 400 + ".5", "9e308"]


@pytest.mark.parametrize("number", OUT_OF_JSON)
@pytest.mark.parametrize("kind", [str, bytes])
def test_numbers_json_does_not_have_are_refused(number: str, kind: type) -> None:
    text = '{"a": [1, {"b": ' + number + "}]}"
    with pytest.raises(ValueError, match=r"line|range"):
        strict_json.loads(text if kind is str else text.encode())


def test_numbers_json_has_are_kept() -> None:
    text = '{"big": 123456789012345678901234567890, "max": 1.7976931348623157e308, "tiny": 1e-400}'
    assert strict_json.loads(text) == {
        "big": 123456789012345678901234567890,
        "max": 1.7976931348623157e308,
        "tiny": 0.0,
    }
    assert strict_json.loads(b'{"code": "1e999", "n": 2e3}') == {"code": "1e999", "n": 2000.0}


def test_malformed_json_is_still_a_value_error() -> None:
    with pytest.raises(ValueError, match="line 1"):
        strict_json.loads(b'{"a": }')


# Around the edge of a float, with an exponent of two digits or none: the quick search that
# decides whether to look for an overflow must not miss one.
EDGE = ["9" * 209 + "e99", "9" * 210 + ".5e99", "1" + "0" * 208 + "e99", "9" * 309 + ".0", "1e308"]


@pytest.mark.parametrize("number", EDGE)
def test_an_overflow_is_refused_exactly_when_a_float_cannot_hold_it(number: str) -> None:
    text = '{"n": ' + number + "}"
    if math.isinf(float(number)):
        with pytest.raises(ValueError, match="range"):
            strict_json.loads(text.encode())
    else:
        assert strict_json.loads(text.encode()) == {"n": float(number)}
