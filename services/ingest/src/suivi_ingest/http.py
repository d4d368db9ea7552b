"""Request reading and precise refusals shared by both intakes (webhooks and orders).

Both answer from plain Starlette endpoints (FastAPI's per-request dependency resolution measured
~55 µs, as much as a whole verification); `DocumentedRoute` lets each route be declared once, with
its OpenAPI description, and still be served by its plain endpoint (the webhook route by an ASGI
callable of its own: no Request, no Response object).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson  # suivi-schemas' (strict_json's) dependency
from fastapi.routing import APIRoute
from prometheus_client import Counter, Histogram
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from suivi_infra.http import JSON
from suivi_ingest.kafka import EventTooLargeError
from suivi_schemas import strict_json

Endpoint = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("suivi_ingest")
_JITER_DEPTH = 200
# Every byte but `[` and `{`: deleting them leaves the openings, in one pass (two counts: two).
_NOT_OPENING = bytes(b for b in range(256) if b not in b"[{")


# Bodies are read by the plain endpoints, not by FastAPI: OpenAPI is told what they must be.
JSON_OBJECT_BODY = {
    "requestBody": {"required": True, "content": {JSON: {"schema": {"type": "object"}}}}
}
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    }
}


class IngestError(Exception):
    """A precise refusal: HTTP status, a stable error code and a human-readable detail."""

    def __init__(self, status: int, error: str, detail: str, **headers: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers


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


async def publish_durably(
    publish: Awaitable[None],
    *,
    within: float,
    retry_after: int,
    failures: Counter,
    duration: Histogram,
    what: str,
    source: str,
) -> None:
    """Awaits `publish` (Kafka acks=all) for `within` seconds at most; else refuses: 413 when
    the event can never fit, 503 with Retry-After when it was not stored (the sender retries)."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(within):
            await publish
    except TimeoutError:
        failures.inc()
        raise IngestError(
            503,
            "publish_timeout",
            f"Kafka did not acknowledge within {within:g} s; nothing accepted, retry later",
            **{"Retry-After": str(retry_after)},
        ) from None
    except EventTooLargeError as exc:
        raise event_too_large(exc) from None
    except Exception as exc:  # whatever the broker or client says: not durable, so 503
        failures.inc()
        log.warning("%s publish failed (%s): %s", what, source, type(exc).__name__)
        raise IngestError(
            503,
            "kafka_unavailable",
            f"the {what} could not be stored; nothing was accepted, retry later",
            **{"Retry-After": str(retry_after)},
        ) from None
    duration.observe(time.perf_counter() - started)


async def read_body(receive: Receive, headers: Mapping[str, str], limit: int) -> bytes:
    """The whole body, refused as soon as it passes `limit` (declared or actually streamed);
    read from the ASGI messages as Starlette's `Request.stream` reads them."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        elif kind == "http.disconnect":
            raise IngestError(400, "client_disconnected", "the client went away mid-body")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def loads_for_ids(body: bytes) -> Any:
    """`strict_json.loads`'s verdict in one orjson pass (its check alone; the value is the
    second pass), except that integers beyond 64 bits come as floats: for reading ids only."""
    # orjson accepts up to 1,024 levels, strict_json (jiter) 200: a body shorter than 402 bytes
    # or with at most 200 openings cannot nest deeper (counting is a fifth of orjson's time).
    # Every body orjson refuses is decided by strict_json itself.
    short = len(body) <= 2 * _JITER_DEPTH + 1
    if short or len(body.translate(None, _NOT_OPENING)) <= _JITER_DEPTH:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return strict_json.loads(body)


def parse_object(
    body: bytes, *, allow_array: bool = False, loads: Callable[[bytes], Any] = strict_json.loads
) -> tuple[str, dict[str, Any]]:
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
        payload = loads(body)
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


def plain_headers(scope: Scope) -> dict[str, str]:
    # One pass over the raw ASGI headers (names already lowercase); the first value wins.
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def require_json(headers: Mapping[str, str]) -> str:
    """The Content-Type when it is JSON (UTF-8); else 415."""
    content_type = headers.get("content-type")
    if content_type is None or not is_json(content_type):
        raise IngestError(
            415, "unsupported_media_type", "Content-Type must be application/json (UTF-8)"
        )
    return content_type


class DocumentedRoute(APIRoute):
    """One declaration per route: OpenAPI from `endpoint`'s signature and the route's options,
    requests served by `app` (no dependency resolution, no FastAPI per-request exit stacks)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, app: ASGIApp, **kw: Any):
        super().__init__(path, endpoint, **kw)
        self.app = app
        # Paths this route's pattern takes that it leaves to the routes after it.
        self.leaves: frozenset[str] = frozenset()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # Requests for another route are told apart by the path alone, before FastAPI looks
        # for an included router's context in the scope.
        if scope["type"] == "http":
            path = get_route_path(scope)
            if path in self.leaves or self.path_regex.match(path) is None:
                return Match.NONE, {}
        return super().matches(scope)


def _plain(serve: Endpoint) -> ASGIApp:
    # Starlette's `request_response` also wraps each request in the app's exception handlers;
    # the app's ExceptionMiddleware applies the same ones to what this raises: once is enough.
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await serve(Request(scope, receive, send))
        await response(scope, receive, send)

    return app


def accepted_post(
    path: str,
    endpoint: Callable[..., Any],
    *,
    serve: Endpoint | None = None,
    app: ASGIApp | None = None,
    **kw: Any,
) -> DocumentedRoute:
    """A POST answered 202 once Kafka stored what it carries: every route of both intakes,
    served by `serve` (a Request in, a Response out) or by the ASGI callable `app`."""
    if (serve is None) == (app is None):
        raise TypeError("give one of serve and app")
    served = app if app is not None else _plain(serve)  # type: ignore[arg-type]
    return DocumentedRoute(path, endpoint, app=served, methods=["POST"], status_code=202, **kw)
