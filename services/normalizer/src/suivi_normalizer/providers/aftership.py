"""AfterShip `tracking_update` webhooks → checkpoints.

Documentation read (AfterShip's own):
- Sub-status codes: "Delivery Sub-statuses",
  https://www.aftership.com/docs/tracking/2026-07/enum/delivery-sub-statuses (same table in
  2025-04; Delivered_005 is new in 2026-07), and the help-center article "Learn About Delivery
  Sub-Status", https://tracking-helpcenter.aftership.com/en/article/learn-about-delivery-sub-status-1b0hdlx
  (Exception_016 to Exception_021, assigned to shipments tracked from 2026-03-27).
- Objects: Tracking API 2026-07 OpenAPI ("Tracking", "Checkpoint") and AfterShip's generated SDK
  models (AfterShip/tracking-sdk-nodejs, src/model/Tracking.ts, Checkpoint.ts).
- Envelope: "Webhook Specifications",
  https://www.aftership.com/docs/tracking/2025-01/webhook/webhook-specifications
  (`event`, `event_id`, `is_tracking_first_tag`, `msg` = the tracking object, `ts`). Any event
  whose `msg` is a tracking object is read the same way; anything else fails on the missing path.

Mapping: the canonical meaning comes from each checkpoint's `subtag`; the table maps every
documented one. An unmapped subtag is not guessed: it gets the status of its top-level `tag`
(else of the subtag's prefix, else `exception`) with substatus `unknown_code`, and the subtag is
kept as the raw code. A checkpoint with a documented `tag` and no `subtag` at all (the v4
webhooks before sub-statuses) has the tag's status without a substatus, the tag as raw code,
and the body counts one degraded parse of `msg.checkpoints[].subtag`.
Codes seen only in older or third-party lists (OutForDelivery_002,
Pending_002 and up, Exception_014/015) take that path: no current documentation defines them.

Times: `checkpoint_time` is the checkpoint's local time, as `YYYY-MM-DDTHH:mm:ss`, with or
without an offset (`Z`, `±hh:mm`), sometimes a bare date. Offsets are kept. An offset-less time is
placed by timeparse.parse_placed: the checkpoint's country when its zones agree, else its `city`
or `state` (older webhooks: `state: CA` → Los Angeles time), else the shipment's origin and
destination countries when they agree, else UTC; the event's `time_basis` says which. A bare date
becomes local noon. Estimated-delivery times without an offset use the destination
country (AfterShip gives EDDs in the recipient's zone).

Fields, current API first, then legacy webhook versions: country `country_region` /
`country_iso3` (ISO alpha-3, converted to alpha-2, unknown codes dropped) / `country_name` (in
any language, places.country_code), postal code
`postal_code` / `zip`; `state` becomes the region. The carrier is the tracking's `slug` for every
checkpoint (a checkpoint's own `slug` may name a last-mile carrier: one shipment stays one key).

Estimated delivery, on the latest checkpoint only, the first found of:
`courier_estimated_delivery_date` (carrier), `aftership_estimated_delivery_date` (AfterShip AI:
provider), `latest_estimated_delivery` when its source is "Carrier EDD" or "AfterShip EDD",
legacy `expected_delivery` (carrier). Custom and order EDDs are merchant promises: ignored.

No news yet: a `Pending` tracking without checkpoints ("new tracking, no information yet") yields
no checkpoint and is not an error: the body normalizes to nothing, and the tracking stays visible
as registered and `pending` in the tracker (docs/tracking.md) until the carrier's first event.
Tracking-level status: any other tag with no checkpoints makes one checkpoint from the tracking's
own `tag`/`subtag` at `created_at` (else `updated_at`, which moves on every refresh); so does an
`Expired` tracking (expiry never appears on a checkpoint), at `updated_at`.
"""

from __future__ import annotations

import re
from typing import Any

from suivi_normalizer.providers import common
from suivi_normalizer.providers.aftership_estimate import delivery_estimate
from suivi_normalizer.providers.base import (
    AdapterError,
    Checkpoint,
    CodeTable,
    Meaning,
    Parsed,
    location_of,
    require,
    text,
)
from suivi_normalizer.providers.places import country_code, facility_state
from suivi_normalizer.providers.timeparse import parse_placed
from suivi_schemas import Reason, ShipmentStatus
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.status import Substatus

SLUG = "aftership"

S, X, R = ShipmentStatus, Substatus, Reason

