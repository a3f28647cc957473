from __future__ import annotations

import pytest

from foxden.dispatch.retry import RetryPolicy


@pytest.mark.parametrize(
    ("made", "due"),
    [(1, 1_000 + 60_000), (2, 1_000 + 120_000), (3, 1_000 + 240_000), (4, None)],
)
def test_sigfox_retry_schedule(made: int, due: int | None) -> None:
    assert RetryPolicy().next_due(made, 1_000) == due


def test_no_retries() -> None:
    assert RetryPolicy(()).next_due(1, 0) is None
