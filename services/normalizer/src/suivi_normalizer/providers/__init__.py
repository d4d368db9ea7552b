"""Provider modules, one per provider: a code table and a `parse(payload)` function (pure)."""

from __future__ import annotations

import importlib
from functools import cache

from suivi_normalizer.providers.base import AdapterError, Checkpoint, CodeTable, Meaning, ParseFn

# Provider slug (public: part of the webhook URL) → module in this package.
PROVIDER_MODULES: dict[str, str] = {
    "easypost": "easypost",
    "aftership": "aftership",
    "shippo": "shippo",
    "suivi": "suivi",
    "17track": "seventeentrack",
    "ups": "ups",
    "fedex": "fedex",
    "dhl": "dhl",
    "usps": "usps",
    "laposte": "laposte",
}


class UnknownProviderError(LookupError):
    pass


@cache
def parser_for(provider: str) -> ParseFn:
    module_name = PROVIDER_MODULES.get(provider)
    if module_name is None:
        raise UnknownProviderError(f"no adapter for provider {provider!r}")
    module = importlib.import_module(f"{__name__}.{module_name}")
    parse: ParseFn = module.parse
    return parse


__all__ = [
    "PROVIDER_MODULES",
    "AdapterError",
    "Checkpoint",
    "CodeTable",
    "Meaning",
    "ParseFn",
    "UnknownProviderError",
    "parser_for",
]
