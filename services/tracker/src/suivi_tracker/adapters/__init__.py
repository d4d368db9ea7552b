"""I/O of the tracker: PostgreSQL, Kafka, the HTTP clients of carriers and aggregators."""