TABLE = CodeTable(
    SLUG,
    {
        "Pending_001": Meaning(S.PENDING, X.NOT_FOUND),  # no info at the carrier yet
        "InfoReceived_001": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "InTransit_001": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),  # shipment on the way
        "InTransit_002": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # acceptance scan
        "InTransit_003": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),  # arrival scan
        "InTransit_004": Meaning(S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
        "InTransit_005": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),
        "InTransit_006": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),  # clearance started
        "InTransit_007": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),  # departure scan
        "InTransit_008": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),  # problem resolved
        "InTransit_009": Meaning(S.IN_TRANSIT, X.FORWARDED),  # to a different address
        "OutForDelivery_001": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
        "OutForDelivery_003": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),  # customer called
        "OutForDelivery_004": Meaning(S.OUT_FOR_DELIVERY, X.DELIVERY_SCHEDULED),  # appointment
        "AvailableForPickup_001": Meaning(
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "AttemptFail_001": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.OTHER),  # notice usually left
        "AttemptFail_002": Meaning(
            S.DELIVERY_ATTEMPT_FAILED, X.RECIPIENT_UNAVAILABLE, reason=R.CONSIGNEE
        ),
        "AttemptFail_003": Meaning(
            S.DELIVERY_ATTEMPT_FAILED, X.BUSINESS_CLOSED, reason=R.CONSIGNEE
        ),
        "Delivered_001": Meaning(S.DELIVERED, X.DELIVERED),
        "Delivered_002": Meaning(S.DELIVERED, X.PICKED_UP_BY_CUSTOMER),
        "Delivered_003": Meaning(S.DELIVERED, X.SIGNED),
        "Delivered_004": Meaning(S.DELIVERED, X.COD_COLLECTED),
        "Delivered_005": Meaning(S.DELIVERED, X.DELIVERED_TO_NEIGHBOR),
        "Exception_001": Meaning(S.EXCEPTION, X.OTHER),  # unspecified shipping exception
        "Exception_002": Meaning(
            S.EXCEPTION, X.RECIPIENT_MOVED, action_required=True, reason=R.CONSIGNEE
        ),
        "Exception_003": Meaning(S.EXCEPTION, X.REFUSED, reason=R.CONSIGNEE),
        "Exception_004": Meaning(S.EXCEPTION, X.CUSTOMS_HOLD, reason=R.CUSTOMS),  # customs delay
        "Exception_005": Meaning(S.EXCEPTION, X.CARRIER_DELAY, reason=R.UNKNOWN),  # external
        "Exception_006": Meaning(
            S.EXCEPTION, X.HELD_FOR_PAYMENT, action_required=True, reason=R.CONSIGNEE
        ),
        "Exception_007": Meaning(
            S.EXCEPTION, X.ADDRESS_ISSUE, action_required=True, reason=R.CONSIGNEE
        ),
        # Pick-up missed: not collected from the pickup point ("unclaimed" has no substatus).
        "Exception_008": Meaning(S.EXCEPTION, X.OTHER, action_required=True, reason=R.CONSIGNEE),
        # Rejected by carrier: the parcel breaks the carrier's rules (no closer substatus).
        "Exception_009": Meaning(S.EXCEPTION, X.HELD_BY_CARRIER, reason=R.RETAILER),
        "Exception_010": Meaning(S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),
        "Exception_011": Meaning(S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
        "Exception_012": Meaning(S.EXCEPTION, X.DAMAGED, reason=R.CARRIER),
        "Exception_013": Meaning(S.LOST, X.LOST, reason=R.CARRIER),
        "Exception_016": Meaning(S.EXCEPTION, X.CARRIER_DELAY, reason=R.CARRIER),  # processing
        "Exception_017": Meaning(S.EXCEPTION, X.WEATHER_DELAY, reason=R.WEATHER),
        "Exception_018": Meaning(
            S.EXCEPTION, X.CUSTOMS_DOCUMENTS_REQUIRED, action_required=True, reason=R.CUSTOMS
        ),
        "Exception_019": Meaning(S.EXCEPTION, X.CARRIER_DELAY, reason=R.CARRIER),  # late flight
        "Exception_020": Meaning(S.CANCELLED, X.CANCELLED),  # voided by sender or carrier
        "Exception_021": Meaning(S.LOST, X.DISPOSED),  # destroyed or discarded
        "Expired_001": Meaning(S.EXPIRED, X.EXPIRED),  # no information for 30 days
    },
)

# Top-level tags: the fallback status of a subtag nobody mapped.
TAGS: dict[str, ShipmentStatus] = {
    "Pending": S.PENDING,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit": S.IN_TRANSIT,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "AttemptFail": S.DELIVERY_ATTEMPT_FAILED,
    "Delivered": S.DELIVERED,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "Exception": S.EXCEPTION,
    "Expired": S.EXPIRED,
}

