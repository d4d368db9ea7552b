"""`suivi-console`: the merchant console (port 8091), metrics on their own port (8092), until
SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from suivi_console.bootstrap import build
from suivi_console.settings import ConsoleSettings
from suivi_infra.metrics import metrics_server


async def serve(settings: ConsoleSettings) -> None:
    service = await build(settings)  # asyncpg and aiokafka bind to the running loop
    config = uvicorn.Config(
        service.app, host=settings.host, port=settings.port, lifespan="on",
        access_log=False,  # request lines carry reset tokens
        log_config=None, server_header=False,
    )  # fmt: skip
    with metrics_server(service.registry, settings.host, settings.metrics_port):
        await uvicorn.Server(config).serve()


def main() -> None:
    settings = ConsoleSettings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
