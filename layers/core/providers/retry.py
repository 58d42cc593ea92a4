"""When to retry a failed provider call, and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, honouring the provider's `retry-after`.

    Full jitter draws each wait uniformly from 0 to the exponential ceiling,
    which spreads the retries of many clients that failed at the same moment
    (a 529 hits every caller at once) instead of retrying them in lockstep.
    """

    max_retries: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0

    def delay(self, retry_number: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Return the seconds to wait before retry `retry_number` (0 for the first retry).

        A `retry-after` from the provider is used as given. When it requests
        longer than `max_delay_s`, this returns None: waiting that long on one
        tier costs more than falling back to the next tier now.
        """
        if retry_after is not None:
            if retry_after > self.max_delay_s:
                return None
            return retry_after
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0**retry_number)
        return rng.uniform(0.0, ceiling)
