"""Dead letters: a record the projector cannot apply goes, unchanged, to the DLQ with why."""

from __future__ import annotations

from suivi_infra.dlq import dead_letter_headers
from suivi_infra.records import ConsumedRecord, OutRecord, RecordSink

DeadLetterSink = RecordSink
__all__ = ["ConsumedRecord", "DeadLetterSink", "OutRecord", "dead_letter"]


def dead_letter(record: ConsumedRecord, exc: BaseException) -> OutRecord:
    """The record as consumed, with the shared `suivi-dlq-*` headers."""
    return OutRecord(record.key, record.value or b"", dead_letter_headers(record, exc))
