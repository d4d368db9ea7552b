"""Suivi's carrier slugs: one name per carrier, whichever provider reported the parcel.

The shipment key is `carrier:TRACKINGNUMBER`, so the same parcel seen through EasyPost and
AfterShip only merges if both adapters name its carrier the same way. Adapters pass whatever
the provider calls the carrier (EasyPost `DHLExpress`, Shippo `dhl_express`, AfterShip
`dhl`) through `canonical_carrier`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import quote

# Compact form (lowercase letters and digits only) → Suivi slug.
ALIASES: dict[str, str] = {
    "usps": "usps",
    "unitedstatespostalservice": "usps",
    "ups": "ups",
    "unitedparcelservice": "ups",
    "fedex": "fedex",
    "fedexground": "fedex",
    "fedexsmartpost": "fedex",
    "dhl": "dhl",
    "dhlexpress": "dhl",
    "dhlecs": "dhl-ecommerce",
    "dhlecommerce": "dhl-ecommerce",
    "dhlecommercesolutions": "dhl-ecommerce",
    "dhlglobalmail": "dhl-ecommerce",
    "laposte": "laposte",
    "lapostefr": "laposte",
    # Colissimo is La Poste's parcel brand on La Poste's own numbering and tracking system
    # (Suivi v2 answers for both): one carrier, so the same parcel reported as "Colissimo" by
    # one provider and "La Poste" by another stays one shipment.
    "colissimo": "laposte",
    "lapostecolissimo": "laposte",
    "chronopost": "chronopost",
    "chronopostfrance": "chronopost",
    "deutschepost": "deutsche-post",
    "deutschpost": "deutsche-post",
    # DHL Paket (Germany's parcels): DHL's Unified API serves them as `parcel-de`, which the
    # DHL adapter names Deutsche Post; 17TRACK says "DHL Paket", AfterShip `dhl-germany`.
    "dhlpaket": "deutsche-post",
    "dhlgermany": "deutsche-post",
    "dhlparcelde": "deutsche-post",
    "deutschepostdhl": "deutsche-post",
    "royalmail": "royal-mail",
    "canadapost": "canada-post",
    "australiapost": "australia-post",
    "japanpost": "japan-post",
    "chinapost": "china-post",
    "chinaems": "china-ems",
    "cainiao": "cainiao",
    "hermesuk": "evri",
    "evri": "evri",
    "postnl": "postnl",
    "dpd": "dpd",
    "gls": "gls",
    "ontrac": "ontrac",
    "lasership": "lasership",
    "amazon": "amazon",
    "amazonshipping": "amazon",
    "aramex": "aramex",
    "purolator": "purolator",
    "sfexpress": "sf-express",
    "yanwen": "yanwen",
    "4px": "4px",
    "yunexpress": "yunexpress",
    "mondialrelay": "mondial-relay",  # issue 17: its own provider (no longer only a link)
    "colisprive": "colis-prive",
}

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=4096)
def canonical_carrier(name: str) -> str:
    """`DHLExpress`, `dhl_express`, `DHL Express` → `dhl`; unknown names become a plain slug
    (`Some Carrier Ltd` → `some-carrier-ltd`). Raises ValueError when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    compact = _NON_ALNUM.sub("", ascii_name)
    if not compact:
        raise ValueError(f"not a carrier name: {name!r}")
    known = ALIASES.get(compact)
    if known is not None:
        return known
    return _NON_ALNUM.sub("-", ascii_name).strip("-")[:64]


# What shoppers read: each carrier as it writes its own name (never "Dhl-Ecommerce").
DISPLAY_NAMES: dict[str, str] = {
    "usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL", "dhl-ecommerce": "DHL eCommerce",
    "laposte": "La Poste", "chronopost": "Chronopost", "deutsche-post": "Deutsche Post",
    "royal-mail": "Royal Mail", "canada-post": "Canada Post", "australia-post": "Australia Post",
    "japan-post": "Japan Post", "china-post": "China Post", "china-ems": "China EMS",
    "cainiao": "Cainiao", "evri": "Evri", "postnl": "PostNL", "dpd": "DPD", "gls": "GLS",
    "ontrac": "OnTrac", "lasership": "LaserShip", "amazon": "Amazon Shipping",
    "aramex": "Aramex", "purolator": "Purolator", "sf-express": "SF Express",
    "yanwen": "Yanwen", "4px": "4PX", "yunexpress": "YunExpress",
    # The posts that detection knows by their S10 country (suivi_schemas.detection).
    "hongkong-post": "Hongkong Post", "singapore-post": "Singapore Post",
    "swiss-post": "Swiss Post", "poste-italiane": "Poste Italiane", "correos": "Correos",
    "bpost": "bpost",
    "mondial-relay": "Mondial Relay", "colis-prive": "Colis Privé",
}  # fmt: skip

