"""The one place slrwizard steers Python's cyclic garbage collector, and why.

Reference counting frees almost all of this program's garbage; the cyclic collector's passes
only walk long-lived objects again (Textual's widgets, botocore's models, a scan's answers) with
every thread stopped, the UI's too. Three moments call for it, all here:

- :func:`freeze_loaded` after start-up and again once boto3 (and moto in the demo) are loaded:
  what is loaded by then lives as long as the process, so it leaves the collector's reach
  (``gc.freeze``). The first full collection otherwise fell inside the first frame (~20 ms),
  and later ones walked ~240,000 objects (100-270 ms) during a large scan.
- :data:`CYCLIC_GC`, a :class:`CollectorHold` taken from a scan's start until its table is full.
- :func:`off_for_this_process` for ``slrwizard report``: one short burst of work with bounded
  memory, then the process ends; the collector would only walk botocore's freshly loaded
  models again and again, ~20 % of the report's CPU (benchmarks/scan.py).

``gc`` is the standard library's public API; what belongs here is the policy, kept in one place
so that it can be measured and removed as one.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_loaded() -> None:
    """Move everything alive now out of the collector's reach (it lives as long as the process)."""
    gc.freeze()


def off_for_this_process() -> None:
    """Turn the collector off for a short-lived command that ends the process when done."""
    gc.disable()


class CollectorHold:
    """The one place the TUI turns the cyclic garbage collector off: from a scan's start until
    its table is full.

    A scan allocates a region's answer at a time (tens of thousands of objects), and the table
    as many again as it fills (rows, styled cells). Collections triggered meanwhile walk them
    with every thread stopped, the UI's too. In the scale benchmark (1,000 clusters and 2,000
    instances; ``benchmarks/scale.py --no-gc-hold`` for the comparison), without this hold:
    ~600 collections until every row was shown, 4 of them full, the longest 52-130 ms and
    283-355 ms in all, and scan + full table 1.81-2.33 s; with it: none, and 1.49-1.85 s (a
    machine loaded by other work, 3 + 4 runs). Reference counting frees almost all garbage
    meanwhile.

    Holds nest and may come from any thread: the scan's worker holds it while the scan runs,
    the scan screen until its table is full; the first hold turns the collector off, the last
    release freezes what was made meanwhile (``gc.freeze``: the collector's first passes would
    otherwise walk all of it at once, just as the table fills) and turns it back on. Cyclic
    garbage made meanwhile is kept with it (about 900 objects for 3,000 resources).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holds = 0
        self._was_enabled = True

    @property
    def held(self) -> bool:
        """Whether anything holds the collector off."""
        return self._holds > 0

    def hold(self) -> None:
        """Hold the collector off (until the matching :meth:`release`)."""
        with self._lock:
            if self._holds == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holds += 1

    def release(self) -> None:
        """Release one hold; the last one lets the collector run again (if it ran before).
        One release too many changes nothing."""
        with self._lock:
            if self._holds == 0:
                return
            self._holds -= 1
            if self._holds == 0 and self._was_enabled:
                gc.freeze()
                gc.enable()

    @contextmanager
    def held_here(self) -> Iterator[None]:
        """Held for this block (a scan's worker, while the scan's threads run)."""
        self.hold()
        try:
            yield
        finally:
            self.release()


CYCLIC_GC = CollectorHold()
