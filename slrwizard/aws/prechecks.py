"""The checks before a resource's first irreversible call: would AWS refuse its deletion later?

``DeleteDBCluster`` is the *last* call of a cluster's plan: by then its instances are deleting,
its global database left, its replica promoted. If AWS then refuses the final snapshot, the
cluster is left with no instances and the operator with a half-done job. So the plan starts each
resource with a check of what makes that call fail (docs/aws-behaviours.md):

- the final snapshot's name is free in its region (identifiers are case-insensitive: AWS stores
  them lower-case, so the lower-case name is looked up);
- the region's manual snapshot quota (``DescribeAccountAttributes``: ``ManualClusterSnapshots``
  for clusters, ``ManualSnapshots`` for DB instances) has room for it, counting the final
  snapshots that other resources of this walkthrough have checked but not yet taken;
- the KMS key of an encrypted resource is usable (``kms:DescribeKey`` ``KeyState`` is
  ``Enabled``); a key policy that denies ``DescribeKey`` to the operator is not proof of a
  problem (RDS uses the key through its own grant), so a denial is noted, not fatal;
- an instance is not in a state in which AWS takes no final snapshot;
- a database whose automated backups are to be retained fits the retained automated backups
  quota (:mod:`slrwizard.aws.retained`).

A check changes nothing, so it is safe to repeat; a resource already ``deleting`` (a resumed
walkthrough) is past the point where these could help and is not checked.
"""

from __future__ import annotations

import threading
from typing import Any

from slrwizard.aws.retained import RetainedBackups
from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.ports import StepResult

NO_FINAL_SNAPSHOT_STATES = frozenset(
    {"creating", "failed", "incompatible-restore", "incompatible-network"}
)
_QUOTA = {True: "ManualClusterSnapshots", False: "ManualSnapshots"}


