"""I/O at the edges: PostgreSQL, SMTP, the SMS provider's HTTP API, web push, Kafka."""
