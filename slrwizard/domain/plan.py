"""The deletion plan: what the operator chose per resource, and the ordered steps that follow.

The order of the steps is AWS knowledge (see docs/aws-semantics.md, "Deleting a cluster, in
order"), so it lives here, where it can be read and tested without AWS; the gateway only knows how
to carry out one step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slrwizard.domain import errors as e
from slrwizard.domain.models import Cluster, Instance, RelatedKind, ScanResult
from slrwizard.domain.paths import DeletionPath, deletion_path

_SNAPSHOT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def snapshot_id_problem(value: str) -> str | None:
    """Explain why ``value`` is not a valid RDS snapshot identifier, or return None if it is.

    The rules are AWS's (DBClusterSnapshotIdentifier / FinalDBSnapshotIdentifier): 1 to 255
    letters, digits or hyphens; the first a letter; no two hyphens in a row; no hyphen at the end.
    moto accepts anything, so we check before sending.
    """
    if not value:
        return "A snapshot name cannot be empty."
    if len(value) > 255:
        return f"A snapshot name has at most 255 characters; this one has {len(value)}."
    if not value[0].isascii() or not value[0].isalpha():
        return "A snapshot name must start with a letter."
    if not _SNAPSHOT_ID.match(value):
        bad = sorted({c for c in value if not (c.isascii() and (c.isalnum() or c == "-"))})
        shown = " ".join(repr(c) for c in bad)
        return f"A snapshot name may hold only letters, digits and hyphens (not {shown})."
    if "--" in value:
        return "A snapshot name cannot contain two hyphens in a row."
    if value.endswith("-"):
        return "A snapshot name cannot end with a hyphen."
    return None


def default_snapshot_id(identifier: str, now: datetime | None = None) -> str:
    """The pre-filled final snapshot name: ``<id>-final-<UTC timestamp>``, always valid."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M")
    base = re.sub(r"[^A-Za-z0-9]+", "-", identifier).strip("-") or "db"
    if not base[0].isalpha():
        base = f"db-{base}"
    suffix = f"-final-{stamp}"
    return base[: 255 - len(suffix)].rstrip("-") + suffix


class ResourceKind(str, Enum):
    CLUSTER = "cluster"
    INSTANCE = "instance"


class ResourcePlan(BaseModel):
    """The operator's choices for one cluster or standalone instance.

    Exactly one of ``final_snapshot_id`` and ``skip_final_snapshot`` holds: AWS refuses both and
    neither (moto accepts either, so the model is where the rule lives).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ResourceKind
    region: str
    identifier: str
    final_snapshot_id: str | None = None
    skip_final_snapshot: bool = False
    lift_protection: bool = False
    deregister_autoscaling: bool = False
    """Deregister the cluster's Aurora Auto Scaling targets before its readers are deleted (the
    operator's explicit tick; without it, readers added back are deleted before the cluster)."""
    resource_id: str | None = None
    """The ``DbClusterResourceId``/``DbiResourceId`` of the database confirmed, recorded at the
    confirmation (:meth:`DeletionPlan.identified`): every call checks it first, so a database
    deleted and created again under the same name is never deleted under this choice. None in
    journals written before it was recorded, and before the confirmation."""
    member_ids: tuple[tuple[str, str], ...] = ()
    """A cluster's member instances at the confirmation: (identifier, ``DbiResourceId``) pairs
    (pairs, not a dict, so that a choice stays hashable like the rest of the plan)."""

    def member_id(self, identifier: str) -> str | None:
        """The confirmed ``DbiResourceId`` of the member ``identifier``, if recorded."""
        return dict(self.member_ids).get(identifier)

    delete_automated_backups: bool | None = None
    """``DeleteAutomatedBackups`` of the deletion: True deletes the automated backups with the
    database (AWS's own default), False retains them until their retention period ends. None:
    the wizard's default, :attr:`deletes_automated_backups`."""

    @property
    def deletes_automated_backups(self) -> bool:
        """The choice in force: retained by default when the final snapshot is skipped (they
        are then the only recovery point left), deleted with it otherwise."""
        if self.delete_automated_backups is not None:
            return self.delete_automated_backups
        return not self.skip_final_snapshot

    @field_validator("final_snapshot_id")
    @classmethod
    def _valid_snapshot(cls, value: str | None) -> str | None:
        if value is not None:
            problem = snapshot_id_problem(value)
            if problem:
                raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _exactly_one_snapshot_choice(self) -> ResourcePlan:
        if self.skip_final_snapshot and self.final_snapshot_id:
            raise ValueError(
                f"{self.identifier}: choose a final snapshot or skip it, not both "
                "(AWS refuses a delete request that asks for both)."
            )
        if not self.skip_final_snapshot and not self.final_snapshot_id:
            raise ValueError(
                f"{self.identifier}: a final snapshot name is required unless you explicitly "
                "choose to skip the final snapshot."
            )
        return self

    @property
    def key(self) -> str:
        return f"{self.region}/{self.identifier}"


