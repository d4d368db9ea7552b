"""I/O: PostgreSQL statements and the Kafka relay of the outbox."""
