"""The words of return and claim messages, in English and French (kept apart from i18n.py so
that both convert to catalogues on their own). Keys are the ledger triggers without their
stream's message number ('return.approved', 'claim.merchant_message', 'claim.resolved.refund').

Placeholders: {number} (RMA or claim number), {merchant}, {carrier}, {when} (a date), {place},
{amount}, {reason}, {deadline}.
"""

from __future__ import annotations

from typing import Final

_NB = "\u00a0"  # French typography: a non-breaking space before : ! ?

# trigger → (headline, what changed, what to do next)
MESSAGES: Final[dict[str, dict[str, tuple[str, str, str]]]] = {
    "en": {
        "return.approved": (
            "Your return {number} is approved",
            "{merchant} accepted your return.",
            "We'll write again when your return label is ready. The return page has the "
            "instructions.",
        ),
        "return.approved.own_shipment": (
            "Your return {number} is approved",
            "{merchant} accepted your return.",
            "Send the items back your own way, then enter the tracking number of your deposit "
            "receipt on the return page.",
        ),
        "return.tracking_attached": (
            "The label for your return {number} is ready",
            "{merchant} prepared a {carrier} label for your return.",
            "Print it from the return page, stick it on the parcel and drop it off at a "
            "{carrier} point.",
        ),
        "return.reminder": (
            "Don't forget to send your return {number}",
            "Your return is approved but has not been dropped off yet.",
            "Drop the parcel off soon: the return page has the label and the instructions.",
        ),
        "return.expired": (
            "Your return {number} has expired",
            "The parcel was not dropped off in time, so the return was closed.",
            "If you still want to return these items, ask again from your order page while the "
            "return window is open.",
        ),
        "return.dropped_off": (
            "Your return {number} has been dropped off",
            "{carrier} scanned your parcel on {when}{place}.",
            "Keep the proof of deposit: you can download it from the return page.",
        ),
        "return.received": (
            "{merchant} has received your return {number}",
            "Your parcel is back at the shop.",
            "{merchant} will check the items, then refund or exchange them: we'll let you know.",
        ),
        "return.refunded": (
            "Your return {number} has been refunded",
            "{merchant} refunded {amount}.",
            "The refund can take a few days to show on your statement.",
        ),
        "return.exchanged": (
            "Your exchange for return {number} is confirmed",
            "{merchant} is exchanging the items you returned.",
            "You'll receive a new shipment notice when the replacement ships.",
        ),
        "return.rejected": (
            "Your return {number} was not accepted",
            "{merchant} gave this reason: {reason}",
            "Reply to the shop with your return number if you have a question.",
        ),
        "claim.opened": (
            "We've received your claim {number}",
            "{merchant} has been told about your claim.",
            "The shop answers on the claim page: we'll write when it does.",
        ),
        "claim.merchant_message": (
            "{merchant} answered your claim {number}",
            "There is a new message from the shop on your claim.",
            "Read it and reply on the claim page.",
        ),
        "claim.resolved.refund": (
            "Your claim {number} is resolved: a refund",
            "{merchant} will refund you.",
            "The refund can take a few days to show on your statement.",
        ),
        "claim.resolved.reship": (
            "Your claim {number} is resolved: a new parcel",
            "{merchant} will send your items again.",
            "You'll receive a shipping notice when the new parcel leaves.",
        ),
        "claim.resolved.rejected": (
            "Your claim {number} was not accepted",
            "{merchant} gave this reason: {reason}",
            "You can still write to the shop on the claim page.",
        ),
    },
    "fr": {
        "return.approved": (
            "Votre retour {number} est accepté",
            "{merchant} a accepté votre retour.",
            "Nous vous écrirons quand votre étiquette de retour sera prête. La page du retour "
            "donne les instructions.",
        ),
        "return.approved.own_shipment": (
            "Votre retour {number} est accepté",
            "{merchant} a accepté votre retour.",
            "Renvoyez les articles par le moyen de votre choix, puis saisissez le numéro de "
            "suivi de votre preuve de dépôt sur la page du retour.",
        ),
        "return.tracking_attached": (
            "L'étiquette de votre retour {number} est prête",
            "{merchant} a préparé une étiquette {carrier} pour votre retour.",
            "Imprimez-la depuis la page du retour, collez-la sur le colis et déposez-le dans un "
            "point {carrier}.",
        ),
        "return.reminder": (
            "N'oubliez pas d'envoyer votre retour {number}",
            "Votre retour est accepté mais le colis n'a pas encore été déposé.",
            "Déposez le colis rapidement : la page du retour donne l'étiquette et les "
            "instructions.",
        ),
        "return.expired": (
            "Votre retour {number} a expiré",
            "Le colis n'a pas été déposé à temps, le retour a donc été clos.",
            "Pour retourner encore ces articles, refaites une demande depuis la page de votre "
            "commande tant que le délai de retour court.",
        ),
        "return.dropped_off": (
            "Votre retour {number} a été déposé",
            "{carrier} a scanné votre colis le {when}{place}.",
            "Gardez la preuve de dépôt : elle se télécharge depuis la page du retour.",
        ),
        "return.received": (
            "{merchant} a reçu votre retour {number}",
            "Votre colis est arrivé à la boutique.",
            "{merchant} va vérifier les articles puis vous rembourser ou les échanger : nous "
            "vous tiendrons au courant.",
        ),
        "return.refunded": (
            "Votre retour {number} a été remboursé",
            "{merchant} vous a remboursé {amount}.",
            "Le remboursement peut mettre quelques jours à apparaître sur votre relevé.",
        ),
        "return.exchanged": (
            "L'échange de votre retour {number} est confirmé",
            "{merchant} échange les articles que vous avez renvoyés.",
            "Vous recevrez un avis d'expédition quand le remplacement partira.",
        ),
        "return.rejected": (
            "Votre retour {number} n'a pas été accepté",
            f"Motif donné par {{merchant}}{_NB}: {{reason}}",
            "Répondez à la boutique avec votre numéro de retour si vous avez une question.",
        ),
        "claim.opened": (
            "Nous avons bien reçu votre réclamation {number}",
            "{merchant} a été prévenu de votre réclamation.",
            "La boutique répond sur la page de la réclamation : nous vous écrirons dès qu'elle "
            "l'aura fait.",
        ),
        "claim.merchant_message": (
            "{merchant} a répondu à votre réclamation {number}",
            "La boutique vous a écrit au sujet de votre réclamation.",
            "Lisez sa réponse et répondez sur la page de la réclamation.",
        ),
        "claim.resolved.refund": (
            f"Votre réclamation {{number}} est résolue{_NB}: un remboursement",
            "{merchant} va vous rembourser.",
            "Le remboursement peut mettre quelques jours à apparaître sur votre relevé.",
        ),
        "claim.resolved.reship": (
            f"Votre réclamation {{number}} est résolue{_NB}: un nouvel envoi",
            "{merchant} va vous renvoyer vos articles.",
            "Vous recevrez un avis d'expédition quand le nouveau colis partira.",
        ),
        "claim.resolved.rejected": (
            "Votre réclamation {number} n'a pas été acceptée",
            f"Motif donné par {{merchant}}{_NB}: {{reason}}",
            "Vous pouvez encore écrire à la boutique sur la page de la réclamation.",
        ),
    },
}

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "open_return": "Follow your return",
        "open_claim": "Follow your claim",
        "deadline": "Drop it off by {deadline}.",
        "in_place": " in {place}",
        "no_reason": "no reason given",
        "why": "You receive this email because you ordered from {merchant}.",
    },
    "fr": {
        "open_return": "Suivre mon retour",
        "open_claim": "Suivre ma réclamation",
        "deadline": "Déposez-le avant le {deadline}.",
        "in_place": " à {place}",
        "no_reason": "aucun motif précisé",
        "why": "Vous recevez cet e-mail car vous avez commandé chez {merchant}.",
    },
}