class StepKind(str, Enum):
    """Everything the wizard ever asks AWS to do to a resource, one verb each."""

    CHECK_CLUSTER = "check-cluster"
    CHECK_INSTANCE = "check-instance"
    START_CLUSTER = "start-cluster"
    WAIT_CLUSTER_AVAILABLE = "wait-cluster-available"
    REMOVE_FROM_GLOBAL = "remove-from-global"
    PROMOTE_REPLICA = "promote-replica"
    DEREGISTER_AUTOSCALING = "deregister-autoscaling"
    DELETE_MEMBER = "delete-member"
    DELETE_NEW_MEMBERS = "delete-new-members"
    LIFT_CLUSTER_PROTECTION = "lift-cluster-protection"
    DELETE_CLUSTER = "delete-cluster"
    WAIT_CLUSTER_DELETED = "wait-cluster-deleted"
    DELETE_GLOBAL_CLUSTER = "delete-global-cluster"
    VERIFY_CLUSTER_SNAPSHOT = "verify-cluster-snapshot"
    SNAPSHOT_INSTANCE = "snapshot-instance"
    START_INSTANCE = "start-instance"
    WAIT_INSTANCE_AVAILABLE = "wait-instance-available"
    LIFT_INSTANCE_PROTECTION = "lift-instance-protection"
    DELETE_INSTANCE = "delete-instance"
    WAIT_INSTANCE_DELETED = "wait-instance-deleted"
    VERIFY_INSTANCE_SNAPSHOT = "verify-instance-snapshot"
    # What must go before a database (slrwizard.domain.related): each deletes, then waits until
    # AWS no longer lists it.
    DELETE_BLUE_GREEN = "delete-blue-green-deployment"
    DELETE_INTEGRATION = "delete-integration"
    DELETE_PROXY = "delete-proxy"
    DELETE_SHARD_GROUP = "delete-shard-group"
    REMOVE_FROM_CLUSTER_GROUP = "remove-from-cluster-group"


RELATED_STEPS = frozenset(
    {
        StepKind.DELETE_BLUE_GREEN,
        StepKind.DELETE_INTEGRATION,
        StepKind.DELETE_PROXY,
        StepKind.DELETE_SHARD_GROUP,
        StepKind.REMOVE_FROM_CLUSTER_GROUP,
    }
)
"""The steps that act on a resource related to the database, not on the database itself."""


MUTATING_STEPS = frozenset(
    {
        StepKind.START_CLUSTER,
        StepKind.REMOVE_FROM_GLOBAL,
        StepKind.PROMOTE_REPLICA,
        StepKind.DEREGISTER_AUTOSCALING,
        StepKind.DELETE_MEMBER,
        StepKind.DELETE_NEW_MEMBERS,
        StepKind.LIFT_CLUSTER_PROTECTION,
        StepKind.DELETE_CLUSTER,
        StepKind.DELETE_GLOBAL_CLUSTER,
        StepKind.START_INSTANCE,
        StepKind.SNAPSHOT_INSTANCE,
        StepKind.LIFT_INSTANCE_PROTECTION,
        StepKind.DELETE_INSTANCE,
        *RELATED_STEPS,
    }
)
IRREVERSIBLE_STEPS = frozenset(
    {
        StepKind.REMOVE_FROM_GLOBAL,
        StepKind.PROMOTE_REPLICA,
        StepKind.DELETE_MEMBER,
        StepKind.DELETE_NEW_MEMBERS,
        StepKind.DELETE_CLUSTER,
        StepKind.DELETE_GLOBAL_CLUSTER,
        StepKind.DELETE_INSTANCE,
        StepKind.DELETE_BLUE_GREEN,
        StepKind.DELETE_INTEGRATION,
        StepKind.DELETE_PROXY,
        StepKind.DELETE_SHARD_GROUP,
    }
)
"""Steps that cannot be undone. A resource's plan puts every check and every reversible step
(start, lift protection) before its first one, so a refusal stops it with nothing lost."""


