"""Pure readings of the sources' answers: not-found shapes, 17TRACK rejections, carrier codes."""

from __future__ import annotations

from suivi_tracker.adapters.sources import aftership, easypost, fedex, seventeentrack, shippo, ups
from suivi_tracker.adapters.sources.seventeentrack import SeventeenTrackSource
from suivi_tracker.domain.sources import NeedsInfo, RateLimited, Rejected


def test_ups_warnings_without_a_package_are_not_found() -> None:
    warned = {"trackResponse": {"shipment": [{"warnings": [{"code": "TW0001"}], "package": []}]}}
    tracked: dict[str, object] = {"trackResponse": {"shipment": [{"package": [{"activity": []}]}]}}
    assert ups.not_found(warned)
    assert not ups.not_found(tracked)
    assert not ups.not_found({"unexpected": True})


def test_fedex_error_codes_of_every_track_result() -> None:
    body = {"output": {"completeTrackResults": [
        {"trackResults": [{"error": {"code": fedex.NOT_FOUND}}]},
        {"trackResults": [{"scanEvents": []}]},
    ]}}  # fmt: skip
    assert fedex._errors(body) == [fedex.NOT_FOUND, ""]
    assert fedex._errors({"output": None}) == []


def test_17track_rejections_become_the_port_errors() -> None:
    outcome = SeventeenTrackSource._outcome
    assert outcome(None) is None
    assert outcome({"code": seventeentrack.ALREADY_REGISTERED}) is None  # idempotent
    assert isinstance(outcome({"code": seventeentrack.QUOTA_SPENT}), RateLimited)
    assert isinstance(outcome({"code": seventeentrack.NEEDS_PARAM}), NeedsInfo)
    assert isinstance(outcome({"code": -18010012, "message": "invalid"}), Rejected)


def test_aggregators_serve_the_main_carriers_under_their_own_codes() -> None:
    for table in (easypost.CARRIERS, aftership.CARRIERS, shippo.CARRIERS):
        assert {"usps", "ups", "fedex", "dhl", "laposte"} <= set(table)
    assert seventeentrack.CARRIERS["usps"] == 21051
    assert easypost.CARRIERS["dhl"] == "DHLExpress"
    assert aftership.CARRIERS["laposte"] == "la-poste-colissimo"


def test_aftership_follows_dhl_paket_under_the_slug_it_names_back() -> None:
    """Suivi's `deutsche-post` is DHL Paket (SSCCs, DHL's `parcel-de`): AfterShip tracks those as
    `dhl-germany` (its `deutsch-post` is letter mail), and names them back the same."""
    from suivi_schemas.carriers import canonical_carrier

    assert aftership.CARRIERS["deutsche-post"] == "dhl-germany"
    assert canonical_carrier(aftership.CARRIERS["deutsche-post"]) == "deutsche-post"


def test_carriers_without_a_public_api_are_served_by_an_aggregator() -> None:
    """Issue 17: Cainiao and 4PX have no open tracking API (docs/tracking.md); AfterShip's
    slugs follow them, and the router sends them there when no own source exists."""
    from suivi_schemas.carriers import canonical_carrier
    from suivi_tracker.adapters.sources.config import SourcesSettings, build_sources
    from suivi_tracker.domain.routing import route

    for carrier, slug in {"cainiao": "cainiao", "4px": "4px", "colis-prive": "colis-prive"}.items():
        assert aftership.CARRIERS[carrier] == slug
        assert canonical_carrier(slug) == carrier  # AfterShip's webhook names it back the same
    sources = build_sources(SourcesSettings(aftership={"api_key": "k"}))  # type: ignore[arg-type]
    assert [s.name for s in sources] == ["aftership"]
    assert route("cainiao", sources).name == "aftership"  # type: ignore[union-attr]
    assert route("4px", sources).name == "aftership"  # type: ignore[union-attr]
    assert canonical_carrier(aftership.CARRIERS["mondial-relay"]) == "mondial-relay"
