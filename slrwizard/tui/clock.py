"""The one source of time for the user interface.

Screens show times relative to "now" ("last used 6 hours ago"), elapsed times of deletions, and
pre-fill final snapshot names with a timestamp. Reading time through a :class:`Clock` handed to
the app, rather than calling ``datetime.now()`` all over, is what lets the snapshot tests and the
screenshot script freeze every picture: they pass a :class:`FrozenClock`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    """Wall time for display and monotonic time for durations."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps, for elapsed times."""
        ...


class SystemClock:
    """The real clock (the default)."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()


@dataclass(frozen=True)
class FrozenClock:
    """A clock that never moves: every elapsed time reads 0 and "now" is ``at``.

    Attributes:
        at: the instant the pictures pretend to be taken at (timezone-aware).
    """

    at: datetime

    def now(self) -> datetime:
        """Always ``at``."""
        return self.at

    def monotonic(self) -> float:
        """Always 0, so durations are 0."""
        return 0.0
