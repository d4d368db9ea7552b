"""The webhook hot path: check, verify, parse once, publish, answer; precise errors."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from suivi_ingest.metrics import IngestMetrics
from suivi_ingest.providers import PROVIDERS, ProviderSpec, RequestFacts, Verify
from suivi_ingest.publisher import EventTooLargeError, RawEventPublisher
from suivi_ingest.settings import IngestSettings
from suivi_ingest.signatures import SignatureError
from suivi_schemas import strict_json
from suivi_schemas.raw import IngestMetadata, RawProviderEvent

log = logging.getLogger("suivi_ingest")
JSON = "application/json"


class IngestError(Exception):
    """A precise refusal: HTTP status, a stable error code and a human-readable detail."""

    def __init__(self, status: int, error: str, detail: str, **headers: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers


def error_response(
    status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps({"error": error, "detail": detail}, ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type=JSON, headers=headers)


def is_json(content_type: str | None) -> bool:
    """application/json, optionally with a UTF-8 charset parameter."""
    if content_type is None:
        return False
    if content_type == JSON:
        return True
    media, _, params = content_type.partition(";")
    if media.strip().lower() != JSON:
        return False
    for param in params.split(";"):
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in {"utf-8", "utf8"}:
            return False
    return True


def _too_large(limit: int) -> IngestError:
    return IngestError(413, "payload_too_large", f"the body exceeds {limit} bytes")


def event_too_large(exc: EventTooLargeError) -> IngestError:
    """413: the body passed the body limit, but its stored event cannot fit in Kafka."""
    return IngestError(413, "event_too_large", f"{exc}; nothing was accepted")


async def read_body(request: Request, headers: Mapping[str, str], limit: int) -> bytes:
    """The whole body, refused as soon as it passes `limit` (declared or actually streamed)."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
    except ClientDisconnect:
        raise IngestError(400, "client_disconnected", "the client went away mid-body") from None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_object(body: bytes, *, allow_array: bool = False) -> tuple[str, dict[str, Any]]:
    """The body as text and as a JSON object, parsed once; 400 says what is wrong.

    With `allow_array` (providers whose answers may be a list of objects), a non-empty array of
    objects is accepted and its first element is returned for ids and keys."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            400, "invalid_encoding", f"the body is not UTF-8 (invalid byte at offset {exc.start})"
        ) from None
    try:
        payload = strict_json.loads(body)
    except ValueError as exc:
        raise IngestError(400, "malformed_json", f"malformed JSON: {exc}") from None
    if allow_array and isinstance(payload, list) and payload:
        if all(isinstance(item, dict) for item in payload):
            return text, payload[0]
        raise IngestError(400, "not_an_object", "every element of the JSON array must be an object")
    if not isinstance(payload, dict):
        kind = "array" if isinstance(payload, list) else type(payload).__name__
        raise IngestError(400, "not_an_object", f"the JSON body must be an object, not {kind}")
    return text, payload


def _plain_headers(request: Request) -> dict[str, str]:
    # One pass over the raw ASGI headers (names already lowercase); the first value wins.
    headers: dict[str, str] = {}
    for name, value in request.scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


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
        self._retry_after = {"Retry-After": str(settings.retry_after_seconds)}

    async def handle(self, request: Request) -> Response:
        provider: str = request.path_params["provider"]
        try:
            response = await self._ingest(provider, request)
        except IngestError as exc:
            self._metrics.answered(provider, exc.status)
            log.info(
                "%s webhook refused: %s %s", self._metrics.label(provider), exc.status, exc.error
            )
            return error_response(exc.status, exc.error, exc.detail, exc.headers or None)
        self._metrics.answered(provider, 202)
        return response

    async def _ingest(self, slug: str, request: Request) -> Response:
        spec = PROVIDERS.get(slug)
        if spec is None:
            raise IngestError(404, "unknown_provider", f"unknown provider {slug[:64]!r}")
        headers = _plain_headers(request)
        content_type = headers.get("content-type")
        if content_type is None or not is_json(content_type):
            raise IngestError(
                415, "unsupported_media_type", "Content-Type must be application/json (UTF-8)"
            )
        body = await read_body(request, headers, self._settings.max_body_bytes)
        self._metrics.body_bytes.observe(len(body))
        scheme = self._authenticate(
            spec, body, RequestFacts(headers, request.scope["query_string"], self._clock())
        )
        text, payload = parse_object(body, allow_array=spec.body_may_be_array)
        event_uuid = uuid.uuid4()
        event_id = str(event_uuid)
        event = RawProviderEvent(
            event_id=event_uuid,
            provider=slug,
            received_at=datetime.now(UTC),
            content_type=content_type,
            body=text,
            body_sha256=hashlib.sha256(body).hexdigest(),
            delivery_id=spec.delivery_id_of(payload, headers),
            headers=spec.selected_headers(headers),
            ingest=IngestMetadata(
                request_id=_request_id(headers, event_id),
                signature_scheme=scheme,
                ingest_instance=self._settings.instance,
                content_length=len(body),
            ),
        )
        await self._publish(event, spec.kafka_key(payload))
        return Response(
            b'{"raw_event_id":"%s","status":"accepted"}' % event_id.encode(),
            status_code=202,
            media_type=JSON,
        )

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

    async def _publish(self, event: RawProviderEvent, key: str) -> None:
        timeout = self._settings.publish_timeout_seconds
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                await self._publisher.publish(event, key)
        except TimeoutError:
            self._metrics.publish_failures.inc()
            raise IngestError(
                503,
                "publish_timeout",
                f"Kafka did not acknowledge within {timeout:g} s; nothing accepted, retry later",
                **self._retry_after,
            ) from None
        except EventTooLargeError as exc:
            raise event_too_large(exc) from None
        except Exception as exc:  # whatever the broker or client says: not durable, so 503
            self._metrics.publish_failures.inc()
            log.warning("publish failed for %s: %s", event.provider, type(exc).__name__)
            raise IngestError(
                503,
                "kafka_unavailable",
                "the event could not be stored; nothing was accepted, retry later",
                **self._retry_after,
            ) from None
        self._metrics.publish_duration.observe(time.perf_counter() - started)
