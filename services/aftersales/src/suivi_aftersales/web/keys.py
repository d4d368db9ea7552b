"""Message ids built at run time (`t(f"state.{state}")`, `t("refused." + code)`), marked here
for `pybabel extract` (`make i18n`) and the catalogue test, which thus know every id the pages
may ask for."""

from __future__ import annotations

from suivi_infra.i18n import N_

# times in UTC (pages.Translator.when)
DATES = (N_("date.moment_utc"),)
# a return's states (shopper._steps, returns.html)
STATE = (
    N_("state.approved"),
    N_("state.dropped_off"),
    N_("state.exchanged"),
    N_("state.expired"),
    N_("state.in_transit"),
    N_("state.inspected"),
    N_("state.received"),
    N_("state.refunded"),
    N_("state.rejected"),
    N_("state.requested"),
)
# what to do, by method; who pays the way back (shopper._instructions, returns.html)
METHOD = (
    N_("do.approved.drop_off_label"),
    N_("do.approved.own_shipment"),
    N_("method.drop_off_label"),
    N_("method.own_shipment"),
    N_("paid.merchant"),
    N_("paid.shopper"),
)
# the default return reasons' words beyond English and French (pages.Translator.reason)
RETURN_REASON = (
    N_("return_reason.changed_mind"),
    N_("return_reason.damaged"),
    N_("return_reason.not_as_described"),
    N_("return_reason.too_large"),
    N_("return_reason.too_small"),
)
# a claim's reasons, states and outcomes (claims.html, claim.html)
CLAIM = (
    N_("claims.outcome.refund"),
    N_("claims.outcome.rejected"),
    N_("claims.outcome.reship"),
    N_("claims.reason.damaged"),
    N_("claims.reason.item_missing"),
    N_("claims.reason.late"),
    N_("claims.reason.lost"),
    N_("claims.reason.not_received"),
    N_("claims.reason.wrong_item"),
    N_("claims.state.closed"),
    N_("claims.state.resolved"),
    N_("claims.state.waiting_merchant"),
    N_("claims.state.waiting_shopper"),
)
# refusals, by code (the pages' `refusal`)
REFUSED = (
    N_("refused.body_too_large"),
    N_("refused.claim_closed"),
    N_("refused.claim_open"),
    N_("refused.empty_message"),
    N_("refused.form_expired"),
    N_("refused.ineligible_item"),
    N_("refused.invalid_tracking"),
    N_("refused.invalid_transition"),
    N_("refused.method_not_offered"),
    N_("refused.no_items"),
    N_("refused.not_an_image"),
    N_("refused.not_delivered"),
    N_("refused.order_cancelled"),
    N_("refused.over_quantity"),
    N_("refused.photo_too_large"),
    N_("refused.reason_not_offered"),
    N_("refused.returns_not_offered"),
    N_("refused.too_many_photos"),
    N_("refused.unknown_item"),
    N_("refused.unknown_parcel"),
    N_("refused.unknown_reason"),
    N_("refused.window_closed"),
)
# the claim dossier's states, parcel statuses and authors (dossier.dossier_pdf)
DOSSIER = (
    N_("dossier.author.merchant"),
    N_("dossier.author.shopper"),
    N_("dossier.state.closed"),
    N_("dossier.state.resolved"),
    N_("dossier.state.waiting_merchant"),
    N_("dossier.state.waiting_shopper"),
    N_("dossier.status.available_for_pickup"),
    N_("dossier.status.cancelled"),
    N_("dossier.status.delivered"),
    N_("dossier.status.delivery_attempt_failed"),
    N_("dossier.status.exception"),
    N_("dossier.status.expired"),
    N_("dossier.status.in_transit"),
    N_("dossier.status.info_received"),
    N_("dossier.status.lost"),
    N_("dossier.status.out_for_delivery"),
    N_("dossier.status.pending"),
    N_("dossier.status.returned_to_sender"),
    N_("dossier.status.returning_to_sender"),
)
