"""Every adapter, fed its golden fixtures mutated: each body normalizes or is refused with a reason.

Mutations (hypothesis): drop a field, null it, give it another JSON type, a huge string or unusual
Unicode (controls, bidi overrides, astral and combining characters, lone surrogates), reorder an
array. The property: `normalize` returns events or raises AdapterError (a bad payload, dead-
lettered with its message) or pydantic's ValidationError (a value the event contract refuses,
dead-lettered too); never another exception, never a hang. Bounded for CI.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.providers import AdapterError, parser_for, places
from suivi_normalizer.testing.golden import raw_event
from suivi_schemas.providers import PROVIDERS

FIXTURES = Path(__file__).parents[2] / "fixtures"
BODIES = {
    p.slug: [
        json.loads(f.read_text(encoding="utf-8"))
        for f in sorted((FIXTURES / p.slug).glob("*.json"))
    ]
    for p in PROVIDERS
}
# The place gazetteers load once per process (about a second): not part of any body's time.
places.country_code("Deutschland")
places.city_zone("US", "Denver")
# One body's normalization takes milliseconds; a regex or loop gone quadratic shows here.
SLOW_SECONDS = 2.0
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e\u202dRTL",
        "\ufeff\u200b",
        "\U0001d518\U0001d52b \U0001f69a\U0001f4e6",  # astral: Fraktur letters, emoji
        "e\u0301\u0301\u0301",
        "\ud800",
        "\uff26\uff55\uff4c\uff4c",  # full-width letters
        "ß" * 70,
        "9" * 65,
        "2026-02-30T25:61:00",
        "-0000-01-01",
        "NaN",
    ]
)
OTHER_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ODD_TEXT,
    st.text(max_size=30),
    st.just("x" * 200_000),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


@st.composite
def mutated(draw: st.DrawFn, provider: str) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(BODIES[provider])))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        action = draw(st.sampled_from(["drop", "null", "replace", "reorder"]))
        if action == "drop":
            del parent[key]
        elif action == "null":
            parent[key] = None
        elif action == "replace":
            parent[key] = draw(OTHER_VALUES)
        elif isinstance(parent[key], list):
            parent[key] = draw(st.permutations(parent[key]))
    return doc


def _outcome(provider: str, body: Any) -> str:
    text = json.dumps(body, ensure_ascii=True)
    started = time.perf_counter()
    reason = ""
    try:
        # The adapter itself, without normalize's net for a stray TypeError or KeyError: only
        # its documented error may come out; then the events, which the contract validates.
        parser_for(provider)(json.loads(text))
        normalize(raw_event(provider, text))
    except (AdapterError, ValidationError) as exc:
        reason = str(exc) or "(no message)"
    assert time.perf_counter() - started < SLOW_SECONDS, "too slow: a hang in the making"
    assert reason != "(no message)", "a refusal says why"
    return "refused" if reason else "normalized"


@pytest.mark.parametrize("provider", [p.slug for p in PROVIDERS])
def test_mutated_fixtures_normalize_or_are_refused_with_a_reason(provider: str) -> None:
    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=mutated(provider))
    def check(body: Any) -> None:
        _outcome(provider, body)

    assert BODIES[provider], f"no golden fixture for {provider}"
    check()


@pytest.mark.parametrize("provider", [p.slug for p in PROVIDERS])
def test_unmutated_fixtures_normalize(provider: str) -> None:
    # The property's starting point: every golden body normalizes as it is.
    assert {_outcome(provider, body) for body in BODIES[provider]} == {"normalized"}
