"""I/O: PostgreSQL, Kafka, SMTP, the other services' HTTP APIs, image checks."""
