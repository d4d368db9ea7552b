"""`suivi-notifier`: consumes orders, status events and alerts, sends email / SMS / web push
(and merchants' alert webhooks and digests), and serves its HTTP API (port 8082) until
SIGINT/SIGTERM, then stops gracefully: the batch in hand is finished, in-flight sends are
recorded, the results outbox is flushed."""

from __future__ import annotations

import asyncio
import logging
import signal
from types import FrameType

import uvicorn

from suivi_infra import heap
from suivi_notifier.bootstrap import bootstrap, build_api
from suivi_notifier.settings import NotifierSettings


async def serve(settings: NotifierSettings) -> None:
    # aiokafka and asyncpg bind to the running loop: build the service inside it.
    service = await bootstrap(settings)
    heap.settle()  # see suivi_infra.heap
    config = uvicorn.Config(
        build_api(service),
        host=settings.host,
        port=settings.port,
        lifespan="on",
        access_log=False,  # unsubscribe URLs carry tokens
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds),
    )
    await uvicorn.Server(config).serve()


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    # uvicorn handles SIGTERM itself (graceful shutdown), then raises it again once done; a
    # graceful stop then exits 0 rather than "killed by SIGTERM". Before uvicorn listens,
    # SIGTERM stops the process at once (nothing is running yet).
    raise SystemExit(0)


def main() -> None:
    settings = NotifierSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request lines name push endpoints
    signal.signal(signal.SIGTERM, _exit_cleanly)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
