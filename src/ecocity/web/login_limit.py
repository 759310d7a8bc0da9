"""Login rate limit: too many failed attempts for one user name or from one client address.

After :data:`MAX_FAILURES` failed attempts within :data:`WINDOW_S` (a sliding window) for one
user name, or from one client address, further attempts are refused (HTTP 429 with
``Retry-After``) without checking the password, until the oldest failure leaves the window. A
successful login clears the user name's failures. The state is in memory, per server process.

Figures: OWASP's Authentication Cheat Sheet (*Login Throttling* / account lockout: a failure
threshold, an observation window and a lockout duration) and NIST SP 800-63B §5.2.2 (*Rate
Limiting (Throttling)*: the verifier SHALL limit consecutive failed attempts on one account to
no more than 100). Five per 15 min lets a user mistype a few times, and holds an online guesser
to at most 5 guesses per account per 15 min (480 a day).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
"""Failed attempts allowed per user name and per client address within :data:`WINDOW_S`."""
WINDOW_S = 15 * 60.0
"""The sliding window. [s]"""
MAX_KEYS = 10_000
"""Keys remembered at most (user names are the requester's text); expired ones go first."""


class LoginLimiter:
    """Failed-login counts per user name and per client address (thread-safe)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after_s(self, username: str, address: str) -> int:
        """Seconds until an attempt for ``username`` from ``address`` is allowed; 0: now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in (_user_key(username), _address_key(address)):
                times = self._recent(key, now)
                if len(times) >= self.max_failures:
                    wait = max(wait, times[-self.max_failures] + self.window_s - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, username: str, address: str) -> None:
        """Count a failed attempt for ``username`` and ``address``."""
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._prune(now)
            for key in (_user_key(username), _address_key(address)):
                self._failures.setdefault(key, deque(maxlen=self.max_failures)).append(now)

    def succeeded(self, username: str) -> None:
        """Clear ``username``'s failures (the address's stay: one address may guess many names)."""
        with self._lock:
            self._failures.pop(_user_key(username), None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def _prune(self, now: float) -> None:
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= now - self.window_s]:
            del self._failures[key]
        while len(self._failures) >= MAX_KEYS:  # still full: forget the oldest key
            del self._failures[next(iter(self._failures))]


def _user_key(username: str) -> str:
    return "user:" + username


def _address_key(address: str) -> str:
    return "addr:" + address
