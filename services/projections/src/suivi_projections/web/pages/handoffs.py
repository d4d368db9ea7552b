"""The status page's words for a parcel that changed hands (issue 17): one line per hand-off,
"Handed over to La Poste, new tracking number 6A…", with that carrier's tracking link.

The words are the pages' catalogue's (`page.handed_over`, `page.handed_over_same_number`,
`page.leg_carrier_link`), in every language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from suivi_projections.query.views import ShipmentView
from suivi_projections.web.pages.i18n import Translator
from suivi_schemas.carriers import display_name, tracking_url


@dataclass(frozen=True, slots=True)
class Handoff:
    text: str
    carrier: str
    link_text: str
    url: str | None  # the carrier's own tracking page (private page only)


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
        text = (
            t("page.handed_over_same_number", carrier=name, number=number)
            if same
            else t("page.handed_over", carrier=name, number=number)
        )
        found.append(
            Handoff(
                text=text,
                carrier=name,
                link_text=t("page.leg_carrier_link", carrier=name),
                url=None if shared else tracking_url(leg.carrier, leg.tracking_number),
            )
        )
    return tuple(found)


def leg_carrier(entry: object) -> str | None:
    """The carrier that reported a checkpoint of a parcel with several legs, for display."""
    carrier = getattr(entry, "carrier", None)
    return display_name(carrier) if isinstance(carrier, str) else None
