"""Fake publishers recording what would have gone to Kafka; they can fail, hang or be unready."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from suivi_schemas.orders import OrderEvent
from suivi_schemas.raw import RawProviderEvent


@dataclass
class FakePublisher:
    """Records what would have gone to Kafka; can be told to fail, hang or be unready."""

    published: list[tuple[RawProviderEvent, str]] = field(default_factory=list)
    failure: Exception | None = None
    delay: float = 0.0
    is_ready: bool = True

    async def publish(self, event: RawProviderEvent, key: str) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        self.published.append((event, key))

    async def ready(self) -> bool:
        return self.is_ready


@dataclass
class FakeOrderPublisher:
    """Records what would have gone to Kafka; can be told to fail or hang."""

    published: list[tuple[OrderEvent, str]] = field(default_factory=list)
    failure: Exception | None = None
    delay: float = 0.0

    async def publish(self, event: OrderEvent, key: str) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        self.published.append((event, key))
