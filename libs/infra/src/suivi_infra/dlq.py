"""Dead letters: a record a consumer cannot process goes, unchanged, to its dead-letter topic
with `suivi-dlq-*` headers saying why and where it came from (the same for every service)."""

from __future__ import annotations

from datetime import UTC, datetime

from suivi_infra.records import ConsumedRecord, Headers


def dlq_reason(exc: BaseException) -> str:
    """Why, without the record's content: a validation error gives its fields and error types
    only (its input values may be personal data); other errors their message."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            places = [
                ".".join(str(p) for p in e.get("loc", ())) + ":" + str(e.get("type"))
                for e in errors()
            ]
        except Exception:  # an errors() we do not understand: say only that it is invalid
            places = []
        return ("invalid fields " + ", ".join(places))[:1000] if places else "invalid record"
    return (str(exc) or exc.__class__.__name__)[:1000]


def dead_letter_headers(record: ConsumedRecord, exc: BaseException, **extra: str) -> Headers:
    """The record's own headers (minus earlier suivi-dlq-*), then why and where; `extra`
    adds `suivi-dlq-<name>` headers (e.g. provider)."""
    headers: Headers = [(k, v) for k, v in record.headers or () if not k.startswith("suivi-dlq-")]
    headers += [
        ("suivi-dlq-reason", dlq_reason(exc).encode()),
        ("suivi-dlq-error", exc.__class__.__name__.encode()),
        ("suivi-dlq-source-topic", record.topic.encode()),
        ("suivi-dlq-source-partition", str(record.partition).encode()),
        ("suivi-dlq-source-offset", str(record.offset).encode()),
        ("suivi-dlq-failed-at", datetime.now(UTC).isoformat().encode()),
    ]
    headers += [(f"suivi-dlq-{name}", value.encode()) for name, value in extra.items()]
    return headers
