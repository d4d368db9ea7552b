"""Realistic mixed-provider webhook bodies for the benchmarks, from the adapters' golden fixtures.

Each copy gets its own tracking number so that dedup does not hide work.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.providers import AdapterError
from suivi_normalizer.testing.envelope import envelope_for

FIXTURES = Path(__file__).resolve().parents[1] / "services" / "normalizer" / "tests" / "fixtures"


def templates() -> list[tuple[str, str, str]]:
    """(provider, body, tracking number as written in the body) for every usable fixture."""
    found = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        provider = path.parent.name
        body = path.read_text(encoding="utf-8")
        try:
            events = normalize(envelope_for(provider, body, datetime.now(UTC)))
        except (AdapterError, LookupError):
            continue  # fixtures of bad payloads
        numbers = {e.tracking_number for e in events}
        if len(numbers) == 1 and (number := numbers.pop()) in body:
            found.append((provider, body, number))
    return found


def bodies(count: int) -> list[tuple[str, str]]:
    """`count` (provider, body) pairs cycling through the providers' fixtures, all distinct."""
    pool = templates()
    if not pool:
        raise SystemExit("no fixtures to build payloads from")
    out = []
    for i, (provider, body, number) in zip(range(count), itertools.cycle(pool), strict=False):
        unique = f"{number[: max(1, len(number) - 7)]}{i:07d}"
        out.append((provider, body.replace(number, unique)))
    return out
