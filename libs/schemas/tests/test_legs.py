"""The leg-link contract: deterministic ids whoever reports the hand-off, one topic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from suivi_schemas.legs import LegLinkEvent, LinkSource, leg_link_id
from suivi_schemas.topics import ALL_TOPICS, LEGS

AT = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def _link(**overrides: object) -> LegLinkEvent:
    fields: dict[str, object] = {
        "source": LinkSource.LAST_MILE,
        "provider": "aftership",
        "linked_at": AT,
    }
    fields.update(overrides)
    return LegLinkEvent.of(("cainiao", "lp00598765432101"), ("laposte", "6a 18987654321"), **fields)  # type: ignore[arg-type]


def test_the_same_hand_off_has_one_id_whoever_reports_it() -> None:
    a = _link()
    b = _link(source=LinkSource.API, provider="merchant", merchant_id="atelier")
    assert (
        a.event_id
        == b.event_id
        == leg_link_id("Cainiao", "LP00598765432101", "laposte", "6A18987654321")
    )
    assert (a.from_key, a.to_key, a.key) == (
        "cainiao:LP00598765432101", "laposte:6A18987654321", "cainiao:LP00598765432101",
    )  # fmt: skip


def test_the_direction_matters() -> None:
    assert leg_link_id("a", "1", "b", "2") != leg_link_id("b", "2", "a", "1")


def test_a_leg_is_not_linked_to_itself() -> None:
    with pytest.raises(ValidationError, match="itself"):
        LegLinkEvent.of(
            ("laposte", "LX123456785CN"), ("LaPoste", "lx 123456785cn"),
            source=LinkSource.UPU_S10, provider="17track", linked_at=AT,
        )  # fmt: skip


def test_the_topic_is_declared_and_round_trips() -> None:
    assert LEGS in ALL_TOPICS and LEGS.payload is LegLinkEvent
    link = _link()
    assert LegLinkEvent.model_validate_json(link.model_dump_json()) == link
