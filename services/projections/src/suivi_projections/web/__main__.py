"""`suivi-projections-api`: serves the status pages and the API with uvicorn."""

from __future__ import annotations

import logging
import socket

import uvicorn

from suivi_infra import heap
from suivi_projections.query.live import LiveHub
from suivi_projections.web.bootstrap import build_api
from suivi_projections.web.settings import ApiSettings


class Server(uvicorn.Server):
    """Ends the live streams as soon as shutdown starts: they never end by themselves, so
    uvicorn would otherwise wait for them until the grace period runs out."""

    def __init__(self, config: uvicorn.Config, hub: LiveHub) -> None:
        super().__init__(config)
        self._hub = hub

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._hub.close()
        await super().shutdown(sockets)


def main() -> None:
    settings = ApiSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    app, hub = build_api(settings)
    heap.settle()  # see suivi_infra.heap
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        # Access logs would print URLs, and status tokens travel in them.
        access_log=False,
        log_config=None,
        lifespan="on",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        server_header=False,
    )
    Server(config, hub).run()


if __name__ == "__main__":
    main()
