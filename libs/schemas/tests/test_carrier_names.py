"""Carrier display names and tracking links: one place, read by the pages and the messages."""

from suivi_schemas.carriers import ALIASES, DISPLAY_NAMES, TRACKING_URLS, display_name, tracking_url


def test_every_canonical_carrier_has_a_display_name() -> None:
    assert set(ALIASES.values()) <= set(DISPLAY_NAMES)
    assert set(TRACKING_URLS) <= set(DISPLAY_NAMES)


def test_names_are_the_carriers_own_spelling() -> None:
    assert display_name("dhl-ecommerce") == "DHL eCommerce"
    assert display_name("laposte") == "La Poste"
    assert display_name("some-carrier") == "Some Carrier"
    assert display_name("xyz") == "XYZ"


def test_tracking_links_are_https_and_encode_the_number() -> None:
    assert tracking_url("ups", "1Z 999/AA") == "https://www.ups.com/track?tracknum=1Z%20999%2FAA"
    assert tracking_url("unknown-carrier", "123") is None
    assert all(url.startswith("https://") and "{n}" in url for url in TRACKING_URLS.values())


def test_every_carrier_suivi_knows_has_a_name_and_a_tracking_page() -> None:
    """Issue 17, item 4: aliases, detection's carriers and S10 posts alike (the page links out
    for carriers Suivi cannot track)."""
    from suivi_schemas.detection import RULES, S10_BY_SERVICE, S10_OPERATORS

    known = set(ALIASES.values())
    for carriers in (*S10_OPERATORS.values(), *S10_BY_SERVICE.values()):
        known.update(carrier for carrier, _ in carriers)
    for rule in RULES:
        if not callable(rule.carriers):
            known.update(carrier for carrier, _ in rule.carriers)
    assert known - set(DISPLAY_NAMES) == set()
    assert known - set(TRACKING_URLS) == set()
