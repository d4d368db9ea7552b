"""Suivi ingest: HTTP webhook receiver that stores raw provider events on Kafka."""
