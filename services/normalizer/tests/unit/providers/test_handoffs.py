"""Hand-offs read in aggregators' bodies (issue 17): AfterShip last_mile, 17TRACK's several
providers, a checkpoint naming the next number, an S10 number entering its destination."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from suivi_normalizer.domain.legs import links_of
from suivi_normalizer.providers.handoffs import from_messages, s10_destination_post
from suivi_normalizer.testing.envelope import envelope_for
from suivi_schemas.legs import LinkSource, leg_link_id

FIXTURES = Path(__file__).parents[2] / "fixtures"
AT = datetime(2026, 5, 12, tzinfo=UTC)


def _links(provider: str, path: str) -> list[tuple[str, str, LinkSource]]:
    body = (FIXTURES / path).read_text(encoding="utf-8")
    raw = envelope_for(provider, body, AT)
    return [(k.from_key, k.to_key, k.source) for k in links_of(raw, json.loads(body))]


def test_aftership_last_mile_names_la_poste_and_its_number() -> None:
    found = _links("aftership", "aftership/cainiao_last_mile_laposte.json")
    # The checkpoint saying so names the same leg: one link, first reason kept.
    assert found == [("cainiao:LP00712345678901", "laposte:6A18987654321", LinkSource.LAST_MILE)]


def test_17track_providers_order_origin_then_destination() -> None:
    found = _links("17track", "17track/cainiao_china_to_usps_duplicates.json")
    assert found == [("cainiao:LP00598765432101", "usps:LP00598765432101", LinkSource.PROVIDERS)]


def test_17track_s10_number_goes_on_with_the_destination_post() -> None:
    found = _links("17track", "17track/china_post_s10_to_laposte.json")
    assert found == [("china-post:LX123456785CN", "laposte:LX123456785CN", LinkSource.PROVIDERS)]


def test_bodies_without_a_hand_off_state_none() -> None:
    assert _links("aftership", "aftership/ups_history_out_of_order.json") == []
    assert _links("17track", "17track/fedex_not_found_yet.json") == []
    assert (
        _links(
            "easypost", "easypost/" + next(p.name for p in (FIXTURES / "easypost").glob("*.json"))
        )
        == []
    )


def test_s10_rule_needs_a_valid_check_digit_and_another_country() -> None:
    assert s10_destination_post("LX123456785CN", "FR") == "laposte"
    assert s10_destination_post("LX123456785CN", "CN") is None
    assert s10_destination_post("LX123456784CN", "FR") is None  # wrong check digit
    assert s10_destination_post("6A18987654321", "FR") is None


def test_a_message_names_the_next_carrier_by_format_or_by_name() -> None:
    leg = ("cainiao", "LP00712345678901")
    found = list(
        from_messages(
            leg,
            iter(
                [
                    "Arrived at sorting center",
                    "Handed over to USPS, tracking 9400111899223197428490",
                    "Remis à La Poste, nouveau numéro 6A18987654321",
                    "Handed over to carrier 12345",  # nothing recognisable
                ]
            ),
        )
    )
    assert [(to, source) for _, to, source in found] == [
        (("usps", "9400111899223197428490"), LinkSource.CARRIER_EVENT),
        (("laposte", "6A18987654321"), LinkSource.CARRIER_EVENT),
    ]


def test_ids_are_those_of_the_contract() -> None:
    body = (FIXTURES / "aftership/cainiao_last_mile_laposte.json").read_text()
    (link,) = links_of(envelope_for("aftership", body, AT), json.loads(body))
    assert link.event_id == leg_link_id("cainiao", "LP00712345678901", "laposte", "6A18987654321")
    assert link.linked_at == AT and link.provider == "aftership"
