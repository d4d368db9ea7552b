"""The ingest benchmark's baseline: an endpoint that only produces the body to Kafka.

Same server and the same kind of route as the real service's webhooks (a FastAPI app under
uvicorn, one process, the route served by a plain ASGI callable that reads the body from
`receive` and answers with headers built once), same producer and garbage collector settings,
but no signature check, no JSON validation, no envelope: what is left is the cost of HTTP plus
an acknowledged Kafka write. (Until the service's route became a plain ASGI callable, this one
was a FastAPI endpoint with dependency resolution, ~55 µs a request more.)
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from suivi_infra import heap
from suivi_infra.kafka import make_producer
from suivi_infra.message_size import producer_codec
from suivi_infra.settings import KafkaSettings
from suivi_ingest.settings import IngestSettings


def build() -> FastAPI:
    topic = os.environ["BENCH_TOPIC"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The service's compression too (zstd by default): the baseline differs only by what
        # ingest adds (signature, JSON, envelope), not by how the record goes to Kafka.
        codec = producer_codec(IngestSettings.model_fields["compression"].default)
        app.state.producer = make_producer(
            KafkaSettings(), client_id="bench-bare", compression_type=codec
        )
        await app.state.producer.start()
        yield
        await app.state.producer.stop()

    app = FastAPI(lifespan=lifespan)

    async def produce(scope: Scope, receive: Receive, send: Send) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        key = scope["path_params"]["provider"].encode()
        await app.state.producer.send_and_wait(topic, b"".join(chunks), key=key)
        await send({"type": "http.response.start", "status": 202, "headers": _ACCEPTED})
        await send({"type": "http.response.body", "body": b""})

    app.router.routes.insert(0, Route("/v1/webhooks/{provider}", _Asgi(produce), methods=["POST"]))
    return app


_ACCEPTED = [(b"content-length", b"0")]


class _Asgi:
    """Starlette serves a Route's endpoint as a raw ASGI app when it is not a function."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


if __name__ == "__main__":
    app = build()
    heap.settle()  # the service's collector settings too
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["BENCH_PORT"]),
        access_log=False,
        log_level="warning",
    )
