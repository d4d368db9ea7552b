"""Repository-wide pytest setup: the shared Kafka/PostgreSQL fixtures, development mode."""

import os

# Tests run as a developer machine does: the public development token key is accepted
# (suivi_infra.tokens); the tests of the refusal take SUIVI_ENV away themselves.
os.environ.setdefault("SUIVI_ENV", "development")

pytest_plugins = ["suivi_infra.testing"]
