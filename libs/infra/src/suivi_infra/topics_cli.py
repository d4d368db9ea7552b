"""`suivi-topics`: creates every platform topic with its partitions and retention (idempotent),
its replication factor and min.insync.replicas from SUIVI_TOPICS_* or the options."""

from __future__ import annotations

import argparse
import asyncio

from aiokafka.admin import NewTopic

from suivi_infra.kafka import ensure_topics, new_topic
from suivi_infra.settings import KafkaSettings, TopicSettings
from suivi_schemas.topics import ALL_TOPICS


def plan(argv: list[str] | None = None) -> tuple[TopicSettings, list[NewTopic]]:
    """The settings (environment, then options) and the topics they make."""
    env = TopicSettings()
    parser = argparse.ArgumentParser(prog="suivi-topics", description=__doc__)
    parser.add_argument(
        "--replication-factor", type=int, default=env.replication_factor,
        help="replicas per partition (SUIVI_TOPICS_REPLICATION_FACTOR; default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--min-insync-replicas", type=int, default=env.min_insync_replicas,
        help="set on each topic (SUIVI_TOPICS_MIN_INSYNC_REPLICAS); unset: the broker's default",
    )  # fmt: skip
    args = parser.parse_args(argv)
    settings = TopicSettings(
        replication_factor=args.replication_factor, min_insync_replicas=args.min_insync_replicas
    )
    return settings, [new_topic(t, settings) for t in ALL_TOPICS]


def main(argv: list[str] | None = None) -> int:
    settings, topics = plan(argv)
    created = asyncio.run(ensure_topics(KafkaSettings(), topics))
    isr = settings.min_insync_replicas or "broker default"
    for t in ALL_TOPICS:
        state = f"created (replicas {settings.replication_factor}, min ISR {isr})"
        state = state if t.name in created else "exists (settings unchanged)"
        kept = (
            "compacted" if t.retention_ms < 0 else f"retention {t.retention_ms // 86_400_000:3} d"
        )
        print(f"{t.name:24} {t.partitions:3} partitions  {kept}  {state}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
