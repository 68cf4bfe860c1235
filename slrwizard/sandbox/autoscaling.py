"""Aurora Auto Scaling: a cluster with a scalable target gets a reader back after one is deleted.

Application Auto Scaling keeps an Aurora cluster's reader count (dimension
``rds:cluster:ReadReplicaCount``) within its target's capacity: delete a reader and Aurora adds
one back, named ``application-autoscaling-<id>``. terraform-provider-aws issue 19536 is the
classic consequence: a cluster whose readers were deleted one by one still has a member when
``DeleteDBCluster`` comes, and AWS refuses it. moto implements Application Auto Scaling's API
(register, describe, deregister) but nothing acts on a target; the sandbox does: after a reader
of a cluster with a registered target is deleted, while the cluster still has a writer that is
not deleting and fewer live readers than ``max(1, MinCapacity)``, it adds one reader back (at
once, ``available``: the wizard must find it when it reads the members again).
"""

from __future__ import annotations

import uuid
from typing import Any

from slrwizard.sandbox import backends
from slrwizard.sandbox.calls import Call, Reply
from slrwizard.sandbox.state import SimState

READ_REPLICA_COUNT = "rds:cluster:ReadReplicaCount"


class AutoscalingBehaviour:
    """Adds readers back to autoscaled clusters (after moto and the RDS behaviour have run)."""

    def __init__(self, state: SimState, account: str) -> None:
        self._state = state
        self._account = account
        self.added: list[str] = []
        """Identifiers of the readers added back, in order (tests read it)."""

    def before_call(self, call: Call) -> Reply | None:
        """Nothing to refuse."""
        return None

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        """After a reader's deletion, add one back if the cluster's target says so."""
        if call.service != "rds" or call.operation != "DeleteDBInstance":
            return
        cid = call.notes.get("cluster_id")
        if not cid or call.notes.get("writer"):
            return
        target = backends.scalable_target(
            self._account, call.region, f"cluster:{cid}", READ_REPLICA_COUNT
        )
        if target is None:
            return
        backend = backends.rds(self._account, call.region)
        cluster = backend.clusters.get(cid)
        if cluster is None or self._state.ghost("cluster", call.region, cid):
            return
        live = [
            m
            for m in list(cluster.members)
            if m.db_instance_identifier in backend.databases
            and not self._state.ghost("instance", call.region, m.db_instance_identifier)
        ]
        if not any(getattr(m, "is_cluster_writer", False) for m in live):
            return
        readers = sum(1 for m in live if not getattr(m, "is_cluster_writer", False))
        if readers >= max(1, int(target.min_capacity or 0)):
            return
        ident = f"application-autoscaling-{uuid.uuid4().hex[:8]}"
        backend.create_db_instance(
            {
                "db_instance_identifier": ident,
                "db_cluster_identifier": cid,
                "db_instance_class": str(getattr(live[0], "db_instance_class", "db.r6g.large")),
                "engine": str(cluster.engine),
            }
        )
        self.added.append(ident)
