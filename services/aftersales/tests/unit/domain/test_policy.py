"""Policy rules with an injected clock: the window, delivery, eligibility, quantities, reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from suivi_aftersales.domain.policy import (
    AutoApproval,
    Line,
    OrderFacts,
    Policy,
    RequestedItem,
    auto_approves,
    check_request,
)
from suivi_aftersales.testing.builders import T0, policy
from suivi_schemas.returns import ReturnMethod

DELIVERED = T0
LINES = {
    "l1": Line("l1", "Chemise lin", "SHIRT-M", 2),
    "l2": Line("l2", "Écharpe", "SCARF", 1),
    "l3": Line("l3", "Carte cadeau", "GIFT-CARD", 1),
}


def order(delivered: object = DELIVERED, cancelled: bool = False) -> OrderFacts:
    return OrderFacts("atelier", "A-1", cancelled, delivered, LINES, "fr")  # type: ignore[arg-type]


def check(items: list[RequestedItem], *, facts: OrderFacts | None = None, days: float = 1,
          already: dict[str, int] | None = None, method: ReturnMethod = ReturnMethod.OWN_SHIPMENT,
          ) -> str | None:  # fmt: skip
    refusal = check_request(
        facts or order(), policy(), items, method, already or {}, DELIVERED + timedelta(days=days)
    )
    return refusal.code if refusal else None


ONE_SHIRT = [RequestedItem("l1", 1, "too_small")]


def test_a_delivered_order_within_the_window_can_return_one_of_two() -> None:
    assert check(ONE_SHIRT) is None
    assert check(ONE_SHIRT, days=30) is None  # the last moment of the window


def test_the_window_closes_after_its_days() -> None:
    assert check(ONE_SHIRT, days=30.001) == "window_closed"


def test_an_undelivered_or_cancelled_order_is_refused() -> None:
    assert check(ONE_SHIRT, facts=order(None)) == "not_delivered"
    assert check(ONE_SHIRT, facts=order(cancelled=True)) == "order_cancelled"


@pytest.mark.parametrize(
    ("items", "already", "code"),
    [
        ([], {}, "no_items"),
        ([RequestedItem("zz", 1, "too_small")], {}, "unknown_item"),
        ([RequestedItem("l3", 1, "too_small")], {}, "ineligible_item"),
        ([RequestedItem("l1", 3, "too_small")], {}, "over_quantity"),
        ([RequestedItem("l1", 1, "too_small")], {"l1": 2}, "over_quantity"),
        ([RequestedItem("l1", 0, "too_small")], {}, "over_quantity"),
        ([RequestedItem("l1", 1, "bored")], {}, "unknown_reason"),
        ([RequestedItem("l1", 1, "too_small"), RequestedItem("l1", 1, "too_small")], {},
         "unknown_item"),
    ],
)  # fmt: skip
def test_refusals_say_which_rule(
    items: list[RequestedItem], already: dict[str, int], code: str
) -> None:
    assert check(items, already=already) == code


def test_a_method_the_merchant_does_not_offer_is_refused() -> None:
    only_label = policy().model_copy(update={"methods": (ReturnMethod.DROP_OFF_LABEL,)})
    refusal = check_request(
        order(), only_label, ONE_SHIRT, ReturnMethod.OWN_SHIPMENT, {}, DELIVERED
    )
    assert refusal is not None and refusal.code == "method_not_offered"
    assert refusal.status == 422


def test_auto_approval_rules() -> None:
    rule = Policy(auto_approval=AutoApproval(enabled=True, reasons=("too_small",), max_quantity=1))
    assert auto_approves(rule, ONE_SHIRT)
    assert not auto_approves(rule, [RequestedItem("l1", 2, "too_small")])
    assert not auto_approves(rule, [RequestedItem("l1", 1, "damaged")])
    assert not auto_approves(Policy(), ONE_SHIRT)


def test_an_incoherent_policy_is_refused() -> None:
    with pytest.raises(ValidationError):
        Policy(reminder_days=10, expire_days=5)
    with pytest.raises(ValidationError):
        Policy(window_days=0)
