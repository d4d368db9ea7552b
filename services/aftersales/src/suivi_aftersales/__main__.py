"""`suivi-aftersales`: the returns API and pages (port 8094), the orders/status consumer, the
outbox relay and the reminder scheduler, with metrics on their own port (8095), until
SIGINT/SIGTERM, then a graceful stop (the batch in hand is finished)."""

from __future__ import annotations

import asyncio

from suivi_aftersales.bootstrap import bootstrap
from suivi_aftersales.settings import AftersalesSettings
from suivi_infra.serving import configure_logging, exit_on_sigterm_until_serving, serve_asgi


async def serve(settings: AftersalesSettings) -> None:
    # aiokafka and asyncpg bind to the running loop: build the service inside it.
    service = await bootstrap(settings)
    await serve_asgi(
        service.api, settings.host, settings.port,
        shutdown_timeout_seconds=settings.shutdown_timeout_seconds,
    )  # fmt: skip


def main() -> None:
    settings = AftersalesSettings()
    configure_logging(settings.log_level, quiet=("aiokafka",))
    exit_on_sigterm_until_serving()
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
