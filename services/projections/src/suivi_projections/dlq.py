"""Dead letters: a record the projector cannot apply goes, unchanged, to the DLQ with why."""

from __future__ import annotations

from suivi_infra.dlq import dead_letter
from suivi_infra.records import ConsumedRecord, OutRecord, RecordSink

DeadLetterSink = RecordSink
__all__ = ["ConsumedRecord", "DeadLetterSink", "OutRecord", "dead_letter"]
