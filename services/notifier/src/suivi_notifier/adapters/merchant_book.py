"""Who a merchant is to the notifier: its display name, where its webhooks go, its notification
settings and its alert digest, from the console's records on merchants.v1
(`suivi_infra.merchants.MerchantDirectory`, followed in the background) first, then the
environment (SUIVI_NOTIFIER_MERCHANT_NAMES / _MERCHANT_ALERTS, the bootstrap path). Read at
each use, so a record changed on the topic is used at the next message, without a restart.

A console endpoint receives the families it subscribes to (`events`: 'alerts' for
`shipment.*`, 'returns' for `return.*`, 'claims' for `claim.*`); its sealed secrets are opened
with SUIVI_NOTIFIER_SEALING_KEY (the console's sealing key). Without that key, or when no
secret opens, the endpoint is not used. The first active endpoint of a family is the merchant's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from suivi_infra.merchants import MerchantDirectory
from suivi_infra.sealing import SealError, unseal
from suivi_notifier.domain.merchant_settings import digest_minutes
from suivi_notifier.settings import MerchantAlerts
from suivi_schemas.merchants import Branding, NotificationSettings

log = logging.getLogger(__name__)
FAMILIES: tuple[str, ...] = ("alerts", "returns", "claims")


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    url: str
    secrets: tuple[SecretStr, ...]  # newest first; each signs (receivers accept either)


@dataclass(frozen=True, slots=True)
class DigestTarget:
    email: str
    minutes: int  # one digest period
    locale: str
    timezone: str


@dataclass(frozen=True, slots=True)
class MerchantBook:
    names: Mapping[str, str]
    alerts: Mapping[str, MerchantAlerts]
    directory: MerchantDirectory | None = None
    sealing_key: SecretStr | None = None

    @property
    def ready(self) -> bool:
        """False while merchants.v1 is followed but not loaded yet (a target may be missing)."""
        return self.directory is None or self.directory.loaded.is_set()

    def name(self, merchant_id: str) -> str:
        record = self.directory.record(merchant_id) if self.directory is not None else None
        if record is not None:
            return record.branding.display_name
        return self.names.get(merchant_id, merchant_id)

    def branding(self, merchant_id: str) -> Branding | None:
        """The console's branding of the merchant (logo, colour, return policy), if any."""
        record = self.directory.record(merchant_id) if self.directory is not None else None
        return record.branding if record is not None else None

    def settings(self, merchant_id: str) -> NotificationSettings | None:
        """The merchant's console notification settings now; None without a record (the
        environment's settings apply: domain.merchant_settings)."""
        record = self.directory.record(merchant_id) if self.directory is not None else None
        return record.notifications if record is not None else None

    def digest(self, merchant_id: str) -> DigestTarget | None:
        """Where and how often the merchant's alert digest goes now; None: no digest. The
        record's frequency wins; the recipient is the environment's digest email, else the
        record's contact email."""
        config = self.alerts.get(merchant_id)
        record = self.directory.record(merchant_id) if self.directory is not None else None
        settings = record.notifications if record is not None else None
        minutes = digest_minutes(settings, config.digest_minutes if config else None)
        email = config.email if config is not None else None
        if not email and record is not None:
            email = record.branding.contact_email
        if minutes is None or not email:
            return None
        if config is not None:
            return DigestTarget(email, minutes, config.locale, config.timezone)
        language = record.branding.language if record is not None else None
        return DigestTarget(email, minutes, language or "en", "UTC")

    def webhook(self, merchant_id: str, family: str) -> WebhookTarget | None:
        """Where `family` webhooks of the merchant go now, or None."""
        found = self._from_directory(merchant_id, family)
        if found is not None:
            return found
        config = self.alerts.get(merchant_id)
        if config is None or not config.webhook_url or config.webhook_secret is None:
            return None
        return WebhookTarget(config.webhook_url, (config.webhook_secret,))

    def _from_directory(self, merchant_id: str, family: str) -> WebhookTarget | None:
        if self.directory is None or self.sealing_key is None:
            return None
        record = self.directory.record(merchant_id)
        if record is None:
            return None
        key = self.sealing_key.get_secret_value()
        for endpoint in record.webhooks:
            if not endpoint.active or family not in endpoint.events:
                continue
            opened: list[SecretStr] = []
            for sealed in endpoint.sealed_secrets:
                try:
                    opened.append(
                        SecretStr(unseal(key, sealed, f"{merchant_id}:{endpoint.endpoint_id}"))
                    )
                except SealError:
                    log.warning(
                        "merchant %s endpoint %s: a sealed secret does not open",
                        merchant_id, endpoint.endpoint_id,
                    )  # fmt: skip
            if opened:
                return WebhookTarget(endpoint.url, tuple(opened))
        return None
