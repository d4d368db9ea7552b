"""The one rule that settles an attempt, for shopper messages, merchant webhooks and digests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from suivi_notifier.domain.outcomes import Permanent, Sent, Transient
from suivi_notifier.domain.schedule import Settlement, settle
from suivi_schemas import Outcome

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Policy:
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    retry_after_max_seconds: float = 600.0
    max_attempts: int = 3


def run(outcome: Sent | Transient | Permanent, state: str = "pending", *, ours: bool = True,
        attempt: int = 1) -> Settlement:  # fmt: skip
    return settle(outcome, state=state, ours=ours, attempt=attempt, now=NOW, policy=Policy(),
                  rng=random.Random(1))  # fmt: skip


def test_sent_is_the_truth_even_on_a_row_no_longer_ours() -> None:
    assert run(Sent(), "superseded", ours=False) == Settlement("sent", Outcome.SENT)
    assert run(Sent(), "sent", ours=False) == Settlement("sent", None)  # nothing twice
    assert run(Sent()).metric == "sent"


def test_a_failure_on_a_row_no_longer_ours_changes_nothing() -> None:
    for outcome in (Transient("smtp_421"), Permanent("invalid_number")):
        assert run(outcome, "superseded", ours=False) == Settlement("superseded", None)


def test_permanent_fails_and_the_last_attempt_gives_up() -> None:
    assert run(Permanent("invalid_number")) == Settlement("failed", Outcome.FAILED,
                                                          "invalid_number")  # fmt: skip
    gave_up = run(Transient("http_503"), attempt=3)
    assert (gave_up.state, gave_up.error, gave_up.metric) == ("failed", "gave_up_http_503",
                                                              "failed")  # fmt: skip


def test_transient_is_retried_after_backoff_or_the_peers_retry_after() -> None:
    second = run(Transient("http_503"), attempt=2)
    assert (second.state, second.outcome, second.metric) == ("pending", Outcome.RETRYING,
                                                             "retried")  # fmt: skip
    assert second.next_attempt_at is not None
    assert NOW + timedelta(seconds=30) <= second.next_attempt_at <= NOW + timedelta(seconds=60)
    told = run(Transient("http_429", retry_after=120))
    assert told.next_attempt_at == NOW + timedelta(seconds=120)
    capped = run(Transient("http_429", retry_after=99_999))
    assert capped.next_attempt_at == NOW + timedelta(seconds=600)
