"""Fake publishers recording what would have gone to Kafka; they can fail, hang or be unready."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from suivi_schemas.orders import OrderEvent
from suivi_schemas.raw import RawProviderEvent

E = TypeVar("E")


@dataclass
class RecordingPublisher(Generic[E]):
    """Records what would have gone to Kafka; can be told to fail or hang."""

    published: list[tuple[E, str]] = field(default_factory=list)
    failure: Exception | None = None
    delay: float = 0.0

    async def publish(self, event: E, key: str) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        self.published.append((event, key))


@dataclass
class FakePublisher(RecordingPublisher[RawProviderEvent]):
    """Raw events, read back through the contract (`RawProviderEvent`) from the bytes ingest
    would store: a record the model would not write exactly so fails the test. Can also be
    told to be unready."""

    is_ready: bool = True
    records: list[bytes] = field(default_factory=list)

    async def publish_json(self, value: bytes, key: str) -> None:
        event = RawProviderEvent.model_validate_json(value)
        if RawProviderEvent.__pydantic_serializer__.to_json(event) != value:
            raise AssertionError(f"not the contract's serialization: {value!r}")
        await self.publish(event, key)
        self.records.append(value)

    async def ready(self) -> bool:
        return self.is_ready


@dataclass
class FakeOrderPublisher(RecordingPublisher[OrderEvent]):
    """Order events."""
