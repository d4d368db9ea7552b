"""Repository-wide pytest setup: the shared Kafka/PostgreSQL fixtures."""

pytest_plugins = ["suivi_infra.testing"]
