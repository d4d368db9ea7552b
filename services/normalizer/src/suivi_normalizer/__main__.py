"""`suivi-normalizer`: runs the normalizer service."""

from __future__ import annotations

import asyncio
import logging

from suivi_normalizer.bootstrap import bootstrap


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(bootstrap().app.run())


if __name__ == "__main__":
    main()
