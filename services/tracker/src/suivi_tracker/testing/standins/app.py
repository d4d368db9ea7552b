"""All stand-ins in one ASGI app, each under its prefix (/laposte, /usps, /ups, /fedex, /dhl,
/easypost, /aftership, /17track, /shippo), plus the admin routes that drive the journeys:

    POST /_admin/clock     {"advance": seconds} or {"set": "2026-12-06T10:00:00+00:00"}
    POST /_admin/journeys  {"number", "steps": [{"after", "stage", "city", …}], "not_found",
                            "needs_postal_code"}
    POST /_admin/tick      push stand-ins send the webhooks now due
    POST /<prefix>/_admin/faults  {"status": 503, "times": 2, "retry_after": 7},
                                  {"limit": [rate, burst]}, {"expire_tokens": true}
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from suivi_infra.tasks import cancel
from suivi_tracker.testing.standins import aftership, easypost, seventeentrack, shippo
from suivi_tracker.testing.standins.dhl import DhlStandin
from suivi_tracker.testing.standins.fedex import FedExStandin
from suivi_tracker.testing.standins.journeys import Journeys, StandinClock, Step
from suivi_tracker.testing.standins.kit import PushStandin, Standin, WebhookSender
from suivi_tracker.testing.standins.laposte import LaPosteStandin
from suivi_tracker.testing.standins.parcels import (
    DpdStandin,
    GlsStandin,
    MondialRelayStandin,
    YunExpressStandin,
)
from suivi_tracker.testing.standins.polled import PolledStandin
from suivi_tracker.testing.standins.posts import (
    AustraliaPostStandin,
    CanadaPostStandin,
    PostNLStandin,
    RoyalMailStandin,
)
from suivi_tracker.testing.standins.ups import UpsStandin
from suivi_tracker.testing.standins.usps import UspsStandin


@dataclass(frozen=True)
class Credentials:
    """What the stand-ins accept (the tracker's SUIVI_TRACKER_* values) and how they sign
    their webhooks (ingest's SUIVI_INGEST_* secrets). The defaults are the public
    development values of deploy/run/dev.env, never secrets."""

    laposte_key: str = "dev-laposte-okapi-key"
    usps_id: str = "dev-usps-client"
    usps_secret: str = "dev-usps-secret"  # noqa: S105
    ups_id: str = "dev-ups-client"
    ups_secret: str = "dev-ups-secret"  # noqa: S105
    fedex_id: str = "dev-fedex-client"
    fedex_secret: str = "dev-fedex-secret"  # noqa: S105
    dhl_key: str = "dev-dhl-api-key"
    easypost_key: str = "dev-easypost-api-key"
    aftership_key: str = "dev-aftership-api-key"
    seventeentrack_key: str = "dev-17track-key"
    shippo_key: str = "dev-shippo-api-key"
    ups_credential: str = "dev-ups-credential"
    dhl_token: str = "dev-dhl-token"  # noqa: S105
    ingest_url: str | None = "http://127.0.0.1:8080"
    easypost_webhook_secret: str = "dev-easypost-secret"  # noqa: S105
    aftership_webhook_secret: str = "dev-aftership-secret"  # noqa: S105
    shippo_webhook_secret: str | None = "dev-shippo-secret"  # noqa: S105
    shippo_webhook_token: str | None = "dev-shippo-token"  # noqa: S105
    # Issue 17's polled carriers (adapters/sources/carrier_config.py).
    royal_mail_id: str = "dev-royal-mail-client"
    royal_mail_secret: str = "dev-royal-mail-secret"  # noqa: S105
    canada_post_user: str = "dev-canada-post-user"
    canada_post_password: str = "dev-canada-post-password"  # noqa: S105
    australia_post_key: str = "dev-auspost-key"
    australia_post_password: str = "dev-auspost-password"  # noqa: S105
    australia_post_account: str = "0007654321"
    postnl_key: str = "dev-postnl-api-key"
    gls_user: str = "dev-gls-user"
    gls_password: str = "dev-gls-password"  # noqa: S105
    dpd_delis_id: str = "DEVDELIS"
    dpd_password: str = "dev-dpd-password"  # noqa: S105
    mondial_relay_brand: str = "BDTEST13"
    mondial_relay_key: str = "PrivateK"
    yunexpress_code: str = "C88888"
    yunexpress_secret: str = "dev-yunexpress-secret"  # noqa: S105

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Credentials:
        names = {
            "laposte_key": "SUIVI_TRACKER_LAPOSTE__API_KEY",
            "usps_id": "SUIVI_TRACKER_USPS__CLIENT_ID",
            "usps_secret": "SUIVI_TRACKER_USPS__CLIENT_SECRET",
            "ups_id": "SUIVI_TRACKER_UPS__CLIENT_ID",
            "ups_secret": "SUIVI_TRACKER_UPS__CLIENT_SECRET",
            "fedex_id": "SUIVI_TRACKER_FEDEX__CLIENT_ID",
            "fedex_secret": "SUIVI_TRACKER_FEDEX__CLIENT_SECRET",
            "dhl_key": "SUIVI_TRACKER_DHL__API_KEY",
            "easypost_key": "SUIVI_TRACKER_EASYPOST__API_KEY",
            "aftership_key": "SUIVI_TRACKER_AFTERSHIP__API_KEY",
            # 17TRACK signs with the API key: ingest's secret is the same value.
            "seventeentrack_key": "SUIVI_TRACKER_SEVENTEENTRACK__API_KEY",
            "shippo_key": "SUIVI_TRACKER_SHIPPO__API_KEY",
            "ups_credential": "SUIVI_INGEST_UPS_CREDENTIAL",
            "dhl_token": "SUIVI_INGEST_DHL_TOKEN",
            "ingest_url": "SUIVI_STANDINS_INGEST_URL",
            "easypost_webhook_secret": "SUIVI_INGEST_EASYPOST_SECRET",
            "aftership_webhook_secret": "SUIVI_INGEST_AFTERSHIP_SECRET",
            "shippo_webhook_secret": "SUIVI_INGEST_SHIPPO_SECRET",
            "shippo_webhook_token": "SUIVI_INGEST_SHIPPO_TOKEN",
            **CARRIER_VARIABLES,
        }
        # Only the first of several comma-separated (rotation) secrets signs.
        given = {f: env[n].split(",")[0].strip() for f, n in names.items() if env.get(n)}
        return cls(**given)


CARRIER_VARIABLES = {
    "royal_mail_id": "SUIVI_TRACKER_ROYAL_MAIL__CLIENT_ID",
    "royal_mail_secret": "SUIVI_TRACKER_ROYAL_MAIL__CLIENT_SECRET",
    "canada_post_user": "SUIVI_TRACKER_CANADA_POST__USERNAME",
    "canada_post_password": "SUIVI_TRACKER_CANADA_POST__PASSWORD",
    "australia_post_key": "SUIVI_TRACKER_AUSTRALIA_POST__API_KEY",
    "australia_post_password": "SUIVI_TRACKER_AUSTRALIA_POST__PASSWORD",
    "australia_post_account": "SUIVI_TRACKER_AUSTRALIA_POST__ACCOUNT_NUMBER",
    "postnl_key": "SUIVI_TRACKER_POSTNL__API_KEY",
    "gls_user": "SUIVI_TRACKER_GLS__USERNAME",
    "gls_password": "SUIVI_TRACKER_GLS__PASSWORD",
    "dpd_delis_id": "SUIVI_TRACKER_DPD__DELIS_ID",
    "dpd_password": "SUIVI_TRACKER_DPD__PASSWORD",
    "mondial_relay_brand": "SUIVI_TRACKER_MONDIAL_RELAY__BRAND",
    "mondial_relay_key": "SUIVI_TRACKER_MONDIAL_RELAY__PRIVATE_KEY",
    "yunexpress_code": "SUIVI_TRACKER_YUNEXPRESS__CUSTOMER_CODE",
    "yunexpress_secret": "SUIVI_TRACKER_YUNEXPRESS__API_SECRET",
}


def carrier_standins(journeys: Journeys, c: Credentials) -> dict[str, PolledStandin]:
    """Issue 17's polled carriers, by URL prefix (= provider slug)."""
    made: list[PolledStandin] = [
        RoyalMailStandin(journeys, c.royal_mail_id, c.royal_mail_secret),
        CanadaPostStandin(journeys, c.canada_post_user, c.canada_post_password),
        AustraliaPostStandin(
            journeys, c.australia_post_key, c.australia_post_password, c.australia_post_account
        ),
        PostNLStandin(journeys, c.postnl_key),
        GlsStandin(journeys, c.gls_user, c.gls_password),
        DpdStandin(journeys, c.dpd_delis_id, c.dpd_password),
        MondialRelayStandin(journeys, c.mondial_relay_brand, c.mondial_relay_key),
        YunExpressStandin(journeys, c.yunexpress_code, c.yunexpress_secret),
    ]
    return {s.name: s for s in made}


class Standins:
    """Every stand-in over one clock and one journey book."""

    def __init__(self, creds: Credentials, journeys: Journeys) -> None:
        self.journeys = journeys
        self.clock = journeys.clock
        ingest = creds.ingest_url.rstrip("/") if creds.ingest_url else None

        def hook(provider: str, sign: Any, query: dict[str, str] | None = None) -> WebhookSender:
            url = f"{ingest}/v1/webhooks/{provider}" if ingest else None
            if url and query:
                url += "?" + urlencode(query)
            return WebhookSender(url, sign)

        token = {"token": creds.shippo_webhook_token} if creds.shippo_webhook_token else None
        self.laposte = LaPosteStandin(journeys, creds.laposte_key)
        self.usps = UspsStandin(journeys, creds.usps_id, creds.usps_secret)
        self.ups = UpsStandin(journeys, creds.ups_id, creds.ups_secret, hook("ups", lambda _: {}))
        self.fedex = FedExStandin(journeys, creds.fedex_id, creds.fedex_secret)
        self.dhl = DhlStandin(journeys, creds.dhl_key)
        self.easypost = easypost.EasyPostStandin(
            journeys,
            creds.easypost_key,
            hook("easypost", easypost.signer(creds.easypost_webhook_secret)),
        )
        self.aftership = aftership.AfterShipStandin(
            journeys,
            creds.aftership_key,
            hook("aftership", aftership.signer(creds.aftership_webhook_secret)),
        )
        self.seventeentrack = seventeentrack.SeventeenTrackStandin(
            journeys,
            creds.seventeentrack_key,
            hook("17track", seventeentrack.signer(creds.seventeentrack_key)),
        )
        self.shippo = shippo.ShippoStandin(
            journeys,
            creds.shippo_key,
            hook("shippo", shippo.signer(creds.shippo_webhook_secret), token),
        )
        self.carriers = carrier_standins(journeys, creds)

    @property
    def all(self) -> dict[str, Standin]:
        return {
            "laposte": self.laposte,
            "usps": self.usps,
            "ups": self.ups,
            "fedex": self.fedex,
            "dhl": self.dhl,
            "easypost": self.easypost,
            "aftership": self.aftership,
            "17track": self.seventeentrack,
            "shippo": self.shippo,
            **self.carriers,
        }

    @property
    def pushing(self) -> list[PushStandin]:
        return [s for s in self.all.values() if isinstance(s, PushStandin)]

    async def tick(self) -> int:
        return sum([await s.tick() for s in self.pushing])

    async def close(self) -> None:
        for standin in self.pushing:
            await standin.sender.close()


def create_app(standins: Standins, tick_seconds: float | None = 1.0) -> Starlette:
    """The ASGI app; with `tick_seconds`, push stand-ins send due webhooks on their own."""

    async def clock(request: Request) -> Response:
        body = await request.json()
        if "set" in body:
            standins.clock.set(datetime.fromisoformat(body["set"]))
        if "advance" in body:
            standins.clock.advance(float(body["advance"]))
        return JSONResponse({"now": standins.clock.now().isoformat()})

    async def journeys(request: Request) -> Response:
        body = await request.json()
        steps = [Step(**step) for step in body["steps"]] if "steps" in body else None
        standins.journeys.script(
            str(body["number"]),
            steps,
            not_found=bool(body.get("not_found")),
            needs_postal_code=bool(body.get("needs_postal_code")),
        )
        return JSONResponse({"number": body["number"]}, 201)

    async def tick(_: Request) -> Response:
        return JSONResponse({"sent": await standins.tick()})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_ticker(standins, tick_seconds)) if tick_seconds else None
        try:
            yield
        finally:
            await cancel(task)
            await standins.close()

    routes: list[Any] = [
        Route("/_admin/clock", clock, methods=["POST"]),
        Route("/_admin/journeys", journeys, methods=["POST"]),
        Route("/_admin/tick", tick, methods=["POST"]),
        *(Mount(f"/{prefix}", routes=s.routes()) for prefix, s in standins.all.items()),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _ticker(standins: Standins, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        await standins.tick()


def build(
    creds: Credentials | None = None,
    *,
    speed: float = 1.0,
    journey_seconds: float = 2 * 86400,
    tick_seconds: float | None = 1.0,
) -> tuple[Starlette, Standins]:
    journeys = Journeys(StandinClock(speed=speed), journey_seconds)
    standins = Standins(creds or Credentials(), journeys)
    return create_app(standins, tick_seconds), standins
