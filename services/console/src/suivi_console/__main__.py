"""`suivi-console`: the merchant console (port 8091), metrics on their own port (8092), until
SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio

from suivi_console.bootstrap import build
from suivi_console.settings import ConsoleSettings
from suivi_infra.metrics import metrics_server
from suivi_infra.serving import configure_logging, serve_asgi


async def serve(settings: ConsoleSettings) -> None:
    service = await build(settings)  # asyncpg and aiokafka bind to the running loop
    with metrics_server(service.registry, settings.host, settings.metrics_port):
        await serve_asgi(service.app, settings.host, settings.port)


def main() -> None:
    settings = ConsoleSettings()
    configure_logging(settings.log_level, quiet=("aiokafka", "httpx"))
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
