"""How the cluster's topics differ from what `suivi-topics` would create (`--check`)."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from suivi_infra.settings import KafkaSettings


async def drift(settings: KafkaSettings, topics: list[NewTopic]) -> dict[str, list[str]]:
    """Each planned topic's differences (missing; partitions; replicas of any partition, and
    in-sync replicas short of min.insync.replicas; each planned setting); [] when none."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, client_id=f"{settings.client_id}-check"
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        found: dict[str, list[str]] = {t.name: [] for t in topics}
        present = [t for t in topics if t.name in existing]
        for t in topics:
            if t.name not in existing:
                found[t.name].append("missing")
        if not present:
            return found
        described = {d["topic"]: d for d in await admin.describe_topics([t.name for t in present])}
        resources = [ConfigResource(ConfigResourceType.TOPIC, t.name) for t in present]
        actual: dict[str, dict[str, str]] = {}
        for response in await admin.describe_configs(resources):
            for _, _, _, name, entries in response.resources:
                actual[name] = {e[0]: e[1] for e in entries}
        for t in present:
            diffs = found[t.name]
            parts = described.get(t.name, {}).get("partitions", [])
            if len(parts) != t.num_partitions:
                diffs.append(f"partitions {len(parts)} (want {t.num_partitions})")
            replicas = sorted({len(p["replicas"]) for p in parts})
            if replicas and replicas != [t.replication_factor]:
                diffs.append(
                    f"replicas {'/'.join(map(str, replicas))} (want {t.replication_factor})"
                )
            for key, want in (t.topic_configs or {}).items():
                have = actual.get(t.name, {}).get(key)
                if have != want:
                    diffs.append(f"{key} {have} (want {want})")
            isr = int(actual.get(t.name, {}).get("min.insync.replicas") or 1)
            short = [p["partition"] for p in parts if len(p["isr"]) < isr]
            if short:  # not a setting: the cluster is missing brokers right now
                diffs.append(f"{len(short)} partition(s) under min ISR {isr} now")
        return found
    finally:
        await admin.close()