class PreChecks:
    """Runs ``CHECK_CLUSTER``/``CHECK_INSTANCE`` steps; remembers the snapshots they counted."""

    def __init__(self, transport: Transport) -> None:
        self.aws = transport
        self._lock = threading.Lock()
        self._reserved: dict[tuple[str, bool], set[str]] = {}
        self.retained_backups = RetainedBackups(transport)

    def release(self, region: str, name: str | None, cluster: bool) -> None:
        """A deletion asked for its final snapshot: from now on AWS counts it, not us."""
        if name:
            with self._lock:
                self._reserved.get((region, cluster), set()).discard(name.lower())

    def run(self, step: PlanStep, resource: dict[str, Any] | None) -> StepResult:
        """Check ``resource`` (its description, None if it is gone) before ``step``'s plan acts."""
        cluster = step.kind is StepKind.CHECK_CLUSTER
        kind = "Cluster" if cluster else "Instance"
        if resource is None:
            raise e.NotFoundError(
                f"{kind} {step.target} no longer exists in {step.region} (deleted outside the "
                "wizard?).",
                code="DBClusterNotFoundFault" if cluster else "DBInstanceNotFound",
            )
        status = str(resource.get("Status" if cluster else "DBInstanceStatus") or "")
        if status in ("deleting", "deleted"):
            return StepResult(skipped=True, note="already deleting: nothing left to check")
        name = step.final_snapshot_id
        notes: list[str] = []
        if step.delete_automated_backups is False:
            notes.append(self.retained_backups.check(step, resource, cluster))
        if name and not cluster and self._own_manual_snapshot(step, name, resource):
            notes.append(f"its snapshot {name} was already taken (an earlier run of this plan)")
            return StepResult(note="; ".join(n for n in notes if n))
        if name:
            if not cluster and status in NO_FINAL_SNAPSHOT_STATES:
                raise e.InvalidStateError(
                    f"Instance {step.target} is {status}: AWS takes no final snapshot of an "
                    f"instance in that state, so its deletion would be refused. Nothing was "
                    "changed.",
                    hint="Go back and choose to skip its final snapshot, or repair the instance "
                    "first.",
                    code="InvalidDBInstanceState",
                )
            self._name_free(step, name, cluster)
            notes.append(self._kms_usable(step, resource))
            notes.append(f"snapshot name {name} free")
            notes.append(self._quota(step, name, cluster))
        return StepResult(note="; ".join(n for n in notes if n) or "nothing to check")

    def _own_manual_snapshot(self, step: PlanStep, name: str, resource: dict[str, Any]) -> bool:
        """RDS Custom: whether ``name`` is the manual snapshot this plan already took of this
        very instance (a retried or resumed plan), not someone else's name: taken from it
        (``DBInstanceIdentifier`` and, when AWS says, ``DbiResourceId``)."""
        if not str(resource.get("Engine") or "").startswith("custom-"):
            return False
        try:
            found = self.aws.call(
                "rds", "DescribeDBSnapshots", step.region, DBSnapshotIdentifier=name.lower()
            ).get("DBSnapshots")
        except e.NotFoundError:
            return False
        if not found:
            return False
        snapshot = found[0]
        same_name = snapshot.get("DBInstanceIdentifier") == step.target
        theirs, ours = snapshot.get("DbiResourceId"), resource.get("DbiResourceId")
        return bool(same_name and (not theirs or not ours or theirs == ours))

    def _name_free(self, step: PlanStep, name: str, cluster: bool) -> None:
        op, key, param = (
            ("DescribeDBClusterSnapshots", "DBClusterSnapshots", "DBClusterSnapshotIdentifier")
            if cluster
            else ("DescribeDBSnapshots", "DBSnapshots", "DBSnapshotIdentifier")
        )
        try:
            found = self.aws.call("rds", op, step.region, **{param: name.lower()}).get(key)
        except e.NotFoundError:
            return
        if found:
            raise e.SnapshotExistsError(
                f"A snapshot named {name} already exists in {step.region} (snapshot names "
                f"ignore case); nothing was changed on {step.target}.",
                hint="Go back and choose another final snapshot name for it.",
                code="DBClusterSnapshotAlreadyExistsFault"
                if cluster
                else "DBSnapshotAlreadyExists",
            )

    def _quota(self, step: PlanStep, name: str, cluster: bool) -> str:
        quota = _QUOTA[cluster]
        try:
            answer = self.aws.call("rds", "DescribeAccountAttributes", step.region)
        except e.AccessDeniedError:
            raise  # a missing permission: the operator can add it (`slrwizard policy`)
        except e.WizardError as exc:  # an endpoint that does not answer it (plain moto)
            return f"snapshot quota not checked ({exc.code})"
        row = next(
            (q for q in answer.get("AccountQuotas") or [] if q.get("AccountQuotaName") == quota),
            None,
        )
        if row is None:
            return "snapshot quota not reported"  # AWS's own refusal would still stop it
        used, most = int(row.get("Used") or 0), int(row.get("Max") or 0)
        with self._lock:
            reserved = self._reserved.setdefault((step.region, cluster), set())
            others = reserved - {name.lower()}
            if used + len(others) + 1 > most:
                waiting = f" and {len(others)} more planned by this walkthrough" if others else ""
                raise e.AwsError(
                    f"The final snapshot {name} would exceed the manual snapshot quota in "
                    f"{step.region} ({quota}: {used} of {most} used{waiting}); AWS would refuse "
                    f"it with SnapshotQuotaExceeded after the instances of {step.target} were "
                    "gone. Nothing was changed.",
                    hint="Delete old manual snapshots or ask AWS for a higher quota (Service "
                    "Quotas), then retry; or choose to skip this final snapshot.",
                    code="SnapshotQuotaExceeded",
                )
            reserved.add(name.lower())
        return "quota has room"

    def _kms_usable(self, step: PlanStep, resource: dict[str, Any]) -> str:
        key = resource.get("KmsKeyId")
        if not key or not resource.get("StorageEncrypted"):
            return ""
        try:
            meta = self.aws.call("kms", "DescribeKey", step.region, KeyId=key)["KeyMetadata"]
        except e.AccessDeniedError:
            return "KMS key not checked (kms:DescribeKey denied)"
        except e.WizardError as exc:
            raise e.AwsError(
                f"The KMS key {key} of {step.target} cannot be read ({exc.code}): AWS would "
                "refuse its final snapshot with KMSKeyNotAccessibleFault. Nothing was changed.",
                hint="Check the key in the KMS console (it may be scheduled for deletion), "
                "then retry; or choose to skip this final snapshot.",
                code="KMSKeyNotAccessibleFault",
            ) from None
        state = str(meta.get("KeyState") or "")
        if state != "Enabled":
            raise e.AwsError(
                f"The KMS key {key} of {step.target} is {state or 'not usable'}: AWS would "
                "refuse its final snapshot with KMSKeyNotAccessibleFault after its instances "
                "were gone. Nothing was changed.",
                hint="Enable the key in the KMS console (or cancel its deletion), then retry.",
                code="KMSKeyNotAccessibleFault",
            )
        return "KMS key enabled"
