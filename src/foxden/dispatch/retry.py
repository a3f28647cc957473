"""When a failed delivery is tried again: a schedule of delays, Sigfox's by default."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Wait ``delays_ms[n]`` after the (n+1)th failed attempt; give up after the last delay."""

    delays_ms: tuple[int, ...] = (60_000, 120_000, 240_000)

    def next_due(self, attempts_made: int, now: int) -> int | None:
        """When to try again after ``attempts_made`` failed attempts, or None to give up."""
        if attempts_made <= len(self.delays_ms):
            return now + self.delays_ms[attempts_made - 1]
        return None
