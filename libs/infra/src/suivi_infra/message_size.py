"""How many bytes a record takes on the broker, compared before sending with max.message.bytes."""

from __future__ import annotations

import time
from typing import Literal

from aiokafka.errors import MessageSizeTooLargeError, RecordListTooLargeError
from aiokafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder

Compression = Literal["zstd", "lz4", "gzip", "none"]

_CODECS: dict[Compression, int] = {
    "none": DefaultRecordBatch.CODEC_NONE,
    "gzip": DefaultRecordBatch.CODEC_GZIP,
    "lz4": DefaultRecordBatch.CODEC_LZ4,
    "zstd": DefaultRecordBatch.CODEC_ZSTD,
}
# What the broker (or the client's own max_request_size check) says of a record too large.
TOO_LARGE_ERRORS = (MessageSizeTooLargeError, RecordListTooLargeError)


def producer_codec(compression: Compression) -> str | None:
    """The producer's `compression_type` for a setting ('none' is no compression)."""
    return None if compression == "none" else compression


def batch_bytes(key: bytes | None, value: bytes, compression: Compression) -> int:
    """Exact bytes of a batch of this record alone, as the producer builds it (broker's measure)."""
    # Compressed only when that makes it smaller, as aiokafka does; the broker compares this
    # with the topic's max.message.bytes.
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=_CODECS[compression],
        is_transactional=0,
        producer_id=-1,  # fixed-width fields: the producer's real ids do not change the size
        producer_epoch=-1,
        base_sequence=-1,
        batch_size=2**31 - 1,
    )
    builder.append(0, int(time.time() * 1000), key, value, [])
    return len(builder.build())


def fits(key: bytes | None, value: bytes, compression: Compression, limit: int) -> int | None:
    """None when the record fits in `limit` bytes, else its size as the broker would see it."""
    # The cheap upper bound first: most records are far below the limit and are not
    # compressed twice. A compressed batch is never larger than the uncompressed one.
    if DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, []) <= limit:
        return None
    size = batch_bytes(key, value, compression)
    return None if size <= limit else size