_REQUIRED_REFERENCE = {
    StepKind.REMOVE_FROM_GLOBAL: "global_cluster_id",
    StepKind.PROMOTE_REPLICA: "source_cluster_id",
    StepKind.DELETE_MEMBER: "cluster_id",
}
_OPTIONAL_REFERENCE: dict[StepKind, tuple[str, ...]] = {
    StepKind.DELETE_CLUSTER: ("final_snapshot_id",),
    StepKind.DELETE_INSTANCE: ("final_snapshot_id",),
    StepKind.CHECK_CLUSTER: ("final_snapshot_id",),
    StepKind.CHECK_INSTANCE: ("final_snapshot_id",),
    StepKind.SNAPSHOT_INSTANCE: ("final_snapshot_id",),
    # A wait after leaving a global database or a promotion waits for that change to be over.
    StepKind.WAIT_CLUSTER_AVAILABLE: ("global_cluster_id", "source_cluster_id"),
}
_REFERENCES = ("final_snapshot_id", "global_cluster_id", "source_cluster_id", "cluster_id")


class PlanStep(BaseModel):
    """One call (or wait) against AWS, described for a human.

    Besides its ``target``, a step names what else it concerns, each in its own field, and only
    the kinds that need one may have it (checked when a step is made or read back): a delete's
    final snapshot (none means no snapshot), the global database a cluster leaves, the source a
    replica is promoted from, the cluster a member belongs to.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: StepKind
    region: str
    target: str
    final_snapshot_id: str | None = None
    global_cluster_id: str | None = None
    source_cluster_id: str | None = None
    cluster_id: str | None = None
    delete_instances: bool = False
    """A DELETE_CLUSTER that deletes the cluster's instances too (``DeleteDBInstances=true``)."""
    member_ids: tuple[tuple[str, str], ...] = ()
    """Such a DELETE_CLUSTER's confirmed members, (identifier, ``DbiResourceId``): the one call
    deletes every instance the cluster has, so each must be one the operator confirmed
    (:func:`unconfirmed_member`)."""
    delete_automated_backups: bool | None = None
    """A delete's (and its check's) ``DeleteAutomatedBackups``; None: AWS's default (deleted)."""
    resource_id: str | None = None
    """The confirmed resource id of ``target`` (a cluster's or an instance's): the gateway
    describes the target first and refuses the step if AWS now shows another id (the database
    was created again under the same name). None: not checked (a snapshot, a global database,
    a step read from an older journal)."""
    description: str

    @model_validator(mode="before")
    @classmethod
    def _read_old_detail(cls, data: Any, info: ValidationInfo) -> Any:
        """Journals written before these fields held them all in one ``detail``: when reading
        JSON (a journal line), that field becomes the one its kind names. Only JSON: new code
        cannot make a step with ``detail``."""
        if info.mode != "json" or not isinstance(data, dict) or "detail" not in data:
            return data
        data = dict(data)
        detail = data.pop("detail")
        kind = StepKind(data.get("kind"))
        name = _REQUIRED_REFERENCE.get(kind) or next(iter(_OPTIONAL_REFERENCE.get(kind, ())), None)
        if detail is not None and name is not None:
            data[name] = detail
        return data

    @model_validator(mode="after")
    def _references_fit_the_kind(self) -> PlanStep:
        required = _REQUIRED_REFERENCE.get(self.kind)
        if required is not None and not getattr(self, required):
            raise ValueError(f"A {self.kind.value} step needs its {required}.")
        allowed = {required, *_OPTIONAL_REFERENCE.get(self.kind, ())}
        extra = [n for n in _REFERENCES if getattr(self, n) is not None and n not in allowed]
        if extra:
            raise ValueError(f"A {self.kind.value} step has no {' or '.join(extra)}.")
        if self.delete_instances and self.kind is not StepKind.DELETE_CLUSTER:
            raise ValueError(f"A {self.kind.value} step deletes no instances with it.")
        return self

    @property
    def mutating(self) -> bool:
        return self.kind in MUTATING_STEPS


