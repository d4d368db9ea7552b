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
