"""The request limiter on a fake clock: at most N requests in any window."""

from __future__ import annotations

import pytest

from monitor.data.sources.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_ten_requests_pass_at_once_and_the_eleventh_waits_for_the_window():
    clock = FakeClock()
    limiter = RateLimiter(10, 1.0, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        limiter.wait()
    assert clock.slept == []
    clock.now += 0.25
    limiter.wait()  # the first went out at 100.0: wait until 101.0
    assert clock.slept == [pytest.approx(0.75)]
    assert clock.now == pytest.approx(101.0)


def test_a_steady_stream_never_exceeds_ten_in_any_second():
    clock = FakeClock()
    limiter = RateLimiter(10, 1.0, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(35):
        limiter.wait()
        sent.append(clock.now)
    for i, start in enumerate(sent):
        in_window = [t for t in sent[i:] if t - start < 1.0]
        assert len(in_window) <= 10
    assert clock.now == pytest.approx(103.0)  # 35 requests: batches at 100, 101, 102, 103


def test_requests_spread_out_never_wait():
    clock = FakeClock()
    limiter = RateLimiter(10, 1.0, clock=clock, sleep=clock.sleep)
    for _ in range(30):
        limiter.wait()
        clock.now += 0.125  # 8 a second (0.125 is exact in binary)
    assert clock.slept == []


def test_a_nonsense_limit_is_refused():
    with pytest.raises(ValueError):
        RateLimiter(0, 1.0)
