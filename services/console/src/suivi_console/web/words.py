"""Message ids the console passes or builds at run time (`error="error.csrf"`,
`t("parcel." ~ status)`), marked here for `pybabel extract` (`make i18n`) and the catalogue
test, which thus know every id the pages may ask for."""

from __future__ import annotations

from suivi_infra.i18n import N_

# dates in UTC (render.Translator.when)
DATES = (N_("date.moment_utc"),)
# after-sales away or refusing (desk.py)
AFTERSALES = (
    N_("aftersales.key_refused"),
    N_("aftersales.refused.claim_closed"),
    N_("aftersales.refused.invalid_request"),
    N_("aftersales.refused.invalid_transition"),
    N_("aftersales.refused.other"),
    N_("aftersales.unavailable"),
)
# notification channels, triggers and digests (settings.html)
CHANNEL = (
    N_("channel.email"),
    N_("channel.push"),
    N_("channel.sms"),
    N_("digest.daily"),
    N_("digest.off"),
    N_("digest.weekly"),
    # suivi_schemas.triggers.NOTIFICATION_TRIGGERS
    N_("trigger.available_for_pickup"),
    N_("trigger.delivered"),
    N_("trigger.delivery_attempt_failed"),
    N_("trigger.exception"),
    N_("trigger.in_transit"),
    N_("trigger.late"),
    N_("trigger.out_for_delivery"),
    N_("trigger.returned_to_sender"),
    N_("trigger.returning_to_sender"),
    N_("trigger.revised"),
    N_("trigger.stalled"),
)
# a claim's reasons, states and outcomes (claims.html, claim.html)
CLAIM = (
    N_("claim.outcome.refund"),
    N_("claim.outcome.rejected"),
    N_("claim.outcome.reship"),
    N_("claim.reason.damaged"),
    N_("claim.reason.item_missing"),
    N_("claim.reason.late"),
    N_("claim.reason.lost"),
    N_("claim.reason.not_received"),
    N_("claim.reason.wrong_item"),
    N_("claim.state.closed"),
    N_("claim.state.open"),
    N_("claim.state.resolved"),
    N_("claim.state.waiting_merchant"),
    N_("claim.state.waiting_shopper"),
)
# claim authors and the answers to a claim's actions (claims.py)
CLAIMS = (
    N_("claims.author.merchant"),
    N_("claims.author.shopper"),
    N_("claims.done.close"),
    N_("claims.done.messages"),
    N_("claims.done.resolve"),
    N_("claims.empty"),
    N_("claims.reason_required"),
)
# messages and notices the routes pass by id (auth, app, branding, keys, team, trackings)
MESSAGES = (
    N_("enrol.already"),
    N_("error.branding"),
    N_("error.code"),
    N_("error.csrf"),
    N_("error.invalid"),
    N_("error.logo_empty"),
    N_("error.logo_too_large"),
    N_("error.logo_type"),
    N_("error.not_found"),
    N_("error.notifications"),
    N_("error.password"),
    N_("error.signin"),
    N_("error.taken"),
    N_("error.throttled"),
    N_("error.unavailable"),
    N_("error.webhook_events"),  # keys.py: an event not offered
    N_("error.webhook_url"),
    N_("keys.revoked"),
    N_("reset.done"),
    N_("reset.invalid"),
    N_("reset.sent"),
    N_("settings.saved"),
    N_("team.invited"),
    N_("team.role.owner"),
    N_("team.role.staff"),
    N_("trackings.fixed"),
    N_("trackings.refused"),
)
# parcel statuses (claim.html's evidence timeline)
PARCEL = (
    N_("parcel.available_for_pickup"),
    N_("parcel.cancelled"),
    N_("parcel.delivered"),
    N_("parcel.delivery_attempt_failed"),
    N_("parcel.exception"),
    N_("parcel.expired"),
    N_("parcel.in_transit"),
    N_("parcel.info_received"),
    N_("parcel.lost"),
    N_("parcel.out_for_delivery"),
    N_("parcel.pending"),
    N_("parcel.returned_to_sender"),
    N_("parcel.returning_to_sender"),
)
# who pays, and the methods (policy.html, return.html)
POLICY = (
    N_("policy.paid_by.merchant"),
    N_("policy.paid_by.shopper"),
    N_("return.method.drop_off_label"),
    N_("return.method.own_shipment"),
    N_("return.state.approved"),
    N_("return.state.dropped_off"),
    N_("return.state.exchanged"),
    N_("return.state.expired"),
    N_("return.state.in_transit"),
    N_("return.state.inspected"),
    N_("return.state.received"),
    N_("return.state.refunded"),
    N_("return.state.rejected"),
    N_("return.state.requested"),
)
# the answers to a return's actions and its timeline steps (returns.py)
RETURNS = (
    N_("returns.done.approve"),
    N_("returns.done.exchange"),
    N_("returns.done.inspect"),
    N_("returns.done.refund"),
    N_("returns.done.reject"),
    N_("returns.done.tracking"),
    N_("returns.step.approved"),
    N_("returns.step.dropped_off"),
    N_("returns.step.received"),
    N_("returns.step.requested"),
    N_("returns.step.resolved"),
)
# order statuses (orders.html)
STATUS = (
    N_("status.cancelled"),
    N_("status.confirmed"),
    N_("status.delivered"),
    N_("status.in_transit"),
    N_("status.needs_attention"),
    N_("status.out_for_delivery"),
    N_("status.partially_delivered"),
    N_("status.partially_shipped"),
    N_("status.shipped"),
)
# webhook events (keys.html)
WEBHOOKS = (
    N_("webhooks.event.alerts"),
    N_("webhooks.event.digest"),
    N_("webhooks.event.status"),
)
