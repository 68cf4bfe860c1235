"""Simulated time: how long the sandbox pretends each AWS operation takes.

AWS takes minutes to delete a cluster; moto takes nothing. The wizard's waiting, polling and
progress display only get exercised if the demo takes *some* time, so every simulated duration is
a number of seconds at ``time_scale`` 1, multiplied by the scale (0 makes everything instant,
which is what most tests want).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Durations:
    """Seconds each simulated operation lasts at ``time_scale`` 1: "a few seconds" each, so the
    demo shows progress without boring anyone."""

    cluster_delete: float = 4.0
    instance_delete: float = 3.0
    cluster_start: float = 3.0
    promote: float = 2.0
    role_deletion: float = 2.0
    modify: float = 1.5
    instance_start: float = 3.0
    leave_global: float = 2.0


class SimClock:
    """A monotonic clock plus the scale applied to every simulated duration.

    Monotonic, because wall-clock jumps (NTP, a laptop waking up) must not make a deletion
    finish early or never.
    """

    def __init__(
        self,
        time_scale: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        durations: Durations | None = None,
    ) -> None:
        if time_scale < 0:
            raise ValueError(f"time_scale must be >= 0, not {time_scale}")
        self.time_scale = time_scale
        self.durations = durations or Durations()
        self._monotonic = monotonic

    def now(self) -> float:
        """Seconds on the monotonic clock."""
        return self._monotonic()

    def deadline(self, seconds: float) -> float:
        """When an operation that takes ``seconds`` (at scale 1) started now will be over."""
        return self._monotonic() + seconds * self.time_scale

    def passed(self, deadline: float) -> bool:
        """True once ``deadline`` has been reached."""
        return self._monotonic() >= deadline
