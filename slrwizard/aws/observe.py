"""What AWS says of a step's target while the step waits: its status word, live.

A deletion, a start, a promotion or a modification takes minutes on AWS, through states such as
``modifying``, ``promoting``, ``starting``, ``deleting``; the operator (and whoever watches the
shared screen) should see them as AWS reports them, not a silent "waiting". Every describe of the
target that a step makes (its own reads, and each attempt of a botocore waiter) passes through
botocore's public ``after-call`` event; :class:`StatusWatch` reads the target's status there and
hands each new word to the step's listener (which words to show is the executor's to decide).
The listener is the running step's, per thread: the steps of several resources run at once, each
on its own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Listener = Callable[[str], None]

_DESCRIBES = {
    "DescribeDBClusters": ("DBClusters", "DBClusterIdentifier", "Status"),
    "DescribeDBInstances": ("DBInstances", "DBInstanceIdentifier", "DBInstanceStatus"),
}


class StatusWatch:
    """Reports the status AWS gives a step's target, once per change, to that step's listener."""

    def __init__(self) -> None:
        self._local = threading.local()

    def install(self, events: Any) -> None:
        """Listen to the session's describes (before any client exists: clients copy handlers).

        Last of the service's ``after-call`` handlers: a handler that amends the answer (the
        demo sandbox's) has then done so."""
        events.register_last("after-call.rds", self._described)

    @contextmanager
    def watching(self, target: str, listener: Listener | None) -> Iterator[None]:
        """While the block runs (on this thread), report ``target``'s new statuses."""
        self._local.watch = (target, listener, [""]) if listener is not None else None
        try:
            yield
        finally:
            self._local.watch = None

    def say(self, word: str) -> None:
        """Report a state no status field names (a global database still listing a member)."""
        watch = getattr(self._local, "watch", None)
        if watch is not None:
            self._report(watch, word)

    def _described(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        watch = getattr(self._local, "watch", None)
        if watch is None or model.name not in _DESCRIBES:
            return
        key, ident, status = _DESCRIBES[model.name]
        for item in parsed.get(key) or []:
            if str(item.get(ident, "")).lower() == watch[0].lower() and item.get(status):
                self._report(watch, str(item[status]))

    @staticmethod
    def _report(watch: tuple[str, Listener, list[str]], word: str) -> None:
        _, listener, last = watch
        if word != last[0]:
            last[0] = word
            listener(word)
