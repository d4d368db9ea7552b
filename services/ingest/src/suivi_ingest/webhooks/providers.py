"""Known webhook providers: how each is authenticated and where its ids sit in the body."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from suivi_infra import signing
from suivi_ingest.settings import IngestSettings
from suivi_ingest.webhooks import signatures as sig
from suivi_schemas.ids import normalize_tracking_number
from suivi_schemas.providers import BY_SLUG
from suivi_schemas.providers import PROVIDERS as LISTED

Path = tuple[str | int, ...]
_MAX_ID_LEN = 256
_MAX_TRACKING_LEN = 64
# Never copied into the envelope, whatever a provider spec says.
_SECRET_HINTS = ("signature", "hmac", "authorization", "token", "cookie", "secret", "key")


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What a verifier may look at besides the body."""

    headers: Mapping[str, str]  # names in lowercase, as ASGI gives them
    query_string: bytes
    now: float

    def query(self, name: str) -> str | None:
        """The first value of a query parameter (parsed only by the verifiers that need it)."""
        values = parse_qs(self.query_string.decode("latin-1")).get(name)
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class Credentials:
    secrets: tuple[str, ...]
    tokens: tuple[str, ...]
    tolerance_seconds: int


# Raises SignatureError, or returns the scheme that authenticated the request.
Verify = Callable[[bytes, RequestFacts], str]
# Builds the provider's verifier from its credentials; None when nothing is configured.
VerifierFactory = Callable[[Credentials], Verify | None]


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One provider: its verifier, credentials, ids to keep and headers to copy."""

    slug: str
    verifier: VerifierFactory
    secrets_from: str
    tokens_from: str | None = None
    delivery_id: tuple[Path, ...] = ()
    delivery_id_header: str | None = None
    tracking_number: Path | None = None
    headers: tuple[str, ...] = field(default=("user-agent",))
    # La Poste answers a poll for several numbers with a JSON array of shipment answers.
    body_may_be_array: bool = False

    def credentials(self, settings: IngestSettings) -> Credentials:
        return Credentials(
            secrets=settings.values_of(self.secrets_from),
            tokens=settings.values_of(self.tokens_from),
            tolerance_seconds=settings.signature_tolerance_seconds,
        )

    def delivery_id_of(self, payload: Mapping[str, Any], headers: Mapping[str, str]) -> str | None:
        """The provider's id of this delivery, the same on its retries."""
        for path in self.delivery_id:
            value = _dig(payload, path)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if isinstance(value, str) and 0 < len(value) <= _MAX_ID_LEN:
                return value
        if self.delivery_id_header is not None:
            value = headers.get(self.delivery_id_header)
            if value and len(value) <= _MAX_ID_LEN:
                return value
        return None

    def kafka_key(self, payload: Mapping[str, Any]) -> str:
        """`provider:TRACKINGNUMBER` keeps one shipment's webhooks in one partition."""
        if self.tracking_number is not None:
            value = _dig(payload, self.tracking_number)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # DHL sometimes sends the shipment id as a JSON number
            if isinstance(value, str):
                number = normalize_tracking_number(value)
                if 0 < len(number) <= _MAX_TRACKING_LEN:
                    return f"{self.slug}:{number}"
        return self.slug

    def ids_are_floats(self, payload: Mapping[str, Any]) -> bool:
        """Whether an id or number this provider reads is a JSON float (or, as `loads_for_ids`
        reads them, an integer beyond 64 bits)."""
        paths = (*self.delivery_id, self.tracking_number)
        return any(isinstance(_dig(payload, p), float) for p in paths if p is not None)

    def selected_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        selected: dict[str, str] = {}
        for name in self.headers:
            value = headers.get(name)
            if value is not None and not any(hint in name for hint in _SECRET_HINTS):
                selected[name] = value[:_MAX_ID_LEN]
        return selected


def _dig(payload: Mapping[str, Any], path: Path) -> Any:
    node: Any = payload
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                return None
            node = node[part]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _keys(creds: Credentials, make: Callable[[str], bytes] = sig.utf8_key) -> tuple[bytes, ...]:
    return tuple(make(s) for s in creds.secrets)