class ResourceSteps(BaseModel):
    """A resource's ordered steps, run one after another."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ResourceKind
    region: str
    identifier: str
    steps: list[PlanStep]
    global_cluster_id: str | None = None
    global_cluster_primary: bool = False

    @property
    def key(self) -> str:
        return f"{self.region}/{self.identifier}"


AUTOSCALED_PREFIX = "application-autoscaling-"
"""How Aurora Auto Scaling names the readers it adds (``application-autoscaling-<id>``)."""


def unconfirmed_member(
    step: PlanStep, members: Sequence[tuple[str, str | None]]
) -> e.ResourceReplacedError | None:
    """Why the one call of ``step`` (DeleteDBCluster with DeleteDBInstances) would delete an
    instance nobody confirmed, given the cluster's ``members`` now, (identifier, resource id):
    one created again under a confirmed member's name, or a new one that Aurora Auto Scaling did
    not add. None when every member is confirmed (or nothing was recorded: an older journal)."""
    if not (step.delete_instances and step.member_ids):
        return None
    confirmed = dict(step.member_ids)
    for name, now in members:
        if name in confirmed:
            if now and now != confirmed[name]:
                return e.replaced("Instance", name, step.region, confirmed[name], now)
        elif not name.startswith(AUTOSCALED_PREFIX):
            return e.ResourceReplacedError(
                f"Cluster {step.target} in {step.region} has an instance, {name}, that was not "
                "there when you confirmed: deleting the cluster in one call would delete it too, "
                "so nothing was done.",
                hint="Scan again: the cluster is listed with its instances as they are now and "
                "needs a new confirmation.",
                code="ResourceReplaced",
            )
    return None


def cluster_steps(
    cluster: Cluster, choice: ResourcePlan, replicas: Sequence[str] = ()
) -> list[PlanStep]:
    """The order AWS requires to delete ``cluster`` (docs/aws-semantics.md); ``replicas`` are
    the scanned clusters that replicate from it (they decide its path, domain/paths.py)."""
    region, cid = cluster.region, cluster.identifier
    steps: list[PlanStep] = []
    path = deletion_path(cluster, replicas)

    def add(kind: StepKind, text: str, target: str = cid, **references: str | bool | None) -> None:
        if target == cid and "resource_id" not in references:
            references["resource_id"] = choice.resource_id
        steps.append(
            PlanStep(kind=kind, region=region, target=target, description=text, **references)
        )

    backups = choice.deletes_automated_backups
    add(
        StepKind.CHECK_CLUSTER,
        f"Check that nothing would stop the deletion of {cid} half-way "
        "(snapshot name, quota, KMS key"
        + ("" if backups else ", room for its retained automated backups")
        + ")",
        final_snapshot_id=choice.final_snapshot_id,
        delete_automated_backups=backups,
    )
    if cluster.status == "stopped":
        add(StepKind.START_CLUSTER, f"Start {cid}: AWS refuses to delete a stopped cluster")
        add(StepKind.WAIT_CLUSTER_AVAILABLE, f"Wait until {cid} is available")
    if cluster.deletion_protection:
        add(
            StepKind.LIFT_CLUSTER_PROTECTION,
            f"Turn off deletion protection on {cid} and wait until AWS shows it off",
        )
    if cluster.global_cluster_id:
        gid = cluster.global_cluster_id
        who = "primary" if cluster.global_cluster_primary else "secondary"
        add(
            StepKind.REMOVE_FROM_GLOBAL,
            f"Detach {cid} ({who}) from global database {gid}"
            + (" once every secondary has left" if cluster.global_cluster_primary else ""),
            global_cluster_id=gid,
        )
        add(
            StepKind.WAIT_CLUSTER_AVAILABLE,
            f"Wait until {cid} is available and {gid} no longer lists it",
            global_cluster_id=gid,
        )
    if cluster.replication_source:
        add(
            StepKind.PROMOTE_REPLICA,
            f"Promote read replica {cid} to a standalone cluster",
            source_cluster_id=cluster.replication_source,
        )
        add(
            StepKind.WAIT_CLUSTER_AVAILABLE,
            f"Wait until {cid} is available with no replication source",
            source_cluster_id=cluster.replication_source,
        )
    steps.extend(autoscaling_steps(cluster, choice))
    if path.one_call:
        count = len(cluster.members)
        what = f"cluster {cid} and its {count} instance{'s' if count != 1 else ''} in one call"
        how = f" ({path.why})"
    else:
        what, how = f"cluster {cid}", ""
        steps.extend(member_steps(cluster, path, choice))
    if choice.skip_final_snapshot:
        text = f"Delete {what} WITHOUT a final snapshot{how}"
    else:
        text = f"Delete {what}, keeping final snapshot {choice.final_snapshot_id}{how}"
    steps.append(
        PlanStep(
            kind=StepKind.DELETE_CLUSTER,
            region=region,
            target=cid,
            description=f"{text}; {automated_backups_words(backups)}",
            resource_id=choice.resource_id,
            final_snapshot_id=choice.final_snapshot_id,
            delete_instances=path.one_call,
            member_ids=choice.member_ids if path.one_call else (),
            delete_automated_backups=backups,
        )
    )
    add(StepKind.WAIT_CLUSTER_DELETED, f"Wait until AWS reports {cid} gone")
    if cluster.global_cluster_id and cluster.global_cluster_primary:
        add(
            StepKind.DELETE_GLOBAL_CLUSTER,
            f"Delete the now empty global database {cluster.global_cluster_id}",
            target=cluster.global_cluster_id,
            resource_id=None,
        )
    if choice.final_snapshot_id:
        add(
            StepKind.VERIFY_CLUSTER_SNAPSHOT,
            f"Verify final snapshot {choice.final_snapshot_id} is available",
            target=choice.final_snapshot_id,
            resource_id=None,
        )
    return steps


def autoscaling_steps(cluster: Cluster, choice: ResourcePlan) -> list[PlanStep]:
    """Deregister the cluster's Aurora Auto Scaling targets, when the operator ticked it: before
    any reader is deleted, so none is added back."""
    if not (choice.deregister_autoscaling and cluster.autoscaling):
        return []
    targets = ", ".join(f"{t.resource_id} {t.label}" for t in cluster.autoscaling)
    return [
        PlanStep(
            kind=StepKind.DEREGISTER_AUTOSCALING,
            region=cluster.region,
            target=cluster.identifier,
            resource_id=choice.resource_id,
            description=f"Deregister the Aurora Auto Scaling target of {cluster.identifier} "
            f"({targets}), so it adds no reader back",
        )
    ]


def member_steps(cluster: Cluster, path: DeletionPath, choice: ResourcePlan) -> list[PlanStep]:
    """The readers, then the writer, one by one; then the members read again, since Aurora Auto
    Scaling adds readers back while the others go (``path`` says why this cluster goes so).
    Each member's confirmed ``DbiResourceId`` is checked before it is deleted."""
    if not cluster.members_deleted_separately:
        return []
    cid = cluster.identifier
    steps: list[PlanStep] = []
    for index, member in enumerate([*cluster.readers, *cluster.writers]):
        role = "writer" if member.is_writer else "reader"
        why = f"; one by one: {path.why}" if index == 0 else ""
        steps.append(
            PlanStep(
                kind=StepKind.DELETE_MEMBER,
                region=cluster.region,
                target=member.identifier,
                cluster_id=cid,
                resource_id=choice.member_id(member.identifier) if choice.resource_id else None,
                description=f"Delete {role} instance {member.identifier} (no snapshot: "
                f"members cannot have one{why})",
            )
        )
    if steps:
        steps.append(
            PlanStep(
                kind=StepKind.DELETE_NEW_MEMBERS,
                region=cluster.region,
                target=cid,
                resource_id=choice.resource_id,
                description=f"Read the members of {cid} again and delete any that appeared "
                "(Aurora Auto Scaling adds readers back)",
            )
        )
    return steps


