"""The ingest benchmark's baseline: an endpoint that only produces the body to Kafka.

Same framework (FastAPI under uvicorn, one process), same producer and garbage collector
settings as the real service, but no signature check, no JSON validation, no envelope: what is
left is the cost of HTTP plus an acknowledged Kafka write.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Request, Response

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

    @app.post("/v1/webhooks/{provider}")
    async def receive(provider: str, request: Request) -> Response:
        producer = request.app.state.producer
        await producer.send_and_wait(topic, await request.body(), key=provider.encode())
        return Response(status_code=202)

    return app


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
