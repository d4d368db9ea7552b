"""An order card's open returns and claims: in the shopper's words, linked to after-sales."""

from __future__ import annotations

import pytest

from suivi_projections.domain.aftersales import OPEN_CLAIM, OPEN_RETURN
from suivi_projections.web.dashboard.aftersales import WORDS, OpenCase, case_lines
from suivi_projections.web.pages.i18n import SUPPORTED, Translator
from suivi_schemas.claims import ClaimReason, ClaimState
from suivi_schemas.returns import ReturnState

CASES = [
    OpenCase("return", "R-1042", "dropped_off", None),
    OpenCase("claim", "C 7/1", "waiting_shopper", "damaged"),
]


def test_words_and_links() -> None:
    lines = case_lines(CASES, Translator("en"), "tok123", "https://returns.example/")
    assert [(line.text, line.href) for line in lines] == [
        ("Return R-1042: dropped off", "https://returns.example/orders/tok123/returns/R-1042"),
        (
            "Claim C 7/1 (arrived damaged): waiting for your answer",
            "https://returns.example/orders/tok123/claims/C%207%2F1",  # the id, encoded
        ),
    ]


def test_no_link_without_after_sales() -> None:
    assert [line.href for line in case_lines(CASES, Translator("en"), "tok", None)] == [None] * 2


def test_in_french() -> None:
    lines = case_lines(CASES, Translator("fr"), "tok", None)
    assert [line.text for line in lines] == [
        "Retour R-1042 : déposé",
        "Réclamation C 7/1 (arrivé abîmé) : en attente de votre réponse",
    ]


def test_every_open_state_and_reason_has_its_words() -> None:
    """The ids built at run time are the marked ones: a state or reason added to the contract
    fails here until it has words."""
    built = {f"dashboard.return.{s.value}" for s in ReturnState if s in OPEN_RETURN}
    built |= {f"dashboard.claim.{s.value}" for s in ClaimState if s in OPEN_CLAIM}
    built |= {f"dashboard.claim.reason.{r.value}" for r in ClaimReason}
    assert built == set(WORDS)


@pytest.mark.parametrize("language", SUPPORTED)
def test_translated_in_every_language(language: str) -> None:
    t = Translator(language)
    for key in WORDS:
        assert t(key) != key
