"""The status page's words for a parcel that changed hands (issue 17): one line per hand-off,
"Handed over to La Poste, new tracking number 6A…", with that carrier's tracking link.

The words are catalogue keys (`page.handed_over`, `page.handed_over_same_number`,
`page.leg_carrier_link`); while a language's catalogue lacks them, the English and French
below are used, so the page never shows a bare key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from suivi_projections.query.views import ShipmentView
from suivi_projections.web.pages.i18n import Translator
from suivi_schemas.carriers import display_name, tracking_url

FALLBACK: dict[str, dict[str, str]] = {
    "en": {
        "page.handed_over": "Handed over to {carrier}, new tracking number {number}",
        "page.handed_over_same_number": "Handed over to {carrier}, same tracking number {number}",
        "page.leg_carrier_link": "Follow it on {carrier}'s site",
    },
    "fr": {
        "page.handed_over": "Remis à {carrier}, nouveau numéro de suivi {number}",
        "page.handed_over_same_number": "Remis à {carrier}, même numéro de suivi {number}",
        "page.leg_carrier_link": "Le suivre sur le site de {carrier}",
    },
}


@dataclass(frozen=True, slots=True)
class Handoff:
    text: str
    carrier: str
    link_text: str
    url: str | None  # the carrier's own tracking page (private page only)


def words(t: Translator, key: str, **values: str) -> str:
    if t.has(key):
        return t(key, **values)
    table = FALLBACK.get(t.language, FALLBACK["en"])
    return table[key].format(**values)


def handoffs(
    s: ShipmentView, t: Translator, *, shared: bool, mask: Callable[[str], str]
) -> tuple[Handoff, ...]:
    """Each later leg of the parcel, in chain order (nothing for a one-carrier parcel)."""
    legs = getattr(s, "legs", ())
    found = []
    for leg in legs:
        if leg.position == 0:
            continue
        name = display_name(leg.carrier)
        number = mask(leg.tracking_number) if shared else leg.tracking_number
        same = leg.tracking_number == s.tracking_number
        key = "page.handed_over_same_number" if same else "page.handed_over"
        found.append(
            Handoff(
                text=words(t, key, carrier=name, number=number),
                carrier=name,
                link_text=words(t, "page.leg_carrier_link", carrier=name),
                url=None if shared else tracking_url(leg.carrier, leg.tracking_number),
            )
        )
    return tuple(found)


def leg_carrier(entry: object) -> str | None:
    """The carrier that reported a checkpoint of a parcel with several legs, for display."""
    carrier = getattr(entry, "carrier", None)
    return display_name(carrier) if isinstance(carrier, str) else None