# ISO 3166-1 alpha-3 + alpha-2, from the iso-codes database (249 countries) plus Kosovo (XKX).
_ISO3 = (
    "ABWAW AFGAF AGOAO AIAAI ALAAX ALBAL ANDAD AREAE ARGAR ARMAM ASMAS ATAAQ ATFTF ATGAG AUSAU "
    "AUTAT AZEAZ BDIBI BELBE BENBJ BESBQ BFABF BGDBD BGRBG BHRBH BHSBS BIHBA BLMBL BLRBY BLZBZ "
    "BMUBM BOLBO BRABR BRBBB BRNBN BTNBT BVTBV BWABW CAFCF CANCA CCKCC CHECH CHLCL CHNCN CIVCI "
    "CMRCM CODCD COGCG COKCK COLCO COMKM CPVCV CRICR CUBCU CUWCW CXRCX CYMKY CYPCY CZECZ DEUDE "
    "DJIDJ DMADM DNKDK DOMDO DZADZ ECUEC EGYEG ERIER ESHEH ESPES ESTEE ETHET FINFI FJIFJ FLKFK "
    "FRAFR FROFO FSMFM GABGA GBRGB GEOGE GGYGG GHAGH GIBGI GINGN GLPGP GMBGM GNBGW GNQGQ GRCGR "
    "GRDGD GRLGL GTMGT GUFGF GUMGU GUYGY HKGHK HMDHM HNDHN HRVHR HTIHT HUNHU IDNID IMNIM INDIN "
    "IOTIO IRLIE IRNIR IRQIQ ISLIS ISRIL ITAIT JAMJM JEYJE JORJO JPNJP KAZKZ KENKE KGZKG KHMKH "
    "KIRKI KNAKN KORKR KWTKW LAOLA LBNLB LBRLR LBYLY LCALC LIELI LKALK LSOLS LTULT LUXLU LVALV "
    "MACMO MAFMF MARMA MCOMC MDAMD MDGMG MDVMV MEXMX MHLMH MKDMK MLIML MLTMT MMRMM MNEME MNGMN "
    "MNPMP MOZMZ MRTMR MSRMS MTQMQ MUSMU MWIMW MYSMY MYTYT NAMNA NCLNC NERNE NFKNF NGANG NICNI "
    "NIUNU NLDNL NORNO NPLNP NRUNR NZLNZ OMNOM PAKPK PANPA PCNPN PERPE PHLPH PLWPW PNGPG POLPL "
    "PRIPR PRKKP PRTPT PRYPY PSEPS PYFPF QATQA REURE ROURO RUSRU RWARW SAUSA SDNSD SENSN SGPSG "
    "SGSGS SHNSH SJMSJ SLBSB SLESL SLVSV SMRSM SOMSO SPMPM SRBRS SSDSS STPST SURSR SVKSK SVNSI "
    "SWESE SWZSZ SXMSX SYCSC SYRSY TCATC TCDTD TGOTG THATH TJKTJ TKLTK TKMTM TLSTL TONTO TTOTT "
    "TUNTN TURTR TUVTV TWNTW TZATZ UGAUG UKRUA UMIUM URYUY USAUS UZBUZ VATVA VCTVC VENVE VGBVG "
    "VIRVI VNMVN VUTVU WLFWF WSMWS XKXXK YEMYE ZAFZA ZMBZM ZWEZW"
)
ALPHA2: dict[str, str] = {pair[:3]: pair[3:] for pair in _ISO3.split()}
_KNOWN_ALPHA2 = frozenset(ALPHA2.values())

# A tracking in these tags without checkpoints has no carrier event yet (AfterShip's "Pending":
# "new tracking, no information yet"): no checkpoint, the tracker shows it as pending.
NO_NEWS_TAGS = frozenset({"Pending"})
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def country_alpha2(value: Any) -> str | None:
    """AfterShip's ISO alpha-3 (or an already alpha-2 code) → alpha-2; unknown → None."""
    code = text(value)
    if code is None:
        return None
    code = code.upper()
    if len(code) == 2:
        return code if code in _KNOWN_ALPHA2 else None
    return ALPHA2.get(code) or country_code(code)  # a name, in any language


def _string(obj: dict[str, Any], key: str, path: str, max_length: int = 64) -> str:
    value = require(obj, key, path)
    if not isinstance(value, str) or not value.strip():
        raise AdapterError(f"{path}.{key}: expected a non-empty string, got {value!r}")
    if len(value.strip()) > max_length:
        raise AdapterError(f"{path}.{key}: longer than {max_length} characters")
    return value.strip()


