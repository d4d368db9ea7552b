"""The dashboard as the settings describe it: PostgreSQL, the notifier's SMTP server, the
lookup limits' shared counters."""

from __future__ import annotations

import asyncpg

from suivi_infra.mail import SmtpMailer, smtp_config
from suivi_projections.web.dashboard.keys import DashboardKeys
from suivi_projections.web.dashboard.limits import SigninLimiter
from suivi_projections.web.dashboard.render import signin_mail
from suivi_projections.web.dashboard.service import (
    Clock,
    Dashboard,
    DashboardConfig,
    Mailer,
    utc_now,
)
from suivi_projections.web.ratelimit import Counters, Limit
from suivi_projections.web.settings import ApiSettings
from suivi_projections.web.shops import Shops


def build_dashboard(
    settings: ApiSettings, pool: asyncpg.Pool, shops: Shops, counters: Counters,
    *, mailer: Mailer | None = None, clock: Clock = utc_now,
) -> Dashboard:  # fmt: skip
    key = settings.tokens.token_key
    limiter = SigninLimiter(
        counters, key,
        per_client=Limit(settings.signin_per_ip, settings.signin_per_ip_seconds),
        per_email=Limit(settings.signin_per_email, settings.signin_per_email_seconds),
    )  # fmt: skip
    config = DashboardConfig(
        base_url=settings.public_base_url,
        link_minutes=settings.dashboard_link_minutes,
        idle_minutes=settings.dashboard_idle_minutes,
        absolute_hours=settings.dashboard_absolute_hours,
        max_orders=settings.dashboard_max_orders,
        poll_seconds=settings.dashboard_outbox_poll_seconds,
    )
    return Dashboard(
        pool, DashboardKeys(key), mailer or SmtpMailer(smtp_config(settings)), signin_mail(shops),
        limiter, config, clock,
    )  # fmt: skip