def instance_steps(instance: Instance, choice: ResourcePlan) -> list[PlanStep]:
    """The order to delete a standalone instance: check, start (a stopped instance cannot be
    modified, so one whose protection must be lifted is started first), protection, delete,
    wait, verify snapshot."""
    region, iid = instance.region, instance.identifier
    backups = choice.deletes_automated_backups
    steps: list[PlanStep] = [
        PlanStep(
            kind=StepKind.CHECK_INSTANCE,
            region=region,
            target=iid,
            resource_id=choice.resource_id,
            final_snapshot_id=choice.final_snapshot_id,
            delete_automated_backups=backups,
            description=f"Check that nothing would stop the deletion of {iid} half-way "
            "(snapshot name, quota, KMS key, state"
            + ("" if backups else ", room for its retained automated backups")
            + ")",
        )
    ]
    if instance.status == "stopped" and instance.deletion_protection:
        # AWS deletes a stopped instance, but will not modify one (USER_StopInstance).
        steps.append(
            PlanStep(
                kind=StepKind.START_INSTANCE,
                region=region,
                target=iid,
                resource_id=choice.resource_id,
                description=f"Start {iid}: AWS refuses to modify a stopped instance",
            )
        )
        steps.append(
            PlanStep(
                kind=StepKind.WAIT_INSTANCE_AVAILABLE,
                region=region,
                target=iid,
                resource_id=choice.resource_id,
                description=f"Wait until {iid} is available",
            )
        )
    if instance.deletion_protection:
        steps.append(
            PlanStep(
                kind=StepKind.LIFT_INSTANCE_PROTECTION,
                region=region,
                target=iid,
                resource_id=choice.resource_id,
                description=f"Turn off deletion protection on instance {iid} and wait until "
                "AWS shows it off",
            )
        )
    manual = instance.snapshot_before_delete and choice.final_snapshot_id is not None
    if manual:
        steps += manual_snapshot_steps(instance, choice)
    if choice.skip_final_snapshot:
        text = f"Delete instance {iid} WITHOUT a final snapshot"
    elif manual:
        text = (
            f"Delete RDS Custom instance {iid} (AWS requires SkipFinalSnapshot for it; snapshot "
            f"{choice.final_snapshot_id} above is its backup)"
        )
    else:
        text = f"Delete instance {iid}, keeping final snapshot {choice.final_snapshot_id}"
    steps.append(
        PlanStep(
            kind=StepKind.DELETE_INSTANCE,
            region=region,
            target=iid,
            resource_id=choice.resource_id,
            final_snapshot_id=None if manual else choice.final_snapshot_id,
            delete_automated_backups=backups,
            description=f"{text}; {automated_backups_words(backups)}",
        )
    )
    steps.append(
        PlanStep(
            kind=StepKind.WAIT_INSTANCE_DELETED,
            region=region,
            target=iid,
            resource_id=choice.resource_id,
            description=f"Wait until AWS reports {iid} gone",
        )
    )
    if choice.final_snapshot_id and not manual:
        steps.append(
            PlanStep(
                kind=StepKind.VERIFY_INSTANCE_SNAPSHOT,
                region=region,
                target=choice.final_snapshot_id,
                description=f"Verify final snapshot {choice.final_snapshot_id} is available",
            )
        )
    return steps


