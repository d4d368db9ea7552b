"""The words a shopper reads against the code's type (providers.wording), through every adapter."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from suivi_normalizer.providers import parser_for
from suivi_normalizer.providers.base import Meaning
from suivi_normalizer.providers.wording import refine
from suivi_schemas import Reason, ShipmentStatus, Substatus

S, U = ShipmentStatus, Substatus
FIXTURES = Path(__file__).parents[2] / "fixtures"
UPS_X = json.loads((FIXTURES / "ups/x_exception_update.json").read_text())


def _ups(description: str, pdsc: str | None = "013") -> Any:
    body = copy.deepcopy(UPS_X)
    body["activityStatus"].update(description=description, descriptionCode=pdsc)
    [cp] = parser_for("ups")(body)
    return cp


@pytest.mark.parametrize("pdsc", ["013", None])
def test_ups_exception_returning_to_the_sender_is_a_return(pdsc: str | None) -> None:
    cp = _ups("We're returning this package to the sender.", pdsc)
    assert (cp.meaning.status, cp.meaning.substatus) == (S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER)
    assert cp.code.startswith("X") and cp.message == "We're returning this package to the sender."


def test_ups_exception_saying_the_address_was_corrected_is_no_problem() -> None:
    cp = _ups("The address has been corrected.")
    assert (cp.meaning.status, cp.meaning.action_required) == (S.IN_TRANSIT, False)


def test_a_warning_about_a_return_is_not_a_return() -> None:
    cp = _ups("The package will be returned to the sender if not claimed within 5 days.")
    assert cp.meaning.status is S.EXCEPTION


def test_a_specific_code_keeps_its_meaning_whatever_its_words() -> None:
    cp = _ups("returning to sender", "022")  # First Attempt Made
    assert cp.meaning.status is S.DELIVERY_ATTEMPT_FAILED


@pytest.mark.parametrize(
    ("meaning", "words", "expected"),
    [
        (Meaning(S.PENDING, U.NOT_FOUND), "Arriving On Time", (S.IN_TRANSIT, U.IN_TRANSIT)),
        (Meaning(S.PENDING, U.OTHER), "Arriving Late", (S.IN_TRANSIT, U.CARRIER_DELAY)),
        (Meaning(S.PENDING), "Colis en cours d'acheminement", (S.IN_TRANSIT, U.IN_TRANSIT)),
        (Meaning(S.PENDING, U.UNKNOWN_CODE), "In Transit", (S.IN_TRANSIT, U.UNKNOWN_CODE)),
        (
            Meaning(S.EXCEPTION, U.ADDRESS_ISSUE, True),
            "Address Corrected",
            (S.IN_TRANSIT, U.IN_TRANSIT),
        ),
        (
            Meaning(S.EXCEPTION, None, False, Reason.CARRIER),
            "Die Rücksendung an den Absender wurde eingeleitet.",
            (S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
        ),
        (
            Meaning(S.EXCEPTION, U.UNKNOWN_CODE),
            "Colis en retour à l'expéditeur",
            (S.RETURNING_TO_SENDER, U.UNKNOWN_CODE),
        ),
        (
            Meaning(S.PENDING, U.NOT_FOUND),
            "The shipping label has been created and the USPS is awaiting the item.",
            (S.INFO_RECEIVED, U.LABEL_CREATED),
        ),
        (
            Meaning(S.IN_TRANSIT),
            "Your shipment is out for delivery.",
            (S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
        ),
        # No contradiction, or a specific meaning: unchanged.
        (Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY), "Departed; out for delivery tomorrow", None),
        (Meaning(S.EXCEPTION, U.ADDRESS_ISSUE, True), "Incorrect address", None),
        (Meaning(S.DELIVERED, U.DELIVERED), "In transit to the sender", None),
        (Meaning(S.PENDING, U.NOT_FOUND), "Not found", None),
        (Meaning(S.EXCEPTION), None, None),
    ],
)
def test_refine(meaning: Meaning, words: str | None, expected: Any) -> None:
    refined = refine(meaning, words)
    if expected is None:
        assert refined is meaning
    else:
        assert (refined.status, refined.substatus) == expected
        assert refined.action_required is False


def test_every_adapter_goes_through_the_words() -> None:
    # The registry's parse is the module's parse followed by refine (its __wrapped__).
    from suivi_schemas.providers import PROVIDERS

    for provider in PROVIDERS:
        assert getattr(parser_for(provider.slug), "__wrapped__", None) is not None
