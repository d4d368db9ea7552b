"""Provider modules, one per slug of suivi_schemas.providers: a code table and a `parse` (pure)."""

from __future__ import annotations

import importlib
from dataclasses import fields
from functools import cache, lru_cache, wraps
from typing import Any

from suivi_normalizer.providers.base import (
    AdapterError,
    Checkpoint,
    CodeTable,
    Meaning,
    Parsed,
    ParseFn,
)
from suivi_normalizer.providers.wording import refine
from suivi_schemas.providers import BY_SLUG


class UnknownProviderError(LookupError):
    pass


@cache
def parser_for(provider: str) -> ParseFn:
    known = BY_SLUG.get(provider)
    if known is None:
        raise UnknownProviderError(f"no adapter for provider {provider!r}")
    # A provider's module is named by its identifier: 17track → seventeentrack.py.
    module = importlib.import_module(f"{__name__}.{known.ident}")
    return _worded(module.parse)


def _worded(parse: ParseFn) -> ParseFn:
    """`parse`, then each checkpoint's words weighed against its code (providers.wording)."""

    @wraps(parse)
    def parse_worded(payload: Any) -> list[Checkpoint]:
        found = parse(payload)
        checkpoints = [_reworded(cp) for cp in found]
        return Parsed(checkpoints, getattr(found, "degraded", ()))

    return parse_worded


# Pure, and carriers word their scans from a small vocabulary: each (meaning, words) is weighed
# once (its regular expressions were a twentieth of the pipeline's CPU).
_refined = lru_cache(maxsize=16384)(refine)


def _reworded(cp: Checkpoint) -> Checkpoint:
    meaning = _refined(cp.meaning, cp.message)
    if meaning is cp.meaning:
        return cp
    # dataclasses.replace, positionally (its keyword walk cost twice the constructor).
    return Checkpoint(
        cp.carrier, cp.tracking_number, cp.occurred_at, cp.code, meaning, cp.known, cp.message,
        cp.location, cp.estimated_delivery, cp.time_basis,
    )  # fmt: skip


# _reworded names every field of Checkpoint in order: refuse at import one that moved.
if [f.name for f in fields(Checkpoint)] != [
    "carrier", "tracking_number", "occurred_at", "code", "meaning", "known", "message",
    "location", "estimated_delivery", "time_basis",
]:  # fmt: skip
    raise ImportError("Checkpoint's fields changed: update providers._reworded")


__all__ = [
    "AdapterError",
    "Checkpoint",
    "CodeTable",
    "Meaning",
    "ParseFn",
    "Parsed",
    "UnknownProviderError",
    "parser_for",
]