def manual_snapshot_steps(instance: Instance, choice: ResourcePlan) -> list[PlanStep]:
    """RDS Custom: a manual snapshot (``CreateDBSnapshot``), seen ``available``, before the
    deletion AWS only accepts without a final snapshot. Reversible: it deletes nothing."""
    name = choice.final_snapshot_id
    assert name is not None
    return [
        PlanStep(
            kind=StepKind.SNAPSHOT_INSTANCE,
            region=instance.region,
            target=instance.identifier,
            resource_id=choice.resource_id,
            final_snapshot_id=name,
            description=f"Take manual snapshot {name} of RDS Custom instance "
            f"{instance.identifier} (AWS takes no final snapshot of RDS Custom)",
        ),
        PlanStep(
            kind=StepKind.VERIFY_INSTANCE_SNAPSHOT,
            region=instance.region,
            target=name,
            description=f"Wait until snapshot {name} is available, before any deletion",
        ),
    ]


def automated_backups_words(delete: bool) -> str:
    """How the plan says what happens to a database's automated backups."""
    if delete:
        return "automated backups: deleted with it"
    return "automated backups: retained until their retention ends"


class DeletionPlan(BaseModel):
    """Everything the operator chose, for every resource of the scan it was made from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str
    resources: list[ResourcePlan] = Field(default_factory=list)

    def choice(self, key: str) -> ResourcePlan | None:
        return next((r for r in self.resources if r.key == key), None)

    def problems(self, scan: ScanResult) -> list[str]:
        """Why this plan cannot be confirmed against ``scan`` (empty when it can)."""
        problems: list[str] = []
        seen: set[str] = set()
        for choice in self.resources:
            if choice.key in seen:
                problems.append(f"{choice.key} appears twice in the plan.")
            seen.add(choice.key)
        snapshots = [r.final_snapshot_id for r in self.resources if r.final_snapshot_id]
        for name in sorted({s for s in snapshots if snapshots.count(s) > 1}):
            problems.append(f"Snapshot name {name} is used for more than one resource.")
        resources: list[tuple[str, Cluster | Instance]] = [
            *(("Cluster", c) for c in scan.clusters),
            *(("Instance", i) for i in scan.instances),
        ]
        for label, resource in resources:
            chosen = self.choice(resource.key)
            if chosen is None:
                problems.append(f"{label} {resource.key} has no choice in the plan.")
            elif resource.deletion_protection and not chosen.lift_protection:
                problems.append(
                    f"{label} {resource.key} has deletion protection; tick 'lift protection' "
                    "to allow the wizard to turn it off."
                )
            if (
                chosen is not None
                and chosen.final_snapshot_id
                and isinstance(resource, Instance)
                and not resource.final_snapshot_allowed
            ):
                problems.append(
                    f"Instance {resource.key} is a read replica: AWS refuses a final snapshot "
                    "for it, so choose to skip the final snapshot."
                )
        problems += self.replaced(scan)
        known = {c.key for c in scan.clusters} | {i.key for i in scan.instances}
        problems += [
            f"{r.key} is in the plan but not in the latest scan."
            for r in self.resources
            if r.key not in known
        ]
        return problems

    def replaced(self, scan: ScanResult) -> list[str]:
        """Databases that ``scan`` shows under a confirmed name with another resource id: each
        was deleted and created again since the confirmation, so it is another database that
        needs its own choice and confirmation."""
        lines: list[str] = []
        resources: list[Cluster | Instance] = [*scan.clusters, *scan.instances]
        for resource in resources:
            chosen = self.choice(resource.key)
            if (
                chosen is not None
                and chosen.resource_id
                and resource.resource_id
                and chosen.resource_id != resource.resource_id
            ):
                lines.append(
                    f"{resource.key} is not the database you confirmed (resource id "
                    f"{chosen.resource_id} then, {resource.resource_id} now): it was deleted and "
                    "created again under the same name, so it needs its own choice."
                )
        return lines

    def identified(self, scan: ScanResult) -> DeletionPlan:
        """This plan with each database's resource id (and a cluster's members') as ``scan``
        shows it: what a confirmation records, so that every later call, a resumed session's
        included, acts only on the very databases the operator confirmed. Ids already
        recorded are kept."""
        every: list[Cluster | Instance] = [*scan.clusters, *scan.instances]
        found = {r.key: r for r in every}
        resources: list[ResourcePlan] = []
        for choice in self.resources:
            resource = found.get(choice.key)
            if choice.resource_id or resource is None or not resource.resource_id:
                resources.append(choice)
                continue
            members = (
                tuple((m.identifier, m.resource_id) for m in resource.members if m.resource_id)
                if isinstance(resource, Cluster)
                else ()
            )
            resources.append(
                choice.model_copy(
                    update={"resource_id": resource.resource_id, "member_ids": members}
                )
            )
        return self.model_copy(update={"resources": resources})

    def schedule(self, scan: ScanResult) -> list[ResourceSteps]:
        """Each resource's ordered steps; replicas before their sources within a region."""
        out: list[ResourceSteps] = []
        for cluster in sorted(scan.clusters, key=lambda c: (c.replication_source is None, c.key)):
            choice = self.choice(cluster.key)
            if choice is not None:
                replicas = [
                    c.identifier
                    for c in scan.clusters
                    if c.replication_source in (cluster.arn, cluster.identifier)
                ]
                if not cluster.limitless and _has_shard_group(scan, cluster):
                    # Only an Aurora Limitless cluster has shard groups (whatever its listing
                    # said of ClusterScalabilityType): it never takes the one-call path.
                    cluster = cluster.model_copy(update={"limitless": True})
                out.append(
                    ResourceSteps(
                        kind=ResourceKind.CLUSTER,
                        region=cluster.region,
                        identifier=cluster.identifier,
                        steps=with_related(cluster_steps(cluster, choice, replicas), scan, cluster),
                        global_cluster_id=cluster.global_cluster_id,
                        global_cluster_primary=cluster.global_cluster_primary,
                    )
                )
        for instance in sorted(scan.instances, key=lambda i: (i.replica_of is None, i.key)):
            choice = self.choice(instance.key)
            if choice is not None:
                out.append(
                    ResourceSteps(
                        kind=ResourceKind.INSTANCE,
                        region=instance.region,
                        identifier=instance.identifier,
                        steps=with_related(instance_steps(instance, choice), scan, instance),
                    )
                )
        return out


