"""Make in-process moto answer one request at a time.

moto's backends are plain dicts and lists, not thread-safe: the wizard scans and deletes from many
threads, and a DescribeDBInstances iterating a region's instances while a DeleteDBInstance removes
one failed with "OrderedDict mutated during iteration" (seen in CI). AWS has no such race, so the
sandbox serialises moto's request handling (its ``before-send`` stubber), not the wizard's calls:
the sandbox's own hooks and the network-free work of botocore still run concurrently.
"""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.RLock()
_DONE = False


def serialize_moto() -> None:
    """Wrap moto's botocore stubber in a lock (idempotent, process-wide)."""
    global _DONE
    if _DONE:
        return
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__

    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return original(self, *args, **kwargs)

    BotocoreStubber.__call__ = locked  # type: ignore[method-assign]
    _DONE = True
