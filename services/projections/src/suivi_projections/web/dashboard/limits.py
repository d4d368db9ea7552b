"""Sign-in link requests limited per client address and per email, in the lookup limits' shared
counters (`web.ratelimit.Counters`: PostgreSQL in production), whatever the outcome, so that
nobody floods an inbox nor probes many addresses from one place."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from pydantic import SecretStr

from suivi_projections.web.ratelimit import Counters, Limit, Refusal


class SigninLimiter:
    """Per client first (a refused flood spends no email's budget), then per shop and email."""

    def __init__(
        self, counters: Counters, token_key: SecretStr, *, per_client: Limit, per_email: Limit,
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.counters = counters
        # Its own derived key: the counters' keys never match the lookup's.
        self._key = hmac.digest(token_key.get_secret_value().encode(), b"signin-limits", "sha256")
        self.per_client, self.per_email = per_client, per_email
        self._clock = clock

    def _hash(self, *parts: str) -> bytes:
        return hmac.digest(self._key, "\x1f".join(parts).encode(), hashlib.sha256)

    async def check(self, client: str, merchant_id: str, email: str) -> Refusal | None:
        """Counts the request; None when it may go on. `email` comes normalised."""
        now = self._clock()
        count, ends = await self.counters.hit(
            self._hash("ip", client), self.per_client.seconds, now
        )
        if count > self.per_client.count:
            return Refusal("signin_ip", ends - now)
        key = self._hash("email", merchant_id, email)
        count, ends = await self.counters.hit(key, self.per_email.seconds, now)
        if count > self.per_email.count:
            return Refusal("signin_email", ends - now)
        return None
