"""The write side: Kafka batches into the PostgreSQL read models, one transaction per batch."""