def _fallback(tag: str | None, subtag: str | None) -> ShipmentStatus:
    """The tag's status, else the subtag prefix's ("Delivered_009" → delivered), else exception."""
    prefix = subtag.split("_", 1)[0] if subtag else None
    for candidate in (tag, prefix):
        if candidate is not None and candidate in TAGS:
            return TAGS[candidate]
    return S.EXCEPTION


def _meaning(obj: dict[str, Any], path: str) -> tuple[str, Meaning, bool]:
    tag, subtag = text(obj.get("tag")), text(obj.get("subtag"))
    code = subtag or tag
    if code is None:
        raise AdapterError(f"{path}.subtag: missing (and no tag either)")
    if subtag is None and tag in TAGS:
        # Older webhooks (v4) send the tag alone: a documented meaning, only less precise.
        return tag, Meaning(TAGS[tag]), True
    meaning, known = TABLE.lookup(code, _fallback(tag, subtag))
    return code, meaning, known


def _checkpoint(
    cp: Any, path: str, carrier: str, number: str, shipment: tuple[str | None, ...]
) -> Checkpoint:
    if not isinstance(cp, dict):
        raise AdapterError(f"{path}: expected an object")
    country = country_alpha2(common.first(cp, "country_region", "country_iso3", "country_name"))
    city = text(cp.get("city"))
    # USPS facilities carry their state in their name ("WEST PALM BEACH FL DISTRIBUTION CENTER").
    region = text(cp.get("state")) or (facility_state(city) if country in ("US", None) else None)
    placed = parse_placed(
        require(cp, "checkpoint_time", path),
        f"{path}.checkpoint_time",
        country=country,
        region=region,
        city=city,
        shipment=shipment,
    )
    code, meaning, known = _meaning(cp, path)
    message = text(cp.get("message")) or text(cp.get("subtag_message"))
    postal_code = text(common.first(cp, "postal_code", "zip"))
    where = location_of(city, region, postal_code, country)  # shared; None when empty
    return common.checkpoint(carrier, number, placed, code, (meaning, known), message, where)


def _tracking_level(msg: dict[str, Any], carrier: str, number: str) -> Checkpoint:
    # Pending trackings are re-sent with a fresh updated_at: created_at keeps their one event
    # stable. Expiry happens once, when AfterShip stops tracking, at updated_at.
    order = (
        ("updated_at", "created_at")
        if msg.get("tag") == "Expired"
        else ("created_at", "updated_at")
    )
    key = next((k for k in order if msg.get(k) is not None), None)
    if key is None:
        raise AdapterError("$.msg.created_at: missing (and no updated_at either)")
    code, meaning, known = _meaning(msg, "$.msg")
    placed = parse_placed(msg[key], f"$.msg.{key}")
    return common.checkpoint(
        carrier, number, placed, code, (meaning, known), text(msg.get("subtag_message"))
    )


def parse(payload: Any) -> list[Checkpoint]:
    if not isinstance(payload, dict):
        raise AdapterError("$: expected a JSON object (an AfterShip webhook body)")
    msg = require(payload, "msg", "$")
    if not isinstance(msg, dict):
        raise AdapterError("$.msg: expected an object (the tracking)")
    number = _string(msg, "tracking_number", "$.msg")
    slug = _string(msg, "slug", "$.msg").lower()
    if not _SLUG.match(slug):
        raise AdapterError(f"$.msg.slug: not a courier slug: {slug!r}")
    carrier = canonical_carrier(slug)
    raw_checkpoints = common.optional_list(msg, "checkpoints", "$.msg")
    destination = country_alpha2(
        common.first(msg, "destination_country_region", "destination_country_iso3")
    )
    origin = country_alpha2(common.first(msg, "origin_country_region", "origin_country_iso3"))
    checkpoints = [
        _checkpoint(cp, f"$.msg.checkpoints[{i}]", carrier, number, (origin, destination))
        for i, cp in enumerate(raw_checkpoints)
    ]
    if not checkpoints and text(msg.get("tag")) in NO_NEWS_TAGS:
        return []  # registered, no news from the carrier yet: no checkpoint (module docstring)
    # Checkpoints read from their tag alone (v4 webhooks) did without the subtag: counted.
    degraded = ["msg.checkpoints[].subtag"] if any(c.code in TAGS for c in checkpoints) else []
    expired = msg.get("tag") == "Expired" and all(
        c.meaning.status != S.EXPIRED for c in checkpoints
    )
    if not checkpoints or expired:
        checkpoints.append(_tracking_level(msg, carrier, number))
    common.estimate_on_latest(checkpoints, delivery_estimate(msg, destination))
    return Parsed(checkpoints, degraded)
