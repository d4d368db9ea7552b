"""Test support shipped with the package: a settable clock, a recording mailer, a console
wired to a test's own PostgreSQL schema and Kafka topic, and a signed-in client."""
