"""`suivi-topics`: creates every platform topic with its partitions and retention (idempotent),
its replication factor and min.insync.replicas from SUIVI_TOPICS_* or the options; `--check`
changes nothing and exits 1 when a topic differs from them (drift)."""

from __future__ import annotations

import argparse
import asyncio

from aiokafka.admin import NewTopic

from suivi_infra.kafka import ensure_topics, new_topic
from suivi_infra.settings import KafkaSettings, TopicSettings
from suivi_infra.topic_drift import drift
from suivi_schemas.topics import ALL_TOPICS


def plan(argv: list[str] | None = None) -> tuple[TopicSettings, list[NewTopic]]:
    """The settings (environment, then options) and the topics they make."""
    settings, topics, _ = _plan(argv)
    return settings, topics


def _plan(argv: list[str] | None) -> tuple[TopicSettings, list[NewTopic], bool]:
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
    parser.add_argument(
        "--check", action="store_true", help="change nothing; report drift, exit 1 if any"
    )
    args = parser.parse_args(argv)
    settings = TopicSettings(
        replication_factor=args.replication_factor, min_insync_replicas=args.min_insync_replicas
    )
    return settings, [new_topic(t, settings) for t in ALL_TOPICS], args.check


def check(topics: list[NewTopic]) -> int:
    found = asyncio.run(drift(KafkaSettings(), topics))
    for name, diffs in found.items():
        print(f"{name:24} {'; '.join(diffs) if diffs else 'as configured'}")
    drifted = [name for name, diffs in found.items() if diffs]
    print(f"{len(drifted)} topic(s) differ" if drifted else "no drift")
    return 1 if drifted else 0


def main(argv: list[str] | None = None) -> int:
    settings, topics, checking = _plan(argv)
    if checking:
        return check(topics)
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
