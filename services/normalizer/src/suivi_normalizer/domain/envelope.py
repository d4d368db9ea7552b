"""A consumed record's envelope (tracking.raw.v1), read once, by orjson, into what the hot path
uses of it, where the contract's own reading would give the same.

The contract stays RawProviderEvent: an envelope is read here only when it is in the form the
model writes (ingest and the tracker publish model_dump_json()) and every field passes the checks
the model makes; anything else (another spelling of a UUID or a time, a missing or mistyped
field, text that is not JSON) is read by RawProviderEvent.model_validate_json, so a bad envelope
is refused with the model's own ValidationError, and dead-lettered with its reason. A test
proves, for every golden fixture and for mutated envelopes, that both readings agree.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Annotated, Any, NamedTuple, Protocol
from uuid import UUID, SafeUUID

import orjson
from pydantic import TypeAdapter, ValidationError

from suivi_schemas import RawProviderEvent


class RawEnvelope(Protocol):
    """What the normalizer reads of a RawProviderEvent (the model, or `Envelope`)."""

    @property
    def event_id(self) -> UUID: ...
    @property
    def provider(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def body(self) -> str: ...


class Envelope(NamedTuple):
    """An envelope read by `read_envelope`: the model's values of these fields."""

    event_id: UUID
    provider: str
    received_at: datetime
    body: str


# The forms model_dump_json() writes: a UUID's lowercase hyphenated hex; an aware time to the
# second or microsecond with Z or ±HH:MM (datetime.fromisoformat then reads the same instant and
# offset as pydantic); the body's SHA-256 as the model's pattern says.
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?(?:Z|[+-]\d\d:\d\d)")
_SHA256_TEXT = re.compile(r"[0-9a-f]{64}")


_PROVIDER = RawProviderEvent.model_fields["provider"]
_SLUG: TypeAdapter[str] = TypeAdapter(
    Annotated.__class_getitem__((_PROVIDER.annotation, *_PROVIDER.metadata))  # type: ignore[attr-defined]
)


@functools.lru_cache(maxsize=1024)
def _is_slug(provider: str) -> bool:
    """The model's provider field holds it as written (its own type decides, once per value)."""
    try:
        return _SLUG.validate_python(provider) == provider
    except ValidationError:
        return False


# UUID's slots, written as UUID.__init__ writes them (its checks and conversions, ~1 µs, are
# for any spelling: here the text is _UUID_TEXT's, lowercase hyphenated hex).
_SET_INT = UUID.__dict__["int"].__set__
_SET_IS_SAFE = UUID.__dict__["is_safe"].__set__
_UNKNOWN = SafeUUID.unknown


def _uuid(text: str) -> UUID:
    made = object.__new__(UUID)
    _SET_INT(made, int(text.replace("-", ""), 16))
    _SET_IS_SAFE(made, _UNKNOWN)
    return made


def _optional_text(fields: dict[str, Any], name: str) -> bool:
    value = fields.get(name)
    return value is None or value.__class__ is str


def _light(fields: dict[str, Any]) -> Envelope | None:
    """The envelope, if every field is as the model would accept it unchanged; else None."""
    version = fields.get("schema_version", 1)
    event_id, provider = fields.get("event_id"), fields.get("provider")
    received_at, body = fields.get("received_at"), fields.get("body")
    digest, headers = fields.get("body_sha256"), fields.get("headers", {})
    ingest = fields.get("ingest")
    if not (
        version.__class__ is int
        and version == 1
        and event_id.__class__ is str
        and _UUID_TEXT.fullmatch(event_id)
        and provider.__class__ is str
        and _is_slug(provider)
        and received_at.__class__ is str
        and _TIME_TEXT.fullmatch(received_at)
        and fields.get("content_type").__class__ is str
        and body.__class__ is str
        and digest.__class__ is str
        and _SHA256_TEXT.fullmatch(digest)
        and _optional_text(fields, "delivery_id")
        and headers.__class__ is dict
        and all(value.__class__ is str for value in headers.values())
        and ingest.__class__ is dict
        and ingest.get("request_id").__class__ is str
        and ingest.get("signature_scheme").__class__ is str
        and _optional_text(ingest, "ingest_instance")
        and (length := ingest.get("content_length")).__class__ is int
        and length >= 0
    ):
        return None
    try:
        at = datetime.fromisoformat(received_at)
    except ValueError:  # e.g. a 13th month: the model's error says so
        return None
    return Envelope(_uuid(event_id), provider, at, body)


def read_envelope(value: bytes | None) -> RawEnvelope:
    """The record's envelope; a RawProviderEvent's ValidationError when it is not one."""
    if value:
        try:
            fields = orjson.loads(value)
        except orjson.JSONDecodeError:
            fields = None
        if fields.__class__ is dict:
            light = _light(fields)
            if light is not None:
                return light
    return RawProviderEvent.model_validate_json(value or b"")