def _has_shard_group(scan: ScanResult, cluster: Cluster) -> bool:
    return any(
        x.kind is RelatedKind.SHARD_GROUP
        and x.region == cluster.region
        and cluster.identifier in x.attached_to
        for x in scan.related
    )


def with_related(
    steps: list[PlanStep], scan: ScanResult, resource: Cluster | Instance
) -> list[PlanStep]:
    """``steps`` with the steps for what must go before the database (a Blue/Green deployment,
    a shard group, an integration, a proxy, a cluster group: :mod:`slrwizard.domain.related`)
    put right before its first irreversible step, after its checks and reversible steps."""
    from slrwizard.domain.related import steps_before_deletion

    before = steps_before_deletion(scan, resource.region, resource.identifier)
    if not before:
        return steps
    at = next(
        (i for i, s in enumerate(steps) if s.kind in IRREVERSIBLE_STEPS),
        next((i for i, s in enumerate(steps) if s.kind.value.startswith("wait-")), len(steps)),
    )
    return [*steps[:at], *before, *steps[at:]]


def default_plan(account: str, scan: ScanResult, now: datetime | None = None) -> DeletionPlan:
    """The safe default: a final snapshot for everything AWS allows one for (not read replicas),
    no protection lifted."""
    resources = [
        ResourcePlan(
            kind=ResourceKind.CLUSTER,
            region=c.region,
            identifier=c.identifier,
            final_snapshot_id=default_snapshot_id(c.identifier, now),
        )
        for c in scan.clusters
    ]
    resources += [
        ResourcePlan(
            kind=ResourceKind.INSTANCE,
            region=i.region,
            identifier=i.identifier,
            final_snapshot_id=default_snapshot_id(i.identifier, now)
            if i.final_snapshot_allowed
            else None,
            # AWS allows no final snapshot of a read replica (its data lives in the source).
            skip_final_snapshot=not i.final_snapshot_allowed,
        )
        for i in scan.instances
    ]
    return DeletionPlan(account=account, resources=resources)