def easypost_verifier(creds: Credentials) -> Verify | None:
    keys = _keys(creds, sig.easypost_key)
    if not keys:
        return None

    def verify(body: bytes, req: RequestFacts) -> str:
        sig.verify_easypost(body, req.headers.get("x-hmac-signature"), keys)
        return "hmac-sha256-hex"

    return verify


def aftership_verifier(creds: Credentials) -> Verify | None:
    keys = _keys(creds)
    if not keys:
        return None

    def verify(body: bytes, req: RequestFacts) -> str:
        sig.verify_aftership(body, req.headers.get("aftership-hmac-sha256"), keys)
        return "hmac-sha256-base64"

    return verify


def timestamped_verifier(header: str, scheme: str) -> VerifierFactory:
    """Stripe-like `t=…,v1=…` header over `"<t>.<body>"` (Suivi's own, Shippo's HMAC): the
    scheme of `suivi_infra.signing`, under the given header name."""

    lookup = header.lower()

    def factory(creds: Credentials) -> Verify | None:
        keys = _keys(creds)
        if not keys:
            return None

        def verify(body: bytes, req: RequestFacts) -> str:
            signing.verify(
                body,
                req.headers.get(lookup),
                keys,
                now=req.now,
                tolerance_seconds=creds.tolerance_seconds,
                name=header,
            )
            return scheme

        return verify

    return factory


def seventeentrack_verifier(creds: Credentials) -> Verify | None:
    keys = _keys(creds)
    if not keys:
        return None

    def verify(body: bytes, req: RequestFacts) -> str:
        sig.verify_17track(body, req.headers.get("sign"), keys)
        return "sha256-body-key"

    return verify


def fedex_verifier(creds: Credentials) -> Verify | None:
    keys = _keys(creds)
    if not keys:
        return None

    def verify(body: bytes, req: RequestFacts) -> str:
        sig.verify_hmac_base64(body, req.headers.get("fdx-signature"), keys, "fdx-signature")
        return "hmac-sha256-base64"

    return verify


def header_token_verifier(header: str) -> VerifierFactory:
    """A credential the subscriber chose, sent as-is in a header (UPS, DHL): no body signature,
    so only TLS protects it; compared in constant time."""
    lookup = header.lower()

    def factory(creds: Credentials) -> Verify | None:
        tokens = creds.secrets
        if not tokens:
            return None

        def verify(body: bytes, req: RequestFacts) -> str:
            sig.verify_token(req.headers.get(lookup), tokens, f"{header} header")
            return "header-credential"

        return verify

    return factory


_shippo_hmac = timestamped_verifier("Shippo-Auth-Signature", "hmac-sha256-hex-timestamped")


def shippo_verifier(creds: Credentials) -> Verify | None:
    """Shippo's HMAC and/or its URL token: every mechanism that is configured must pass."""
    hmac_check = _shippo_hmac(creds)
    tokens = creds.tokens
    if hmac_check is None and not tokens:
        return None

    def verify(body: bytes, req: RequestFacts) -> str:
        schemes = []
        if tokens:
            sig.verify_token(req.query("token"), tokens, "token query parameter")
            schemes.append("url-token")
        if hmac_check is not None:
            schemes.insert(0, hmac_check(body, req))
        return "+".join(schemes)

    return verify


# Issue 17's carriers have no push Suivi can subscribe to: their bodies come from the tracker's
# polls, or from a relay of the operator's, signed like `suivi`; where each keeps its number.
RELAYED_NUMBERS: dict[str, Path] = {
    "royal-mail": ("mailPieces", "mailPieceId"),
    "canada-post": ("number",),  # the tracker's envelope around the XML answer
    "australia-post": ("tracking_results", 0, "tracking_id"),
    "postnl": ("CompleteStatus", "Shipment", "Barcode"),
    "gls": ("tuStatus", 0, "tuNo"),
    "dpd": ("number",),
    "mondial-relay": ("number",),
    "cainiao": ("module", 0, "mailNo"),
    "yunexpress": ("Item", "WaybillNumber"),
    "4px": ("data", "deliveryOrderNo"),
}


