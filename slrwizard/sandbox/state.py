"""What the sandbox remembers on top of moto: resources still being deleted, and statuses that
are on their way somewhere.

moto changes state instantly (a deleted cluster is simply gone, a started cluster is at once
``available``). AWS passes through ``deleting``, ``starting``, ``modifying`` and ``promoting``
first, and the wizard's waits and polls only mean something if those states exist. So the sandbox
lets moto do the real work, then remembers a *ghost* of each deleted resource (its last
description, shown with status ``deleting`` until its time is up), a *transition* for each
resource whose status moto already moved (shown as ``starting`` until its time is up, with the
old values of what is still changing, e.g. ``DeletionProtection``) and the *leavers* of global
databases (still listed by ``DescribeGlobalClusters`` for a while).

Nothing is ever skipped, even at ``time_scale`` 0 (the tests' speed): a ghost, a transition or a
leaver ends only once its time is up **and** either a describe has shown it or it has lasted
:data:`MIN_VISIBLE` seconds. A wait that reads right after the change therefore always meets the
intermediate state, as it would on AWS (where a read can even see the *old* state first), and
what nobody looks at still ends, as AWS's work does.

Everything here is guarded by ``SimState.lock``: the wizard calls AWS from many threads at once and
each handler holds the lock for the whole of its work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from slrwizard.sandbox.clock import SimClock

Kind = Literal["cluster", "instance"]
MIN_VISIBLE = 0.25
"""Seconds (on the sandbox's clock, not scaled) an unseen intermediate state lasts at least."""


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
    seen: bool = False
    shown_until: float = 0.0
    after_members: bool = False
    """A cluster deleted with its instances (``DeleteDBInstances``): gone only after them."""


@dataclass
class Leaver:
    """A cluster that left a global database: AWS keeps listing it as a member for a while."""

    global_id: str
    row: dict[str, Any]
    until: float
    seen: bool = False
    shown_until: float = 0.0


@dataclass
class Transition:
    """A status shown instead of moto's until ``until`` (moto already holds the final one).

    ``overrides`` are fields shown with their old value meanwhile: the change they belong to is
    only complete when the transition ends (``DeletionProtection`` after a modify,
    ``ReplicationSourceIdentifier`` after a promotion)."""

    status: str
    until: float
    overrides: dict[str, Any] = field(default_factory=dict)
    seen: bool = False
    shown_until: float = 0.0


class SimState:
    """Ghosts and transitions, keyed by ``(kind, region, lower-case identifier)``.

    RDS identifiers are case-insensitive and stored lower-case, hence the key.
    """

    def __init__(self, clock: SimClock) -> None:
        self.lock = threading.Lock()
        self.clock = clock
        self._ghosts: dict[tuple[str, str, str], Ghost] = {}
        self._transitions: dict[tuple[str, str, str], Transition] = {}
        self.leavers: list[Leaver] = []

    def clear(self) -> None:
        """Forget everything (the sandbox stopped, and moto forgot too)."""
        self._ghosts.clear()
        self._transitions.clear()
        self.leavers.clear()

    def expire(self) -> None:
        """Drop what is over: its time is up and a describe has shown it; call with the lock."""
        now = self.clock.now()

        def over(until: float, seen: bool, shown_until: float) -> bool:
            return until <= now and (seen or shown_until <= now)

        holding = {  # clusters with an instance still deleting, or gone just now
            (g.region, (g.cluster_id or "").lower())
            for g in self._ghosts.values()
            if g.kind == "instance" and g.cluster_id
        }
        for key in [
            k
            for k, g in self._ghosts.items()
            if g.kind != "cluster" and over(g.gone_at, g.seen, g.shown_until)
        ]:
            del self._ghosts[key]
        # A cluster deleted with its instances is gone only after them: AWS deletes them first.
        for key in [k for k, g in self._ghosts.items() if g.kind == "cluster"]:
            ghost = self._ghosts[key]
            if ghost.after_members and (ghost.region, ghost.identifier.lower()) in holding:
                # Its own end is still to be seen, once its last instance is gone.
                ghost.seen, ghost.shown_until = False, self.visible_until()
                continue
            if over(ghost.gone_at, ghost.seen, ghost.shown_until):
                del self._ghosts[key]
        for key in [
            k for k, t in self._transitions.items() if over(t.until, t.seen, t.shown_until)
        ]:
            del self._transitions[key]
        self.leavers = [x for x in self.leavers if not over(x.until, x.seen, x.shown_until)]

    def visible_until(self) -> float:
        """Until when a new intermediate state lasts if no describe shows it."""
        return self.clock.now() + MIN_VISIBLE

    def bury(self, ghost: Ghost) -> None:
        """Remember a resource that is now being deleted."""
        ghost.shown_until = self.visible_until()
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

    def begin(
        self,
        kind: Kind,
        region: str,
        ident: str,
        status: str,
        seconds: float,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        """Show ``status`` (and the old ``overrides``) for ``seconds`` at time scale 1.

        A transition that follows an unfinished one keeps the older overrides: the first old
        value is the one AWS still shows."""
        key = (kind, region, ident.lower())
        kept = dict(self._transitions[key].overrides) if key in self._transitions else {}
        kept.update({k: v for k, v in (overrides or {}).items() if k not in kept})
        self._transitions[key] = Transition(
            status, self.clock.deadline(seconds), kept, shown_until=self.visible_until()
        )

    def status(self, kind: Kind, region: str, ident: str) -> str | None:
        """The transitional status AWS would be in, if any (for checks: not a describe)."""
        transition = self._transitions.get((kind, region, ident.lower()))
        return transition.status if transition else None

    def override(self, kind: Kind, region: str, ident: str, name: str, default: Any) -> Any:
        """The value AWS still shows for field ``name`` (for checks: not a describe)."""
        transition = self._transitions.get((kind, region, ident.lower()))
        if transition is not None and name in transition.overrides:
            return transition.overrides[name]
        return default

    def show(
        self, kind: Kind, region: str, body: dict[str, Any], id_key: str, status_key: str
    ) -> None:
        """Apply a transition to a description about to be returned, and count it as seen."""
        transition = self._transitions.get((kind, region, str(body.get(id_key, "")).lower()))
        if transition is None or body.get(status_key) == "deleting":
            return
        transition.seen = True
        body[status_key] = transition.status
        for name, value in transition.overrides.items():
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value

    def leaving(self, global_id: str) -> list[Leaver]:
        """Clusters that left ``global_id`` but are still listed (for checks: not a describe)."""
        return [x for x in self.leavers if x.global_id.lower() == global_id.lower()]
