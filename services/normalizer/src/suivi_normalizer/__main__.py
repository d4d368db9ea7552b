"""`suivi-normalizer`: runs the normalizer service until SIGINT/SIGTERM, then stops gracefully."""

from __future__ import annotations

import asyncio
import logging

from suivi_normalizer.bootstrap import bootstrap


async def serve() -> None:
    # aiokafka clients bind to the running loop: build the service inside it.
    await bootstrap().app.run()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    asyncio.run(serve())


if __name__ == "__main__":
    main()
