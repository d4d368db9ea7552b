"""One slug per carrier, whichever provider named it."""

from __future__ import annotations

import pytest

from suivi_schemas.carriers import canonical_carrier


@pytest.mark.parametrize(
    ("names", "slug"),
    [
        (["DHLExpress", "dhl_express", "DHL Express", "dhl"], "dhl"),
        (["Canada Post", "CanadaPost", "canada_post", "canada-post"], "canada-post"),
        (["La Poste", "la_poste", "laposte", "la-poste-colissimo", "Colissimo"], "laposte"),
        (["hermes_uk", "Evri"], "evri"),
        (["USPS", "usps"], "usps"),
        (["FedExSmartPost", "FedEx", "fedex"], "fedex"),
        # DHL's parcel-de (the DHL adapter: Deutsche Post), 17TRACK, AfterShip (issue 15)
        (["Deutsche Post", "DHL Paket", "dhl-germany", "DeutschePost"], "deutsche-post"),
    ],
)
def test_provider_spellings_meet_on_one_slug(names: list[str], slug: str) -> None:
    assert {canonical_carrier(n) for n in names} == {slug}


def test_unknown_carriers_become_plain_slugs() -> None:
    assert canonical_carrier("Some Carrier Ltd.") == "some-carrier-ltd"
    assert canonical_carrier("Pošta Slovenije") == "posta-slovenije"


def test_nothing_left_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a carrier name"):
        canonical_carrier(" ⛔ ")
