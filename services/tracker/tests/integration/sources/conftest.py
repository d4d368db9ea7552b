"""Every stand-in served on loopback, and the tracker's sources pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from suivi_tracker.testing.standins.app import Credentials
from suivi_tracker.testing.standins.wiring import Peers, running


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    # No ingest here: push stand-ins build their webhooks without sending them.
    async with running(Credentials(ingest_url=None)) as peers:
        yield peers
