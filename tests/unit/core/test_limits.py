"""A page's budget of writes: a token bucket per limit, with an injected clock."""

from __future__ import annotations

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.limits import Bucket, PageBudget, RateLimit, RateLimited

LIMIT = RateLimit(5, 30.0, "contributions")


def test_a_full_bucket_takes_most_at_once_then_refuses() -> None:
    bucket: Bucket | None = Bucket.full(LIMIT, 0.0)
    for _ in range(5):
        assert bucket is not None
        bucket = bucket.take(LIMIT, 0.0)
    assert bucket is not None and bucket.take(LIMIT, 0.0) is None


def test_tokens_come_back_at_most_per_window_never_above_most() -> None:
    empty = Bucket(0.0, 0.0)
    assert empty.take(LIMIT, 5.9) is None  # one token every 6 s
    assert empty.take(LIMIT, 6.0) == Bucket(0.0, 6.0)
    assert empty.refilled(LIMIT, 3600.0) == Bucket(5.0, 3600.0)
    # A clock that went back gives nothing, and takes nothing away.
    assert Bucket(2.0, 100.0).refilled(LIMIT, 50.0) == Bucket(2.0, 100.0)


def test_a_page_budget_refuses_in_the_limits_words_and_counts_nothing_refused() -> None:
    clock = FakeClock(0.0)
    budget = PageBudget(clock)
    for _ in range(5):
        budget.take(LIMIT)
    for _ in range(1_000):
        with pytest.raises(RateLimited, match="at most 5 contributions every 30 seconds"):
            budget.take(LIMIT)
    assert not budget.allows(LIMIT)
    clock.advance(6.0)  # a refused take cost nothing: the token is back on time
    assert budget.allows(LIMIT)
    budget.take(LIMIT)
    with pytest.raises(RateLimited):
        budget.take(LIMIT)


def test_limits_are_counted_apart_and_none_is_no_limit() -> None:
    budget = PageBudget(FakeClock(0.0))
    other = RateLimit(1, 60.0, "name changes")
    budget.take(other)
    assert not budget.allows(other)
    budget.take(LIMIT)  # another bucket
    unlimited = RateLimit(None, 30.0, "contributions")
    for _ in range(1_000):
        budget.take(unlimited)
    assert budget.allows(unlimited)
