"""The tracker's application layer: start, the scheduler's rounds, the consumed batches, the
merchant's corrections."""
