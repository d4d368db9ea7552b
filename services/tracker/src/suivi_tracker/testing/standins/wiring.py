"""Pointing the tracker's sources at the stand-ins (tests, the demo, `make run`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from suivi_tracker.adapters.sources import carrier_config
from suivi_tracker.adapters.sources import config as c
from suivi_tracker.adapters.sources.config import SourcesSettings, build_sources
from suivi_tracker.domain.sources import Source
from suivi_tracker.testing.standins.app import Credentials, Standins, build
from suivi_tracker.testing.standins.serve import serving


def settings_for(
    url: str, creds: Credentials, ingest_url: str | None = None, rate: float = 1000.0
) -> SourcesSettings:
    """SourcesSettings with every source configured against the stand-ins served at `url`."""
    key = SecretStr
    return SourcesSettings(
        ingest_base_url=ingest_url or "http://127.0.0.1:9",
        max_rate_wait_seconds=0.0,
        laposte=c.LaPosteSettings(
            api_key=key(creds.laposte_key), base_url=f"{url}/laposte/suivi/v2", rate=rate
        ),
        usps=c.UspsSettings(
            client_id=creds.usps_id,
            client_secret=key(creds.usps_secret),
            base_url=f"{url}/usps",
            rate=rate,
            burst=100,
        ),
        ups=c.UpsSettings(
            client_id=creds.ups_id,
            client_secret=key(creds.ups_secret),
            base_url=f"{url}/ups",
            rate=rate,
            alert_credential=key(creds.ups_credential),
        ),
        fedex=c.FedExSettings(
            client_id=creds.fedex_id,
            client_secret=key(creds.fedex_secret),
            base_url=f"{url}/fedex",
            rate=rate,
        ),
        dhl=c.DhlSettings(api_key=key(creds.dhl_key), base_url=f"{url}/dhl", rate=rate, burst=100),
        easypost=c.EasyPostSettings(
            api_key=key(creds.easypost_key), base_url=f"{url}/easypost/v2", rate=rate
        ),
        aftership=c.AfterShipSettings(
            api_key=key(creds.aftership_key),
            rate=rate,
            base_url=f"{url}/aftership/tracking/2026-07",
        ),
        seventeentrack=c.SeventeenTrackSettings(
            api_key=key(creds.seventeentrack_key), rate=rate, base_url=f"{url}/17track/track/v2.2"
        ),
        shippo=c.ShippoSettings(api_key=key(creds.shippo_key), base_url=f"{url}/shippo", rate=rate),
    ).model_copy(update=carrier_settings(url, creds, rate))


def carrier_settings(url: str, creds: Credentials, rate: float) -> dict[str, object]:
    """Issue 17's polled carriers' blocks, against the stand-ins served at `url`."""
    key, cc = SecretStr, carrier_config

    def at(prefix: str, conf: carrier_config.CarrierLimits) -> carrier_config.CarrierLimits:
        return conf.model_copy(update={"base_url": f"{url}/{prefix}", "rate": rate, "burst": 100})

    return {
        "royal_mail": at(
            "royal-mail",
            cc.RoyalMailSettings(
                client_id=creds.royal_mail_id, client_secret=key(creds.royal_mail_secret)
            ),
        ),
        "canada_post": at(
            "canada-post",
            cc.CanadaPostSettings(
                username=creds.canada_post_user, password=key(creds.canada_post_password)
            ),
        ),
        "australia_post": at(
            "australia-post",
            cc.AustraliaPostSettings(
                api_key=creds.australia_post_key,
                password=key(creds.australia_post_password),
                account_number=creds.australia_post_account,
            ),
        ),
        "postnl": at("postnl", cc.PostNLSettings(api_key=key(creds.postnl_key))),
        "gls": at("gls", cc.GlsSettings(username=creds.gls_user, password=key(creds.gls_password))),
        "dpd": at(
            "dpd", cc.DpdSettings(delis_id=creds.dpd_delis_id, password=key(creds.dpd_password))
        ),
        "mondial_relay": at(
            "mondial-relay",
            cc.MondialRelaySettings(
                brand=creds.mondial_relay_brand, private_key=key(creds.mondial_relay_key)
            ),
        ),
        "yunexpress": at(
            "yunexpress",
            cc.YunExpressSettings(
                customer_code=creds.yunexpress_code, api_secret=key(creds.yunexpress_secret)
            ),
        ),
    }


@dataclass
class Peers:
    url: str
    standins: Standins
    sources: dict[str, Source]

    async def admin(self, path: str, body: object) -> None:
        """POST to one of the stand-ins' admin routes (clock, journeys, faults)."""
        async with httpx.AsyncClient(base_url=self.url) as http:
            (await http.post(path, json=body)).raise_for_status()


@asynccontextmanager
async def running(
    creds: Credentials, ingest_url: str | None = None, tick_seconds: float | None = None
) -> AsyncIterator[Peers]:
    """Every stand-in served on loopback and every source built against them."""
    app, standins = build(creds, tick_seconds=tick_seconds)
    async with serving(app) as url:
        sources = {s.name: s for s in build_sources(settings_for(url, creds, ingest_url))}
        try:
            yield Peers(url, standins, sources)
        finally:
            for source in sources.values():
                await source.close()
