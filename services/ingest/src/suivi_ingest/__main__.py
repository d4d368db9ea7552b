"""`suivi-ingest`: serves the webhook receiver with uvicorn, shutting down gracefully."""

from __future__ import annotations

import logging

import uvicorn

from suivi_infra import heap
from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings


def main() -> None:
    settings = IngestSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # Kafka's client logs every refused connection while the broker is away; we log the outcome.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    app = build_app(settings)
    heap.settle()  # see suivi_infra.heap
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        # Access logs would print URLs, and Shippo's token travels in the query string.
        access_log=False,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        server_header=False,
    )


if __name__ == "__main__":
    main()
