"""The words of the messages, in English and French (the order's locale picks; default en)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, Final

from suivi_schemas.carriers import display_name

LANGUAGES: Final = ("en", "fr")
_NB = "\u00a0"  # French typography: a non-breaking space before : ! ?

# trigger → (headline, sentence); {order}, {carrier} and {merchant} are filled in.
HEADLINES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "en": {
        "in_transit": (
            "Your order {order} has shipped",
            "Your parcel is on its way with {carrier}.",
        ),
        "out_for_delivery": (
            "Your order {order} is out for delivery",
            "It should arrive today.",
        ),
        "available_for_pickup": (
            "Your order {order} is ready for pickup",
            "Your parcel is waiting for you at the pickup point.",
        ),
        "delivery_attempt_failed": (
            "Delivery attempt failed for order {order}",
            "The carrier could not deliver your parcel. The tracking page says what happens next.",
        ),
        "delivered": (
            "Your order {order} has been delivered",
            "Your parcel has been delivered. Enjoy!",
        ),
        "exception": (
            "A problem with the delivery of order {order}",
            "The carrier reports an issue with your parcel. The tracking page has the details.",
        ),
        "returning_to_sender": (
            "Your order {order} is being returned",
            "Your parcel is on its way back to {merchant}. Once it's back, {merchant} can send it "
            "again or refund you: reply to the shop with your order number to choose.",
        ),
        "returned_to_sender": (
            "Your order {order} is back at {merchant}",
            "{carrier} returned your parcel to {merchant}. Contact the shop with your order "
            "number to have it sent again or to be refunded.",
        ),
        # Alerts (tracking.alerts.v1): {since} and {expected} are short dates ("18 Nov").
        "stalled": (
            "No news yet for order {order}",
            "No news from {carrier} since {since} — longer than usual for this route. "
            "We're keeping an eye on it.",
        ),
        "late": (
            "Order {order} is running late",
            "Your parcel is later than {carrier}'s estimate of {expected}. "
            "We're keeping an eye on it.",
        ),
        "late_undated": (
            "Order {order} is running late",
            "Your parcel is later than {carrier}'s estimate. We're keeping an eye on it.",
        ),
        "recovered": (
            "News of your order {order}",
            "{carrier} has news of your parcel again. The tracking page shows where it is.",
        ),
    },
    "fr": {
        "in_transit": (
            "Votre commande {order} a été expédiée",
            "Votre colis est en route avec {carrier}.",
        ),
        "out_for_delivery": (
            "Votre commande {order} est en cours de livraison",
            "Elle devrait arriver aujourd'hui.",
        ),
        "available_for_pickup": (
            "Votre commande {order} vous attend en point de retrait",
            "Votre colis est disponible au point de retrait.",
        ),
        "delivery_attempt_failed": (
            "Échec de la livraison de la commande {order}",
            "Le transporteur n'a pas pu livrer votre colis. La page de suivi indique la suite.",
        ),
        "delivered": (
            "Votre commande {order} a été livrée",
            f"Votre colis a été livré. Bonne réception{_NB}!",
        ),
        "exception": (
            "Un incident sur la livraison de la commande {order}",
            "Le transporteur signale un problème avec votre colis. La page de suivi en dit plus.",
        ),
        "returning_to_sender": (
            "Votre commande {order} est retournée à l'expéditeur",
            "Votre colis repart chez {merchant}. Une fois revenu, {merchant} peut le réexpédier "
            "ou vous rembourser : contactez la boutique avec votre numéro de commande.",
        ),
        "returned_to_sender": (
            "Votre commande {order} est de retour chez {merchant}",
            "{carrier} a renvoyé votre colis à {merchant}. Contactez la boutique avec votre "
            "numéro de commande pour qu'elle le réexpédie ou vous rembourse.",
        ),
        "stalled": (
            "Pas encore de nouvelles de la commande {order}",
            "Pas de nouvelles de {carrier} depuis le {since}, plus longtemps que d'habitude "
            "pour ce trajet. Nous restons attentifs.",
        ),
        "late": (
            "La commande {order} a du retard",
            "Votre colis a dépassé la date estimée par {carrier}, le {expected}. "
            "Nous restons attentifs.",
        ),
        "late_undated": (
            "La commande {order} a du retard",
            "Votre colis a dépassé la date estimée par {carrier}. Nous restons attentifs.",
        ),
        "recovered": (
            "Des nouvelles de votre commande {order}",
            "{carrier} donne de nouveau des nouvelles de votre colis. "
            "La page de suivi indique où il en est.",
        ),
    },
}

# One parcel of a multi-parcel order (ctx.parcels > 1): the parcel's news, not the order's.
# "delivered": plural forms by the number delivered ({n}) of the order's {count} parcels.
PARCEL_HEADLINES: Final[dict[str, dict[str, Any]]] = {
    "en": {
        "in_transit": (
            "A parcel of your order {order} has shipped",
            "One of your parcels is on its way with {carrier}; the others follow separately.",
        ),
        "out_for_delivery": (
            "A parcel of your order {order} is out for delivery",
            "One of your parcels should arrive today; the tracking page shows the others.",
        ),
        "delivered": (
            {
                "one": "{n} of {count} parcels of your order {order} delivered",
                "other": "{n} of {count} parcels of your order {order} delivered",
            },
            "This parcel has been delivered; the tracking page shows where the others are.",
        ),
        "delivered_all": (
            "Your order {order} has been delivered",
            "Your last parcel has arrived: everything has been delivered. Enjoy!",
        ),
    },
    "fr": {
        "in_transit": (
            "Un colis de votre commande {order} a été expédié",
            f"L'un de vos colis est en route avec {{carrier}}{_NB}; les autres suivent à part.",
        ),
        "out_for_delivery": (
            "Un colis de votre commande {order} est en cours de livraison",
            f"L'un de vos colis devrait arriver aujourd'hui{_NB}; la page de suivi montre les "
            "autres.",
        ),
        "delivered": (
            {
                "one": "{n} colis sur {count} de votre commande {order} livré",
                "other": "{n} colis sur {count} de votre commande {order} livrés",
            },
            f"Ce colis a été livré{_NB}; la page de suivi indique où en sont les autres.",
        ),
        "delivered_all": (
            "Votre commande {order} a été livrée",
            f"Votre dernier colis est arrivé{_NB}: tout a été livré. Bonne réception{_NB}!",
        ),
    },
}

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "hello": "Hello,",
        "hello_name": "Hello {name},",
        "track": "Track your parcel",
        "carrier_link": "Follow it on the {carrier} website",
        "tracking_number": "Tracking number: {carrier} {tracking_number}",
        "why": "You receive this email because you ordered from {merchant}.",
        "unsubscribe": "Unsubscribe from these emails",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_ask": "Stop receiving delivery updates by email for this order?",
        "unsubscribe_sms_ask": "Stop receiving delivery updates by SMS for this order?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed": "Done: you will not receive these messages for this order any more.",
    },
    "fr": {
        "hello": "Bonjour,",
        "hello_name": "Bonjour {name},",
        "track": "Suivre mon colis",
        "carrier_link": "Le suivre sur le site de {carrier}",
        "tracking_number": f"Numéro de suivi{_NB}: {{carrier}} {{tracking_number}}",
        "why": "Vous recevez cet e-mail car vous avez commandé chez {merchant}.",
        "unsubscribe": "Se désabonner de ces e-mails",
        "unsubscribe_title": "Désabonnement",
        "unsubscribe_ask": f"Ne plus recevoir par e-mail le suivi de cette commande{_NB}?",
        "unsubscribe_sms_ask": f"Ne plus recevoir par SMS le suivi de cette commande{_NB}?",
        "unsubscribe_button": "Me désabonner",
        "unsubscribed": "C'est fait : vous ne recevrez plus ces messages pour cette commande.",
    },
}

MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": (
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
        "nov.", "déc.",
    ),
}  # fmt: skip

# The merchant's digest of alerts ({n}: how many shipments; {merchant}: its display name).
DIGEST: Final[dict[str, dict[str, str]]] = {
    "en": {
        "subject": "Shipment alerts for {merchant}: {summary}",
        "intro": "Since the last digest, these shipments stalled, became late or recovered:",
        "stalled": "stalled",
        "late": "late",
        "recovered": "recovered",
        "order": "Order",
        "carrier": "Carrier",
        "tracking": "Tracking",
        "alert": "Alert",
        "status": "Status",
        "since": "Since",
        "stalled_since": "no event since {at}",
        "late_since": "expected by {at}",
        "late_undated": "past the estimate (detected {at})",
        "recovered_since": "news again ({at})",
        "footer": "Sent by Suivi every {minutes} min when there is something to report.",
    },
    "fr": {
        "subject": f"Alertes d'expédition pour {{merchant}}{_NB}: {{summary}}",
        "intro": "Depuis le dernier récapitulatif, ces colis sont bloqués, en retard ou repartis :",
        "stalled": "bloqué",
        "late": "en retard",
        "recovered": "reparti",
        "order": "Commande",
        "carrier": "Transporteur",
        "tracking": "Suivi",
        "alert": "Alerte",
        "status": "Statut",
        "since": "Depuis",
        "stalled_since": "aucun événement depuis le {at}",
        "late_since": "attendu le {at}",
        "late_undated": "date estimée dépassée (constaté le {at})",
        "recovered_since": "de nouveau des nouvelles ({at})",
        "footer": "Envoyé par Suivi toutes les {minutes} min quand il y a du nouveau.",
    },
}

# The digest's counts ("1 stalled", "2 bloqués"): one form per CLDR plural category.
DIGEST_COUNTS: Final[dict[str, dict[str, dict[str, str]]]] = {
    "en": {
        "stalled": {"one": "{n} stalled", "other": "{n} stalled"},
        "late": {"one": "{n} late", "other": "{n} late"},
        "recovered": {"one": "{n} recovered", "other": "{n} recovered"},
    },
    "fr": {
        "stalled": {"one": "{n} bloqué", "other": "{n} bloqués"},
        "late": {"one": "{n} en retard", "other": "{n} en retard"},
        "recovered": {"one": "{n} reparti", "other": "{n} repartis"},
    },
}

STATUSES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "pending": "pending", "info_received": "label created", "in_transit": "in transit",
        "out_for_delivery": "out for delivery", "available_for_pickup": "ready for pickup",
        "delivery_attempt_failed": "delivery attempt failed", "delivered": "delivered",
        "exception": "exception", "returning_to_sender": "returning to sender",
        "returned_to_sender": "returned to sender", "lost": "lost", "cancelled": "cancelled",
        "expired": "expired",
    },
    "fr": {
        "pending": "en attente", "info_received": "étiquette créée", "in_transit": "en transit",
        "out_for_delivery": "en cours de livraison", "available_for_pickup": "en point retrait",
        "delivery_attempt_failed": "échec de livraison", "delivered": "livré",
        "exception": "incident", "returning_to_sender": "retour à l'expéditeur",
        "returned_to_sender": "retourné à l'expéditeur", "lost": "perdu", "cancelled": "annulé",
        "expired": "expiré",
    },
}  # fmt: skip


def language(locale: str | None) -> str:
    """'fr', 'fr-CA' → 'fr'; anything else → 'en'."""
    head = (locale or "en").split("-")[0].lower()
    return head if head in LANGUAGES else "en"


def short_date(at: datetime, lang: str, tz: tzinfo) -> str:
    """'18 Nov' / '18 nov.' in the reader's zone."""
    local = at.astimezone(tz)
    return f"{local.day}{_NB}{MONTHS[language(lang)][local.month - 1]}"


def short_time(at: datetime, lang: str, tz: tzinfo) -> str:
    """'18 Nov 14:05' / '18 nov. 14:05' in the reader's zone."""
    return f"{short_date(at, lang, tz)} {at.astimezone(tz):%H:%M}"


def carrier_name(slug: str) -> str:
    """The carrier as it writes its name (shared with the status page: suivi_schemas.carriers)."""
    return display_name(slug)
