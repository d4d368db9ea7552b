"""The notifier's Prometheus metrics (suivi_ prefix, base units, bounded labels).

Labels take only values from closed sets: channel (email, sms, push), trigger (the seven
trigger statuses and the alert kinds), outcome and kind (fixed words). Never an address, number
or merchant.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from suivi_infra.metrics import Declare
from suivi_notifier.domain.triggers import CONFIGURABLE

_LABELS = CONFIGURABLE | {"recovered"}
_SEND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


def trigger_label(trigger: str) -> str:
    """A status trigger, the kind of an alert trigger ('stalled:<episode>' → 'stalled'), or a
    return or claim trigger ('claim.merchant_message:3' → 'claim.merchant_message')."""
    kind = trigger.partition(":")[0]
    return kind if kind in _LABELS or kind.startswith(("return.", "claim.")) else "other"


class NotifierMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        declare = Declare(registry)
        self.events = declare.counter(
            "suivi_notifier_events",
            "Consumed records by kind (orders, status, alerts, aftersales) and outcome "
            "(stored, older, applied, triggered, late, duplicate, dead_lettered).",
            ("kind", "outcome"),
        )
        self.triggers = declare.counter(
            "suivi_notifier_triggers",
            "Due triggers by outcome (notify, stale, disabled, cancelled, no_channel).",
            ("trigger", "outcome"),
        )
        self.messages = declare.counter(
            "suivi_notifier_messages",
            "Send results by channel, trigger and outcome "
            "(sent, failed, retried, deferred, superseded, skipped).",
            ("channel", "trigger", "outcome"),
        )
        self.send_seconds = declare.histogram(
            "suivi_notifier_send_duration_seconds",
            "Duration of one send attempt (SMTP transaction, HTTP request, all push endpoints).",
            ("channel",),
            buckets=_SEND_BUCKETS,
        )
        self.pending_retries = declare.gauge(
            "suivi_notifier_pending_retries",
            "Messages waiting for another attempt (failed at least once, or deferred).",
            ("channel",),
        )
        self.push_gone = declare.counter(
            "suivi_notifier_push_subscriptions_removed",
            "Push subscriptions removed because the push service answered 404/410.",
        )
        self.results_published = declare.counter(
            "suivi_notifier_results_published",
            "NotificationResult records acknowledged on the results topic.",
        )

        self.alerts = declare.counter(
            "suivi_notifier_alerts",
            "Alerts planned for the shopper by kind (stalled, late, recovered) and outcome "
            "(notify, stale, disabled, cancelled, no_channel, moved, delivered, over, not_told, "
            "no_order).",
            ("kind", "outcome"),
        )
        self.aftersales = declare.counter(
            "suivi_notifier_aftersales",
            "Return and claim events planned for the shopper by stream (return, claim) and "
            "outcome (notify, merchant_only, older, stale, no_order, no_channel).",
            ("stream", "outcome"),
        )
        self.merchant_webhooks = declare.counter(
            "suivi_notifier_merchant_webhooks",
            "Merchant webhook deliveries by outcome (queued, sent, failed, retried).",
            ("outcome",),
        )
        self.digests = declare.counter(
            "suivi_notifier_digests",
            "Merchant digest emails by outcome (created, sent, failed, retried).",
            ("outcome",),
        )
        self.digest_alerts = declare.counter(
            "suivi_notifier_digest_alerts", "Alerts listed in a created merchant digest."
        )
        self.merchant_send_seconds = declare.histogram(
            "suivi_notifier_merchant_send_duration_seconds",
            "Duration of one merchant send attempt (webhook POST, digest SMTP transaction).",
            ("kind",),
            buckets=_SEND_BUCKETS,
        )

    def message(self, channel: str, trigger: str, outcome: str) -> None:
        self.messages.labels(channel, trigger_label(trigger), outcome).inc()
