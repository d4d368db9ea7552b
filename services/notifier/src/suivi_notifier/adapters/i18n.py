"""The words of the messages, in English and French (the order's locale picks; default en)."""

from __future__ import annotations

from typing import Final

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
            "Your parcel is on its way back to {merchant}.",
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
            "Votre colis repart chez {merchant}.",
        ),
    },
}

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "hello": "Hello,",
        "hello_name": "Hello {name},",
        "track": "Track your parcel",
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

CARRIERS: Final[dict[str, str]] = {
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl": "DHL",
    "laposte": "La Poste",
    "colissimo": "Colissimo",
    "chronopost": "Chronopost",
    "dpd": "DPD",
    "gls": "GLS",
}


def language(locale: str | None) -> str:
    """'fr', 'fr-CA' → 'fr'; anything else → 'en'."""
    head = (locale or "en").split("-")[0].lower()
    return head if head in LANGUAGES else "en"


def carrier_name(slug: str) -> str:
    return CARRIERS.get(slug, slug.upper() if len(slug) <= 4 else slug.title())
