"""Tests against the real Kafka broker, PostgreSQL and protocol peers (`make up`): each one here
is marked `integration`, once."""

from __future__ import annotations

from suivi_infra.testing import mark_folder

pytest_collection_modifyitems = mark_folder(__file__)