# The carrier's own public tracking page; `{n}` is the URL-encoded tracking number.
TRACKING_URLS: dict[str, str] = {
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}",
    "ups": "https://www.ups.com/track?tracknum={n}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={n}",
    "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={n}",
    "dhl-ecommerce": "https://webtrack.dhlecs.com/orders?trackingNumber={n}",
    "laposte": "https://www.laposte.fr/outils/suivre-vos-envois?code={n}",
    "chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={n}",
    "deutsche-post": "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={n}",
    "royal-mail": "https://www.royalmail.com/track-your-item#/tracking-results/{n}",
    "canada-post": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={n}",
    "australia-post": "https://auspost.com.au/mypost/track/details/{n}",
    "evri": "https://www.evri.com/track/parcel/{n}",
    "postnl": "https://jouw.postnl.nl/track-and-trace/{n}",
    "dpd": "https://tracking.dpd.de/status/en_US/parcel/{n}",
    "gls": "https://gls-group.com/GROUP/en/parcel-tracking?match={n}",
    "ontrac": "https://www.ontrac.com/tracking/?number={n}",
    "aramex": "https://www.aramex.com/us/en/track/results?ShipmentNumber={n}",
    "purolator": "https://www.purolator.com/en/shipping/tracker?pin={n}",
    # Every other carrier Suivi names (issue 17): the page links out even when Suivi cannot
    # track it itself.
    "japan-post": "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={n}&locale=en",
    "china-post": "https://english.ems.com.cn/queryWebsiteBillDaoAction.do?mailNum={n}",
    "china-ems": "https://english.ems.com.cn/queryWebsiteBillDaoAction.do?mailNum={n}",
    "cainiao": "https://global.cainiao.com/newDetail.htm?mailNoList={n}",
    "lasership": "https://www.ontrac.com/tracking/?number={n}",  # LaserShip is part of OnTrac
    "amazon": "https://track.amazon.com/tracking/{n}",
    "sf-express": "https://www.sf-express.com/en/global/waybill/waybill-detail/{n}",
    "yanwen": "https://track.yw56.com.cn/en/querydel?nums={n}",
    "4px": "https://track.4px.com/#/result/0/{n}",
    "yunexpress": "https://www.yuntrack.com/parcelTracking?id={n}",
    "hongkong-post": "https://www.hongkongpost.hk/en/tracking/index.html?trackcode={n}",
    "singapore-post": "https://www.singpost.com/track-items?trackingid={n}",
    "swiss-post": "https://service.post.ch/ekp-web/ui/entry/shipping/1/{n}",
    "poste-italiane": "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{n}",
    "correos": "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number={n}",
    "bpost": "https://track.bpost.cloud/btr/web/#/search?itemCode={n}&lang=en",
    "mondial-relay": "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={n}",
    "colis-prive": "https://www.colisprive.com/moncolis/pages/detailColis.aspx?numColis={n}",
}


def display_name(slug: str) -> str:
    """The carrier's own spelling; an unknown slug is shown as words ('some-carrier' → 'Some
    Carrier'), short ones in capitals ('xyz' → 'XYZ')."""
    known = DISPLAY_NAMES.get(slug)
    if known is not None:
        return known
    return slug.upper() if len(slug) <= 4 else slug.replace("-", " ").title()


def tracking_url(slug: str, tracking_number: str) -> str | None:
    """The carrier's own tracking page for this number, when we know it."""
    template = TRACKING_URLS.get(slug)
    return template.format(n=quote(tracking_number, safe="")) if template else None
