"""Room for retained automated backups, checked before a database's first irreversible call.

``DeleteDBCluster``/``DeleteDBInstance`` with ``DeleteAutomatedBackups=false`` keep the
database's automated backups until their retention period ends. They count against a quota of
their own, "the same as your DB cluster quota" (``DBClusters``) for clusters and "the same as your
DB instance quota" (``DBInstances``) for instances (RDS API Reference,
DBClusterAutomatedBackupQuotaExceededFault / DBInstanceAutomatedBackupQuotaExceeded). Over it the
deletion is refused *after* the database's instances are gone, so the check counts the backups
already retained in the region (``DescribeDBClusterAutomatedBackups`` /
``DescribeDBInstanceAutomatedBackups``, status ``retained``) and those this walkthrough will
retain, against that quota.
"""

from __future__ import annotations

import threading
from typing import Any

from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.plan import PlanStep

_QUOTA = {True: "DBClusters", False: "DBInstances"}
_LIST = {
    True: ("DescribeDBClusterAutomatedBackups", "DBClusterAutomatedBackups"),
    False: ("DescribeDBInstanceAutomatedBackups", "DBInstanceAutomatedBackups"),
}
FAULT = {
    True: "DBClusterAutomatedBackupQuotaExceededFault",
    False: "DBInstanceAutomatedBackupQuotaExceeded",
}


class RetainedBackups:
    """Counts retained automated backups against their quota; remembers what it counted."""

    def __init__(self, transport: Transport) -> None:
        self.aws = transport
        self._lock = threading.Lock()
        self._planned: dict[tuple[str, bool], set[str]] = {}

    def check(self, step: PlanStep, resource: dict[str, Any], cluster: bool) -> str:
        """A note for the check's result; raises when the retained backups would not fit."""
        if not cluster and not int(resource.get("BackupRetentionPeriod") or 0):
            return "no automated backups to retain"
        quota = self._quota(step, cluster)
        if quota is None:
            return "retained automated backups quota not reported"
        retained = self._retained(step, cluster)
        if retained is None:
            return "retained automated backups not counted"
        key = f"{step.region}/{step.target}"
        with self._lock:
            planned = self._planned.setdefault((step.region, cluster), set())
            others = planned - {key}
            if retained + len(others) + 1 > quota:
                waiting = f" and {len(others)} more planned by this walkthrough" if others else ""
                kind = "DB clusters" if cluster else "DB instances"
                raise e.AwsError(
                    f"Retaining the automated backups of {step.target} would exceed the retained "
                    f"automated backups quota in {step.region} (the same as the {kind} quota: "
                    f"{retained} of {quota} retained{waiting}); AWS would refuse its deletion "
                    f"with {FAULT[cluster]}. Nothing was changed.",
                    hint="Delete old retained automated backups (RDS console, Automated backups, "
                    "Retained) or choose to delete its automated backups with it, then retry.",
                    code=FAULT[cluster],
                )
            planned.add(key)
        return "room for its retained automated backups"

    def _quota(self, step: PlanStep, cluster: bool) -> int | None:
        try:
            answer = self.aws.call("rds", "DescribeAccountAttributes", step.region)
        except e.AccessDeniedError:
            raise
        except e.WizardError:
            return None
        row = next(
            (
                q
                for q in answer.get("AccountQuotas") or []
                if q.get("AccountQuotaName") == _QUOTA[cluster]
            ),
            None,
        )
        return int(row.get("Max") or 0) if row is not None else None

    def _retained(self, step: PlanStep, cluster: bool) -> int | None:
        operation, key = _LIST[cluster]
        try:
            found = list(self.aws.paginate("rds", operation, key, step.region))
        except e.AccessDeniedError:
            raise
        except e.WizardError:  # an endpoint that does not answer it
            return None
        return sum(1 for b in found if str(b.get("Status") or "") == "retained")
