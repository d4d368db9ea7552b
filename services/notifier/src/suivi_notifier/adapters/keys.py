"""Message ids built at run time (`t(f"status.{trigger}.subject")`), marked here for `pybabel
extract` (`make i18n`) and the catalogue test, which thus know every id a message may ask for."""

from __future__ import annotations

from suivi_infra.i18n import N_

# return and claim messages: aftersales.<trigger>.subject/changed/next (aftersales_render)
AFTERSALES = (
    N_("aftersales.claim.merchant_message.changed"),
    N_("aftersales.claim.merchant_message.next"),
    N_("aftersales.claim.merchant_message.subject"),
    N_("aftersales.claim.opened.changed"),
    N_("aftersales.claim.opened.next"),
    N_("aftersales.claim.opened.subject"),
    N_("aftersales.claim.resolved.refund.changed"),
    N_("aftersales.claim.resolved.refund.next"),
    N_("aftersales.claim.resolved.refund.subject"),
    N_("aftersales.claim.resolved.rejected.changed"),
    N_("aftersales.claim.resolved.rejected.next"),
    N_("aftersales.claim.resolved.rejected.subject"),
    N_("aftersales.claim.resolved.reship.changed"),
    N_("aftersales.claim.resolved.reship.next"),
    N_("aftersales.claim.resolved.reship.subject"),
    N_("aftersales.return.approved.changed"),
    N_("aftersales.return.approved.next"),
    N_("aftersales.return.approved.own_shipment.changed"),
    N_("aftersales.return.approved.own_shipment.next"),
    N_("aftersales.return.approved.own_shipment.subject"),
    N_("aftersales.return.approved.subject"),
    N_("aftersales.return.dropped_off.changed"),
    N_("aftersales.return.dropped_off.next"),
    N_("aftersales.return.dropped_off.subject"),
    N_("aftersales.return.exchanged.changed"),
    N_("aftersales.return.exchanged.next"),
    N_("aftersales.return.exchanged.subject"),
    N_("aftersales.return.expired.changed"),
    N_("aftersales.return.expired.next"),
    N_("aftersales.return.expired.subject"),
    N_("aftersales.return.received.changed"),
    N_("aftersales.return.received.next"),
    N_("aftersales.return.received.subject"),
    N_("aftersales.return.refunded.changed"),
    N_("aftersales.return.refunded.next"),
    N_("aftersales.return.refunded.subject"),
    N_("aftersales.return.rejected.changed"),
    N_("aftersales.return.rejected.next"),
    N_("aftersales.return.rejected.subject"),
    N_("aftersales.return.reminder.changed"),
    N_("aftersales.return.reminder.next"),
    N_("aftersales.return.reminder.subject"),
    N_("aftersales.return.tracking_attached.changed"),
    N_("aftersales.return.tracking_attached.next"),
    N_("aftersales.return.tracking_attached.subject"),
)
# date patterns (suivi_infra.i18n.Translator)
DATE = (
    N_("date.day"),
    N_("date.day_year"),
    N_("date.moment"),
    N_("date.plain"),
    N_("date.plain_year"),
    N_("date.short"),
    N_("date.time"),
)
# relative days (suivi_infra.i18n.Translator)
DAY = (
    N_("day.today"),
    N_("day.tomorrow"),
    N_("day.yesterday"),
)
# statuses in the merchant's digest (render.digest_email)
DIGEST_STATUSES = (
    N_("digest.status.available_for_pickup"),
    N_("digest.status.cancelled"),
    N_("digest.status.delivered"),
    N_("digest.status.delivery_attempt_failed"),
    N_("digest.status.exception"),
    N_("digest.status.expired"),
    N_("digest.status.in_transit"),
    N_("digest.status.info_received"),
    N_("digest.status.lost"),
    N_("digest.status.out_for_delivery"),
    N_("digest.status.pending"),
    N_("digest.status.returned_to_sender"),
    N_("digest.status.returning_to_sender"),
)
# one parcel of several (render._headline)
PARCEL = (
    N_("parcel.in_transit.subject"),
    N_("parcel.in_transit.text"),
    N_("parcel.out_for_delivery.subject"),
    N_("parcel.out_for_delivery.text"),
)
# status and alert messages: status.<trigger>.subject/text (render._headline)
STATUS = (
    N_("status.available_for_pickup.subject"),
    N_("status.available_for_pickup.text"),
    N_("status.delivered.subject"),
    N_("status.delivered.text"),
    N_("status.delivery_attempt_failed.subject"),
    N_("status.delivery_attempt_failed.text"),
    N_("status.exception.subject"),
    N_("status.exception.text"),
    N_("status.in_transit.subject"),
    N_("status.in_transit.text"),
    N_("status.late.subject"),
    N_("status.late.text"),
    N_("status.late_undated.subject"),
    N_("status.late_undated.text"),
    N_("status.out_for_delivery.subject"),
    N_("status.out_for_delivery.text"),
    N_("status.recovered.subject"),
    N_("status.recovered.text"),
    N_("status.revised.subject"),
    N_("status.revised.text"),
    N_("status.returned_to_sender.subject"),
    N_("status.returned_to_sender.text"),
    N_("status.returning_to_sender.subject"),
    N_("status.returning_to_sender.text"),
    N_("status.stalled.subject"),
    N_("status.stalled.text"),
)
