"""Place names → countries and zones (providers.places), measured on the names issue 15 met."""

from __future__ import annotations

import pytest

from suivi_normalizer.providers import places
from suivi_normalizer.providers.base import location_from
from suivi_normalizer.providers.places import city_zone, country_code, region_zone
from suivi_schemas import Location


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("DEU", "DE"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Alemania", "DE"),
        ("Royaume-Uni", "GB"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("USA", "US"),
        ("United States", "US"),
        ("Vereinigte Staaten", "US"),
        ("ÉTATS-UNIS", "US"),
        ("Österreich", "AT"),
        ("中国", "CN"),
        ("Turkey", "TR"),
    ],
)
def test_country_names_in_any_language_and_alpha3(written: str, code: str) -> None:
    assert country_code(written) == code


@pytest.mark.parametrize("written", ["", "  ", "XX", "Atlantis", "Köln", None, 49, "x" * 500])
def test_what_is_not_a_country_is_none(written: object) -> None:
    assert country_code(written) is None


@pytest.mark.parametrize(
    ("country", "region", "zone"),
    [
        ("US", "CA", "America/Los_Angeles"),
        ("US", "New York", "America/New_York"),
        ("US", "AZ", "America/Phoenix"),
        ("CA", "ON", "America/Toronto"),
        ("CA", "British Columbia", "America/Vancouver"),
        ("AU", "WA", "Australia/Perth"),
        ("AU", "AU-QLD", "Australia/Brisbane"),
        ("MX", "Sonora", "America/Hermosillo"),
        ("BR", "AM", "America/Manaus"),
    ],
)
def test_regions_of_countries_spanning_zones(country: str, region: str, zone: str) -> None:
    assert region_zone(country, region) == zone


def test_cities_of_countries_spanning_zones() -> None:
    assert city_zone("US", "Denver") == "America/Denver"
    assert city_zone("US", "LOUISVILLE", "KY") == "America/Kentucky/Louisville"
    assert city_zone("RU", "Novosibirsk") == "Asia/Novosibirsk"
    assert city_zone("US", "Nowhere Special") is None
    assert city_zone("FR", "Paris") is None  # one zone: the country places it, not the city


def test_warm_builds_the_place_tables_and_lets_the_raw_gazetteer_go() -> None:
    places.warm()  # what the normalizer's bootstrap runs at start
    assert places._cities.cache_info().currsize == 1
    assert places._us_state_zones.cache_info().currsize == 1
    assert places._gazetteer.cache_info().currsize == 0
    assert city_zone("US", "Anchorage") == "America/Anchorage"  # answered from the tables
    assert region_zone("US", "HI") == "Pacific/Honolulu"


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("QUEENS NY DISTRIBUTION CENTER", "NY"),
        ("FAYETTEVILLE NC DISTRIBUTION CENTER ANNEX", "NC"),
        ("ST LOUIS MO NETWORK DISTRIBUTION CENTER", "MO"),
        ("SOMEWHERE XX PROCESSING CENTER", None),  # not a US state
        ("HERNANDO", None),
        (None, None),
    ],
)
def test_a_us_facility_name_carries_its_state(name: str | None, state: str | None) -> None:
    assert places.facility_state(name) == state


def test_an_address_object_naming_a_us_facility_gets_its_state() -> None:
    # EasyPost and Shippo relay USPS's facility names in `city` with `state: null`.
    def read(value: dict[str, str | None]) -> Location | None:
        return location_from(
            value, "$", city="city", region="state", postal_code="zip", country="country"
        )

    us = read({"city": "OAK CREEK WI DISTRIBUTION CENTER", "state": None})
    assert us is not None and us.region == "WI"
    abroad = {"city": "LEIPZIG DE HUB", "state": None, "country": "DE"}
    assert read(abroad) == Location(city="LEIPZIG DE HUB", country="DE")
