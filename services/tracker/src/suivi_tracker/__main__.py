"""`suivi-tracker`: the tracking API (port 8085), the scheduler and the orders/status consumer,
with metrics on their own port (8087), until SIGINT/SIGTERM, then a graceful stop (the batch in
hand is finished; calls in flight finish or are left to their lease)."""

from __future__ import annotations

import asyncio

from suivi_infra.serving import configure_logging, exit_on_sigterm_until_serving, serve_asgi
from suivi_tracker.bootstrap import bootstrap
from suivi_tracker.settings import TrackerSettings


async def serve(settings: TrackerSettings) -> None:
    # aiokafka and asyncpg bind to the running loop: build the service inside it.
    service = await bootstrap(settings)
    await serve_asgi(
        service.api, settings.host, settings.port,
        shutdown_timeout_seconds=settings.shutdown_timeout_seconds,
    )  # fmt: skip


def main() -> None:
    settings = TrackerSettings()
    configure_logging(settings.log_level, quiet=("aiokafka", "httpx"))
    exit_on_sigterm_until_serving()
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
