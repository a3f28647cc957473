"""Time as foxden stores it: integer Unix milliseconds, converted to seconds only at an API edge."""

from __future__ import annotations

import time

DAY_MS = 86_400_000


def now_ms() -> int:
    """The current Unix time in milliseconds."""
    return time.time_ns() // 1_000_000
