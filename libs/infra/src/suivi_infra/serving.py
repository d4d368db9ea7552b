"""How every HTTP service process runs: one log format, quiet clients, no request lines."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterable
from types import FrameType
from typing import Any

import uvicorn

from suivi_infra import heap

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str = "INFO", quiet: Iterable[str] = ("aiokafka",)) -> None:
    """The process's log format; the named clients only at WARNING (their INFO lines are noise
    or, for httpx, request lines naming tracking numbers)."""
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def exit_on_sigterm_until_serving() -> None:
    """Before uvicorn listens (and installs its own handler), SIGTERM stops the process at once:
    nothing is running yet."""
    signal.signal(signal.SIGTERM, _exit_cleanly)


async def serve_asgi(
    app: Any, host: str, port: int, *, shutdown_timeout_seconds: float | None = None
) -> None:
    """Serves `app` until SIGINT/SIGTERM, then shuts down gracefully (lifespan on)."""
    heap.settle()  # see suivi_infra.heap
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        access_log=False,  # request lines carry tracking numbers and tokens
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=(
            None if shutdown_timeout_seconds is None else int(shutdown_timeout_seconds)
        ),
    )
    await uvicorn.Server(config).serve()
