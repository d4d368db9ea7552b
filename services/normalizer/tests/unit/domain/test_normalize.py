"""Provider bodies are parsed as RFC 8259 JSON: NaN and 1e999 are not data."""

from __future__ import annotations

import pytest

from suivi_normalizer.domain.normalize import decode_body
from suivi_normalizer.providers import AdapterError


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_bodies_with_numbers_json_does_not_have_are_refused(number: str) -> None:
    with pytest.raises(AdapterError, match="not valid JSON"):
        decode_body('{"tracking_number": "LA1FR", "weight": ' + number + "}")


def test_ordinary_bodies_parse() -> None:
    assert decode_body(b'{"weight": 1.5e3}') == {"weight": 1500.0}
