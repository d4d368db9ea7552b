"""Settings and construction of the carrier APIs polled since issue 17 (one block per carrier;
config.py composes them into SourcesSettings and build_sources). A source is enabled by its
credentials; base URLs default to production; rates to a conservative 2 calls a second where
the carrier publishes none for its tracking API."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, SecretStr

from suivi_tracker.adapters.sources.australia_post import AustraliaPostSource
from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.canada_post import CanadaPostSource
from suivi_tracker.adapters.sources.dpd import DpdSource
from suivi_tracker.adapters.sources.gls import GlsSource
from suivi_tracker.adapters.sources.http import SourceHttp, basic_auth_header, keyed, secret
from suivi_tracker.adapters.sources.mondial_relay import MondialRelaySource
from suivi_tracker.adapters.sources.postnl import PostNLSource
from suivi_tracker.adapters.sources.royal_mail import RoyalMailSource
from suivi_tracker.adapters.sources.yunexpress import YunExpressSource

if TYPE_CHECKING:
    from collections.abc import Callable


class CarrierLimits(BaseModel):
    rate: float = Field(default=2.0, gt=0)
    burst: int = Field(default=2, ge=1)
    base_url: str = ""


class RoyalMailSettings(CarrierLimits):
    base_url: str = "https://api.royalmail.net"
    client_id: str | None = None
    client_secret: SecretStr | None = None


class CanadaPostSettings(CarrierLimits):
    base_url: str = "https://soa-gw.canadapost.ca"
    username: str | None = None
    password: SecretStr | None = None


class AustraliaPostSettings(CarrierLimits):
    base_url: str = "https://digitalapi.auspost.com.au"
    api_key: str | None = None
    password: SecretStr | None = None
    account_number: str | None = None


class PostNLSettings(CarrierLimits):
    base_url: str = "https://api.postnl.nl"
    api_key: SecretStr | None = None


class GlsSettings(CarrierLimits):
    # The contract's authenticated track and trace base (GLS gives it with the credentials).
    base_url: str = "https://api.gls-group.net/track-and-trace-v1"
    username: str | None = None
    password: SecretStr | None = None


class DpdSettings(CarrierLimits):
    base_url: str = "https://public-ws.dpd.com"
    delis_id: str | None = None
    password: SecretStr | None = None


class MondialRelaySettings(CarrierLimits):
    base_url: str = "https://api.mondialrelay.com"
    brand: str | None = None  # `Enseigne`
    private_key: SecretStr | None = None


class YunExpressSettings(CarrierLimits):
    base_url: str = "https://oms.api.yunexpress.com"
    customer_code: str | None = None
    api_secret: SecretStr | None = None


class CarrierSettings(BaseModel):
    """The carriers' blocks; SourcesSettings inherits them (SUIVI_TRACKER_ROYAL_MAIL__…)."""

    royal_mail: RoyalMailSettings = RoyalMailSettings()
    canada_post: CanadaPostSettings = CanadaPostSettings()
    australia_post: AustraliaPostSettings = AustraliaPostSettings()
    postnl: PostNLSettings = PostNLSettings()
    gls: GlsSettings = GlsSettings()
    dpd: DpdSettings = DpdSettings()
    mondial_relay: MondialRelaySettings = MondialRelaySettings()
    yunexpress: YunExpressSettings = YunExpressSettings()


def build_carrier_sources(
    s: CarrierSettings, http: Callable[[CarrierLimits], SourceHttp]
) -> list[BaseSource]:
    """The configured carriers' sources; `http` builds a client with the block's limits."""
    built: list[BaseSource] = []
    if (rm := s.royal_mail).client_id and secret(rm.client_secret):
        auth = {"X-IBM-Client-Id": rm.client_id, "X-IBM-Client-Secret": secret(rm.client_secret)}
        built.append(RoyalMailSource(keyed(http(rm), auth)))
    if (cp := s.canada_post).username and secret(cp.password):
        built.append(
            CanadaPostSource(keyed(http(cp), basic_auth_header(cp.username, secret(cp.password))))
        )
    if (ap := s.australia_post).api_key and secret(ap.password) and ap.account_number:
        client = keyed(http(ap), basic_auth_header(ap.api_key, secret(ap.password)))
        built.append(AustraliaPostSource(client, ap.account_number))
    if key := secret(s.postnl.api_key):
        built.append(PostNLSource(keyed(http(s.postnl), {"apikey": key})))
    if (gls := s.gls).username and secret(gls.password):
        built.append(
            GlsSource(keyed(http(gls), basic_auth_header(gls.username, secret(gls.password))))
        )
    if (dpd := s.dpd).delis_id and secret(dpd.password):
        built.append(DpdSource(http(dpd), dpd.delis_id, secret(dpd.password)))
    if (mr := s.mondial_relay).brand and secret(mr.private_key):
        built.append(MondialRelaySource(http(mr), mr.brand, secret(mr.private_key)))
    if (yun := s.yunexpress).customer_code and secret(yun.api_secret):
        token = f"{yun.customer_code}&{secret(yun.api_secret)}"
        # YunExpress's Basic credential is base64 of "<code>&<secret>", without a colon.
        basic = "Basic " + base64.b64encode(token.encode()).decode("ascii")
        built.append(YunExpressSource(keyed(http(yun), {"Authorization": basic})))
    return built
