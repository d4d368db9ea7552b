"""The merchant HTTP API: /v1/trackings (create, batch, read, list, correct, stop)."""
