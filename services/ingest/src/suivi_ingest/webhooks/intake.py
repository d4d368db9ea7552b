"""The webhook hot path: check, verify, parse once, publish, answer; precise errors.

Served as an ASGI callable of its own (`webhooks/api.py` declares the route): no Starlette
Request or Response object, the 202's headers built once; the stored record written straight to
its bytes (`envelope.py`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from starlette.types import Receive, Scope, Send

from suivi_infra.http import JSON, error_response
from suivi_ingest.http import (
    IngestError,
    loads_for_ids,
    parse_object,
    plain_headers,
    publish_durably,
    read_body,
    require_json,
)
from suivi_ingest.settings import IngestSettings
from suivi_ingest.webhooks import envelope
from suivi_ingest.webhooks.metrics import IngestMetrics
from suivi_ingest.webhooks.providers import PROVIDERS, ProviderSpec, RequestFacts, Verify
from suivi_ingest.webhooks.publisher import RawEventPublisher
from suivi_ingest.webhooks.signatures import SignatureError

log = logging.getLogger("suivi_ingest")
_ACCEPTED_START = b'{"raw_event_id":"'
_ACCEPTED_END = b'","status":"accepted"}'
# Every 202 is as long: a UUID's text between the two.
_ACCEPTED_LENGTH = str(len(_ACCEPTED_START) + 36 + len(_ACCEPTED_END)).encode()
# What starlette's Response(…, status_code=202, media_type=JSON) sends, built once.
_ACCEPTED_HEADERS = [(b"content-length", _ACCEPTED_LENGTH), (b"content-type", JSON.encode())]


def _request_id(headers: Mapping[str, str], fallback: str) -> str:
    given = headers.get("x-request-id")
    if given and len(given) <= 128 and given.isascii() and given.isprintable():
        return given
    return fallback


class WebhookIntake:
    """POST /v1/webhooks/{provider}: checks in the order 404, 415, 413, 401, 400, then 202/503."""

    def __init__(
        self,
        settings: IngestSettings,
        publisher: RawEventPublisher,
        metrics: IngestMetrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._publisher = publisher
        self._metrics = metrics
        self._clock = clock
        self._verifiers: dict[str, Verify | None] = {
            slug: spec.verifier(spec.credentials(settings)) for slug, spec in PROVIDERS.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The route's ASGI app: one answer per request, 202 only once Kafka holds the event."""
        provider: str = scope["path_params"]["provider"]
        try:
            event_id = await self._ingest(provider, scope, receive)
        except IngestError as exc:
            self._metrics.answered(provider, exc.status)
            log.info(
                "%s webhook refused: %s %s", self._metrics.label(provider), exc.status, exc.error
            )
            refusal = error_response(exc.status, exc.error, exc.detail, exc.headers or None)
            await refusal(scope, receive, send)
            return
        self._metrics.answered(provider, 202)
        await send({"type": "http.response.start", "status": 202, "headers": _ACCEPTED_HEADERS})
        body = b"%s%s%s" % (_ACCEPTED_START, event_id.encode(), _ACCEPTED_END)
        await send({"type": "http.response.body", "body": body})

    async def _ingest(self, slug: str, scope: Scope, receive: Receive) -> str:
        """The stored event's id, once Kafka acknowledged it; IngestError for any refusal."""
        spec = PROVIDERS.get(slug)
        if spec is None:
            raise IngestError(404, "unknown_provider", f"unknown provider {slug[:64]!r}")
        headers = plain_headers(scope)
        content_type = require_json(headers)
        body = await read_body(receive, headers, self._settings.max_body_bytes)
        self._metrics.body_bytes.observe(len(body))
        scheme = self._authenticate(
            spec, body, RequestFacts(headers, scope["query_string"], self._clock())
        )
        many = spec.body_may_be_array
        text, payload = parse_object(body, allow_array=many, loads=loads_for_ids)
        if spec.ids_are_floats(payload):  # maybe a long integer: read exactly, as the normalizer
            text, payload = parse_object(body, allow_array=many)
        event_id = envelope.new_event_id()
        record = envelope.encode(
            event_id=event_id,
            provider=slug,
            received_at=envelope.utc_text(datetime.now(UTC)),
            content_type=content_type,
            body=text,
            body_sha256=hashlib.sha256(body).hexdigest(),
            delivery_id=spec.delivery_id_of(payload, headers),
            headers=spec.selected_headers(headers),
            request_id=_request_id(headers, event_id),
            signature_scheme=scheme,
            ingest_instance=self._settings.instance,
            content_length=len(body),
        )
        await publish_durably(
            self._publisher.publish_json(record, spec.kafka_key(payload)),
            within=self._settings.publish_timeout_seconds,
            retry_after=self._settings.retry_after_seconds,
            failures=self._metrics.publish_failures,
            duration=self._metrics.publish_duration,
            what="event",
            source=slug,
        )
        return event_id

    def _authenticate(self, spec: ProviderSpec, body: bytes, facts: RequestFacts) -> str:
        verify = self._verifiers[spec.slug]
        if verify is None:
            raise IngestError(
                401,
                "provider_not_configured",
                f"provider {spec.slug!r} is not configured (no secret set): nothing is accepted",
            )
        try:
            return verify(body, facts)
        except SignatureError as exc:
            self._metrics.signature_failures.labels(spec.slug).inc()
            raise IngestError(401, "invalid_signature", str(exc)) from None
