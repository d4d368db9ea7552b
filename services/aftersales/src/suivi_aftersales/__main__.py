"""`suivi-aftersales`: the returns API and pages (port 8094), the orders/status consumer, the
outbox relay and the reminder scheduler, with metrics on their own port (8095), until
SIGINT/SIGTERM, then a graceful stop (the batch in hand is finished)."""

from __future__ import annotations

import asyncio
import logging
import signal
from types import FrameType

import uvicorn

from suivi_aftersales.bootstrap import bootstrap
from suivi_aftersales.settings import AftersalesSettings


async def serve(settings: AftersalesSettings) -> None:
    # aiokafka and asyncpg bind to the running loop: build the service inside it.
    service = await bootstrap(settings)
    config = uvicorn.Config(
        service.api,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        access_log=False,  # request lines carry tracking numbers
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds),
    )
    await uvicorn.Server(config).serve()


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    # Before uvicorn listens, SIGTERM stops the process at once (nothing is running yet).
    raise SystemExit(0)


def main() -> None:
    settings = AftersalesSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
