"""Change detection: key order, spacing and volatile top-level ids do not change the hash;
a new checkpoint does."""

from __future__ import annotations

from suivi_tracker.domain.changes import body_hash

A = b'{"shipment": {"idShip": "6A1", "event": [{"code": "DR1", "date": "2026-03-01"}]}}'


def test_same_content_same_hash() -> None:
    reordered = b'{ "shipment" : {"event":[{"date":"2026-03-01","code":"DR1"}], "idShip":"6A1"} }'
    assert body_hash(A) == body_hash(reordered)


def test_volatile_top_level_fields_are_ignored_but_not_nested_timestamps() -> None:
    with_ids = A[:-1] + b', "transactionId": "abc", "timestamp": "2026-03-02T10:00:00Z"}'
    assert body_hash(with_ids) == body_hash(A)
    nested1 = b'{"shipments": [{"events": [{"timestamp": "2026-03-01T10:00:00Z"}]}]}'
    nested2 = b'{"shipments": [{"events": [{"timestamp": "2026-03-01T11:00:00Z"}]}]}'
    assert body_hash(nested1) != body_hash(nested2)


def test_a_new_checkpoint_changes_the_hash_and_non_json_is_hashed_as_bytes() -> None:
    more = A.replace(b"}]}}", b'}, {"code": "DI1", "date": "2026-03-02"}]}}')
    assert body_hash(more) != body_hash(A)
    assert body_hash(b"<xml/>") != body_hash(b"<xml />")
