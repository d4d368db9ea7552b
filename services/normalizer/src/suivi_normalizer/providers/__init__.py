"""Provider modules, one per slug of suivi_schemas.providers: a code table and a `parse` (pure)."""

from __future__ import annotations

import importlib
from functools import cache

from suivi_normalizer.providers.base import AdapterError, Checkpoint, CodeTable, Meaning, ParseFn
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
    parse: ParseFn = module.parse
    return parse


__all__ = [
    "AdapterError",
    "Checkpoint",
    "CodeTable",
    "Meaning",
    "ParseFn",
    "UnknownProviderError",
    "parser_for",
]
