"""What the sandbox remembers on top of moto: resources still being deleted, and statuses that
are on their way somewhere.

moto changes state instantly (a deleted cluster is simply gone, a started cluster is at once
``available``). AWS passes through ``deleting``, ``starting`` and ``promoting`` first, and the
wizard's waits and polls only mean something if those states exist. So the sandbox lets moto do the
real work, then remembers a *ghost* of each deleted resource (its last description, shown with
status ``deleting`` until its time is up) and a *transition* for each resource whose status moto
already moved (shown as ``starting`` until its time is up).

Everything here is guarded by ``SimState.lock``: the wizard calls AWS from many threads at once and
each handler holds the lock for the whole of its work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

from slrwizard.sandbox.clock import SimClock

Kind = Literal["cluster", "instance"]


@dataclass
class Ghost:
    """A resource moto has deleted but AWS would still be deleting.

    Attributes:
        body: its description as moto last gave it (botocore's parsed form), status ``deleting``.
        gone_at: the monotonic time from which it no longer exists.
        cluster_id: for a cluster member, its cluster (so the cluster keeps listing it).
        writer: for a cluster member, whether it was the writer.
    """

    kind: Kind
    region: str
    identifier: str
    arn: str
    body: dict[str, Any]
    gone_at: float
    cluster_id: str | None = None
    writer: bool = False


@dataclass
class Transition:
    """A status shown instead of moto's until ``until`` (moto already holds the final one)."""

    status: str
    until: float


class SimState:
    """Ghosts and transitions, keyed by ``(kind, region, lower-case identifier)``.

    RDS identifiers are case-insensitive and stored lower-case, hence the key.
    """

    def __init__(self, clock: SimClock) -> None:
        self.lock = threading.Lock()
        self.clock = clock
        self._ghosts: dict[tuple[str, str, str], Ghost] = {}
        self._transitions: dict[tuple[str, str, str], Transition] = {}

    def clear(self) -> None:
        """Forget everything (the sandbox stopped, and moto forgot too)."""
        self._ghosts.clear()
        self._transitions.clear()

    def expire(self) -> None:
        """Drop ghosts and transitions whose time is up; call with the lock held."""
        now = self.clock.now()
        for key in [k for k, g in self._ghosts.items() if g.gone_at <= now]:
            del self._ghosts[key]
        for key in [k for k, t in self._transitions.items() if t.until <= now]:
            del self._transitions[key]

    def bury(self, ghost: Ghost) -> None:
        """Remember a resource that is now being deleted."""
        self._ghosts[(ghost.kind, ghost.region, ghost.identifier.lower())] = ghost
        self._transitions.pop((ghost.kind, ghost.region, ghost.identifier.lower()), None)

    def ghost(self, kind: Kind, region: str, ident: str | None) -> Ghost | None:
        """The ghost named by identifier or ARN (Describe* accept both), if any."""
        if not ident:
            return None
        if ident.startswith("arn:"):
            return next((g for g in self.ghosts(kind) if g.arn == ident), None)
        return self._ghosts.get((kind, region, ident.lower()))

    def ghosts(self, kind: Kind, region: str | None = None) -> list[Ghost]:
        """Every live ghost of ``kind``, in ``region`` if given."""
        return [
            g
            for g in self._ghosts.values()
            if g.kind == kind and (region is None or g.region == region)
        ]

    def begin(self, kind: Kind, region: str, ident: str, status: str, seconds: float) -> None:
        """Show ``status`` for the resource for ``seconds`` (at time scale 1)."""
        until = self.clock.deadline(seconds)
        self._transitions[(kind, region, ident.lower())] = Transition(status, until)

    def status(self, kind: Kind, region: str, ident: str) -> str | None:
        """The transitional status to show instead of moto's, if any."""
        transition = self._transitions.get((kind, region, ident.lower()))
        return transition.status if transition else None
