"""`make schemas`: each topic's JSON Schema, and one AsyncAPI 3.0 document of every topic, for
downstream consumers (both generated from the models and the topic registry)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from suivi_schemas.topics import ALL_TOPICS

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "jsonschema"


def render() -> dict[str, str]:
    """File name → JSON text, for every topic that has a pydantic payload."""
    files: dict[str, str] = {}
    for topic in ALL_TOPICS:
        if topic.payload is None:
            continue
        schema = topic.payload.model_json_schema(mode="serialization")
        schema["$id"] = f"https://suivi.dev/schemas/{topic.name}.json"
        schema["x-kafka-topic"] = {"name": topic.name, "key": topic.key}
        files[f"{topic.name}.json"] = (
            json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    files["asyncapi.json"] = (
        json.dumps(asyncapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    return files


def asyncapi() -> dict[str, Any]:
    """AsyncAPI 3.0: a channel per topic (key, partitions, retention), payloads as JSON Schema."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in ALL_TOPICS:
        message: dict[str, Any] = {"name": topic.name, "contentType": "application/json"}
        if topic.payload is not None:
            schema = topic.payload.model_json_schema(
                mode="serialization", ref_template="#/components/schemas/{model}"
            )
            schemas.update(schema.pop("$defs", {}))
            schemas[topic.payload.__name__] = schema
            message["payload"] = {"$ref": f"#/components/schemas/{topic.payload.__name__}"}
        else:
            message["contentType"] = "application/octet-stream"
            message["description"] = "The record as consumed, with suivi-dlq-* headers."
        name = topic.name.replace(".", "_")
        messages[name] = message
        channels[name] = {
            "address": topic.name,
            "description": topic.description,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "kafka": {
                    "topic": topic.name,
                    "partitions": topic.partitions,
                    "topicConfiguration": {"retention.ms": topic.retention_ms}
                    | (
                        {"cleanup.policy": [topic.cleanup_policy]}
                        if topic.cleanup_policy != "delete"
                        else {}
                    ),
                    "bindingVersion": "0.5.0",
                }
            },
            "x-kafka-key": topic.key,
        }
        operations[f"receive_{name}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{name}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Suivi event contracts",
            "version": "1",
            "description": "Every Kafka topic of the platform (suivi_schemas.topics).",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def main(argv: list[str] | None = None) -> int:
    out = Path((argv or sys.argv[1:] or [str(DEFAULT_DIR)])[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (out / name).write_text(text, encoding="utf-8")
        print(out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
