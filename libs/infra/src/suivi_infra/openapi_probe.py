"""Test support: the answers an app gives that its own OpenAPI document does not list."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

JSON = {"content-type": "application/json"}
# Long and plain enough to pass the usual token and id patterns, and to match nothing.
UNKNOWN = "unknown_0000000000000000"


@dataclass(frozen=True)
class Probe:
    """One request to an operation: headers, body and query string (path parameters are
    filled with `UNKNOWN`)."""

    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    query: str = ""


def _generic(operation: dict[str, Any], auth: Mapping[str, str]) -> list[Probe]:
    """Without and with credentials; when there is a body: malformed, NaN, empty, not JSON;
    every query parameter with a value no schema takes."""
    probes = [Probe(), Probe({"authorization": "Bearer not-a-key"}), Probe(auth)]
    if "requestBody" in operation:
        for body in (b"{", b'{"x": NaN}', b"{}", b"[]"):
            probes.append(Probe({**auth, **JSON}, body))
        probes.append(Probe({**auth, "content-type": "text/plain"}, b"x"))
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query":
            probes.append(Probe(auth, None, f"?{parameter['name']}=%00{'z' * 300}"))
    return probes


async def undocumented_answers(
    client: httpx.AsyncClient,
    spec: dict[str, Any],
    *,
    auth: Mapping[str, str] | None = None,
    extra: Mapping[str, Sequence[Probe]] | None = None,
) -> dict[str, set[int]]:
    """For each operation ('POST /v1/orders'), the statuses it answered to generic probes
    (and `extra` ones) that its `responses` do not document; empty when all are."""
    missing: dict[str, set[int]] = {}
    for path, operations in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", UNKNOWN, path)
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            documented = {int(code) for code in operation.get("responses", {})}
            probes = [*_generic(operation, auth or {}), *(extra or {}).get(name, ())]
            for probe in probes:
                answer = await client.request(
                    method.upper(),
                    url + probe.query,
                    headers=dict(probe.headers),
                    content=probe.body,
                )
                if answer.status_code not in documented:
                    missing.setdefault(name, set()).add(answer.status_code)
    return missing