def relayed(slug: str, tracking_number: Path) -> ProviderSpec:
    """A carrier whose bodies Suivi's own poller or relay posts, signed like `suivi` with the
    secret `<ident>_secret` (`SUIVI_INGEST_<IDENT>_SECRET`)."""
    return ProviderSpec(
        slug=slug,
        verifier=timestamped_verifier("Suivi-Signature", "suivi-v1"),
        secrets_from=f"{BY_SLUG[slug].ident}_secret",
        delivery_id_header="suivi-delivery-id",
        tracking_number=tracking_number,
        headers=("user-agent", "suivi-delivery-id"),
    )


_SPECS: dict[str, ProviderSpec] = {
    spec.slug: spec
    for spec in (
        ProviderSpec(
            slug="easypost",
            verifier=easypost_verifier,
            secrets_from="easypost_secret",
            delivery_id=(("id",),),
            tracking_number=("result", "tracking_code"),
        ),
        ProviderSpec(
            slug="aftership",
            verifier=aftership_verifier,
            secrets_from="aftership_secret",
            delivery_id=(("event_id",),),
            tracking_number=("msg", "tracking_number"),
        ),
        ProviderSpec(
            slug="shippo",
            verifier=shippo_verifier,
            secrets_from="shippo_secret",
            tokens_from="shippo_token",
            # Unique per tracking status and the same on Shippo's retries.
            delivery_id=(("data", "tracking_status", "object_id"),),
            tracking_number=("data", "tracking_number"),
        ),
        ProviderSpec(
            slug="suivi",
            verifier=timestamped_verifier("Suivi-Signature", "suivi-v1"),
            secrets_from="suivi_secret",
            delivery_id=(("delivery_id",),),
            delivery_id_header="suivi-delivery-id",
            tracking_number=("tracking_number",),
            headers=("user-agent", "suivi-delivery-id", "suivi-event-type"),
        ),
        ProviderSpec(
            slug="17track",
            verifier=seventeentrack_verifier,
            secrets_from="seventeentrack_secret",
            tracking_number=("data", "number"),
        ),
        ProviderSpec(
            slug="ups",
            verifier=header_token_verifier("credential"),
            secrets_from="ups_credential",
            tracking_number=("trackingNumber",),
        ),
        ProviderSpec(
            slug="fedex",
            verifier=fedex_verifier,
            secrets_from="fedex_secret",
            delivery_id=(("transactionId",),),
            tracking_number=("output", "completeTrackResults", 0, "trackingNumber"),
        ),
        ProviderSpec(
            slug="dhl",
            verifier=header_token_verifier("X-Suivi-Token"),
            secrets_from="dhl_token",
            tracking_number=("shipments", 0, "id"),
        ),
        # USPS and La Poste bodies come from Suivi's own pollers/relays, signed like `suivi`
        # (La Poste has no push; USPS's notification signature is not verifiably documented).
        ProviderSpec(
            slug="usps",
            verifier=timestamped_verifier("Suivi-Signature", "suivi-v1"),
            secrets_from="usps_secret",
            delivery_id_header="suivi-delivery-id",
            tracking_number=("trackingNumber",),
            headers=("user-agent", "suivi-delivery-id"),
        ),
        ProviderSpec(
            slug="laposte",
            verifier=timestamped_verifier("Suivi-Signature", "suivi-v1"),
            secrets_from="laposte_secret",
            delivery_id_header="suivi-delivery-id",
            tracking_number=("shipment", "idShip"),
            headers=("user-agent", "suivi-delivery-id"),
            body_may_be_array=True,
        ),
        *(relayed(slug, path) for slug, path in RELAYED_NUMBERS.items()),
    )
}

# One spec per provider of the shared list, in its order (suivi_schemas.providers): a listed
# provider without a spec stops ingest here; tests/test_provider_list.py checks none is extra.
PROVIDERS: dict[str, ProviderSpec] = {p.slug: _SPECS[p.slug] for p in LISTED}
