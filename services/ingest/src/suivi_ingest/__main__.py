"""`suivi-ingest`: serves the webhook receiver with uvicorn, shutting down gracefully."""

from __future__ import annotations

import gc
import logging

import uvicorn

from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings

# Collections of the youngest objects once 10,000 more are alive, not 700: a request's objects
# are freed by reference counting, so with 700 one ran every ~9 requests for nothing.
YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Takes what startup built (modules, app, schemas: ~90,000 objects) out of the collector's
    sight: each full collection scanned them all, a ~0.1 s pause every ~1,000 requests."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def main() -> None:
    settings = IngestSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # Kafka's client logs every refused connection while the broker is away; we log the outcome.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    app = build_app(settings)
    settle_heap()
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
