"""The notifier's Prometheus metrics (suivi_ prefix, base units, bounded labels).

Labels take only values from closed sets: channel (email, sms, push), trigger (the seven
trigger statuses and the alert kinds), outcome and kind (fixed words). Never an address, number
or merchant.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from suivi_notifier.domain.triggers import CONFIGURABLE

_LABELS = CONFIGURABLE | {"recovered"}


def trigger_label(trigger: str) -> str:
    """A status trigger, the kind of an alert trigger ('stalled:<episode>' → 'stalled'), or a
    return or claim trigger ('claim.merchant_message:3' → 'claim.merchant_message')."""
    kind = trigger.partition(":")[0]
    return kind if kind in _LABELS or kind.startswith(("return.", "claim.")) else "other"


class NotifierMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.events = Counter(
            "suivi_notifier_events",
            "Consumed records by kind (orders, status, alerts, aftersales) and outcome "
            "(stored, older, applied, triggered, late, duplicate, dead_lettered).",
            ["kind", "outcome"],
            registry=registry,
        )
        self.triggers = Counter(
            "suivi_notifier_triggers",
            "Due triggers by outcome (notify, stale, disabled, cancelled, no_channel).",
            ["trigger", "outcome"],
            registry=registry,
        )
        self.messages = Counter(
            "suivi_notifier_messages",
            "Send results by channel, trigger and outcome "
            "(sent, failed, retried, deferred, superseded, skipped).",
            ["channel", "trigger", "outcome"],
            registry=registry,
        )
        self.send_seconds = Histogram(
            "suivi_notifier_send_duration_seconds",
            "Duration of one send attempt (SMTP transaction, HTTP request, all push endpoints).",
            ["channel"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.pending_retries = Gauge(
            "suivi_notifier_pending_retries",
            "Messages waiting for another attempt (failed at least once, or deferred).",
            ["channel"],
            registry=registry,
        )
        self.push_gone = Counter(
            "suivi_notifier_push_subscriptions_removed",
            "Push subscriptions removed because the push service answered 404/410.",
            registry=registry,
        )
        self.results_published = Counter(
            "suivi_notifier_results_published",
            "NotificationResult records acknowledged on the results topic.",
            registry=registry,
        )

        self.alerts = Counter(
            "suivi_notifier_alerts",
            "Alerts planned for the shopper by kind (stalled, late, recovered) and outcome "
            "(notify, stale, disabled, cancelled, no_channel, moved, delivered, over, not_told, "
            "no_order).",
            ["kind", "outcome"],
            registry=registry,
        )
        self.aftersales = Counter(
            "suivi_notifier_aftersales",
            "Return and claim events planned for the shopper by stream (return, claim) and "
            "outcome (notify, merchant_only, older, stale, no_order, no_channel).",
            ["stream", "outcome"],
            registry=registry,
        )
        self.merchant_webhooks = Counter(
            "suivi_notifier_merchant_webhooks",
            "Merchant webhook deliveries by outcome (queued, sent, failed, retried).",
            ["outcome"],
            registry=registry,
        )
        self.digests = Counter(
            "suivi_notifier_digests",
            "Merchant digest emails by outcome (created, sent, failed, retried).",
            ["outcome"],
            registry=registry,
        )
        self.digest_alerts = Counter(
            "suivi_notifier_digest_alerts",
            "Alerts listed in a created merchant digest.",
            registry=registry,
        )
        self.merchant_send_seconds = Histogram(
            "suivi_notifier_merchant_send_duration_seconds",
            "Duration of one merchant send attempt (webhook POST, digest SMTP transaction).",
            ["kind"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )

    def message(self, channel: str, trigger: str, outcome: str) -> None:
        self.messages.labels(channel, trigger_label(trigger), outcome).inc()
