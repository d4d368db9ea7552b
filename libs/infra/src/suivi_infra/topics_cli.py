"""`suivi-topics`: creates every platform topic with its partitions and retention (idempotent)."""

from __future__ import annotations

import argparse
import asyncio

from suivi_infra.kafka import ensure_topics, new_topic
from suivi_infra.settings import KafkaSettings
from suivi_schemas.topics import ALL_TOPICS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-topics", description=__doc__)
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    topics = [new_topic(t, replication_factor=args.replication_factor) for t in ALL_TOPICS]
    created = asyncio.run(ensure_topics(KafkaSettings(), topics))
    for t in ALL_TOPICS:
        state = "created" if t.name in created else "exists"
        days = t.retention_ms // 86_400_000
        print(f"{t.name:24} {t.partitions:3} partitions  retention {days:3} d  {state}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
