"""A sliding-window request limiter: at most ``requests`` calls in any ``per`` seconds.

The SEC allows at most 10 requests a second to its EDGAR APIs per user and blocks
clients that go faster, so the EDGAR source waits here before every attempt
(retries included). The clock and the sleep are injected, so tests run on a fake
clock and never wait.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """Blocks in :meth:`wait` until one more request fits in the window."""

    def __init__(
        self,
        requests: int = 10,
        per: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests < 1 or per <= 0:
            raise ValueError("a rate limit needs requests >= 1 and per > 0")
        self.requests = requests
        self.per = per
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()

    def wait(self) -> None:
        """Sleep until a request may go out, then count it as sent now."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= self.per:
            self._sent.popleft()
        if len(self._sent) >= self.requests:
            pause = self.per - (now - self._sent[0])
            if pause > 0:
                self._sleep(pause)
            now = self._clock()
            while self._sent and now - self._sent[0] >= self.per:
                self._sent.popleft()
            # a sleep that returned early (a fake clock that did not move) still
            # makes room: the oldest request is treated as having left the window
            while len(self._sent) >= self.requests:
                self._sent.popleft()
        self._sent.append(now)
