"""`make schemas`: writes each topic's JSON Schema for downstream consumers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

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
    return files


def main(argv: list[str] | None = None) -> int:
    out = Path((argv or sys.argv[1:] or [str(DEFAULT_DIR)])[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (out / name).write_text(text, encoding="utf-8")
        print(out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
