"""How the screens speak of what stands beside the databases (Blue/Green deployments, shard
groups, zero-ETL integrations, proxies, cluster groups, retained backups): one place for the
words the scan, the plan and the review share."""

from __future__ import annotations

from collections import Counter

from slrwizard.domain.models import (
    Cluster,
    Instance,
    RelatedKind,
    RelatedResource,
    ScanResult,
)
from slrwizard.domain.plan import RELATED_STEPS, PlanStep, StepKind
from slrwizard.domain.related import left_behind
from slrwizard.tui.text import plural

SHORT = {
    RelatedKind.BLUE_GREEN: "Blue/Green",
    RelatedKind.SHARD_GROUP: "Shard group",
    RelatedKind.INTEGRATION: "Zero-ETL",
    RelatedKind.PROXY: "RDS Proxy",
    RelatedKind.CLUSTER_GROUP: "Cluster group",
    RelatedKind.INSTANCE_BACKUP: "Backups",
    RelatedKind.CLUSTER_BACKUP: "Backups",
}
"""The table's Engine column for a related resource."""

_COUNTED = {
    RelatedKind.BLUE_GREEN: "Blue/Green deployment",
    RelatedKind.SHARD_GROUP: "shard group",
    RelatedKind.INTEGRATION: "zero-ETL integration",
    RelatedKind.PROXY: "RDS Proxy",
    RelatedKind.CLUSTER_GROUP: "cluster group",
    RelatedKind.INSTANCE_BACKUP: "retained backup",
    RelatedKind.CLUSTER_BACKUP: "retained backup",
}


def attached_cell(x: RelatedResource) -> str:
    """The table's Members column for a related resource, short (the column stays narrow at 80
    columns; the line under the table names what it is attached to): how many databases it
    concerns, or a backup's retention."""
    if x.kind is RelatedKind.BLUE_GREEN:
        return "blue+green"
    if x.kind in (RelatedKind.INSTANCE_BACKUP, RelatedKind.CLUSTER_BACKUP):
        return f"{x.retention_days} days" if x.retention_days is not None else "retained"
    return plural(len(x.attached_to), "database") if x.attached_to else "none"


def related_detail(x: RelatedResource) -> str:
    """The detail line under the table: what it is, what it means, what the wizard does."""
    if x.kind is RelatedKind.BLUE_GREEN:
        what = (
            f"{x.label} {x.identifier}: blue {', '.join(x.attached_to) or '?'}, "
            f"green {', '.join(x.green) or '?'}."
        )
    elif x.kind in (RelatedKind.INSTANCE_BACKUP, RelatedKind.CLUSTER_BACKUP):
        size = f", {x.storage_gib} GiB" if x.storage_gib else ""
        what = f"Retained backups of {x.identifier} (deleted database{size})."
    elif x.kind is RelatedKind.CLUSTER_GROUP:
        what = f"{x.label} {x.identifier} of {', '.join(x.attached_to) or 'no cluster'}."
    else:
        on = ", ".join(x.attached_to) or "no database the scan found"
        what = f"{x.label} {x.shown_name} on {on}."
    return f"{what} {x.role_effect} {x.handling}"


def database_notes(scan_result: ScanResult | None, resource: Cluster | Instance) -> str:
    """What a database's detail line adds: its cluster group, its Blue/Green side, the Multi-AZ
    DB cluster it replicates from."""
    notes: list[str] = []
    if isinstance(resource, Cluster) and resource.cluster_group_id:
        notes.append(f"in DB cluster group {resource.cluster_group_id}")
    side = (
        scan_result.blue_green_side(resource.region, resource.identifier)
        if scan_result is not None
        else None
    )
    if side is not None:
        which, deployment = side
        other = ", ".join(deployment.attached_to if which == "green" else deployment.green)
        notes.append(
            f"{which} side of Blue/Green deployment {deployment.identifier} "
            f"({'blue' if which == 'green' else 'green'}: {other})"
            + (", not an ordinary read replica" if which == "green" else "")
        )
    if isinstance(resource, Instance) and resource.read_replica_source_cluster:
        notes.append(
            f"read replica of Multi-AZ DB cluster {resource.read_replica_source_cluster}: "
            "deleted before it (deleting the cluster would promote it to a standalone instance "
            "that still holds the role)"
        )
    return "".join(f"; {n}" for n in notes)


def card_note(scan_result: ScanResult, resource: Cluster | Instance) -> str:
    """A few words for a database's card in step 3: its Blue/Green side, the Multi-AZ DB
    cluster it replicates from, what is removed before it ('' when nothing)."""
    notes: list[str] = []
    side = scan_result.blue_green_side(resource.region, resource.identifier)
    if side is not None:
        notes.append(f"Blue/Green {side[0]}")
    if isinstance(resource, Instance) and resource.read_replica_source_cluster:
        notes.append(f"replica of {resource.read_replica_source_cluster}")
    first = [
        SHORT[x.kind].lower()
        for x in scan_result.related
        if x.region == resource.region
        and resource.identifier in x.attached_to
        and x.kind in (RelatedKind.SHARD_GROUP, RelatedKind.INTEGRATION, RelatedKind.PROXY)
    ]
    if first:
        notes.append(f"{' and '.join(first)} first")
    if isinstance(resource, Cluster) and resource.cluster_group_id:
        notes.append(f"leaves group {resource.cluster_group_id}")
    return ", ".join(notes)


def found_beside(result: ScanResult) -> str:
    """``Also 7 beside them (rows below the databases).`` ('' when none): the line under the
    table is short; each row says what it is."""
    if not result.related:
        return ""
    return f"Also {len(result.related)} beside them (in the table)."


def counted(result: ScanResult) -> str:
    """``1 Blue/Green deployment, 2 retained backups`` in the kinds' order ('' when none)."""
    counts = Counter(_COUNTED[x.kind] for x in result.related)
    order = list(dict.fromkeys(_COUNTED[k] for k in RelatedKind))
    return ", ".join(plural(counts[what], what) for what in order if counts[what])


def _unchecked(result: ScanResult) -> list[str]:
    """``zero-ETL integrations (AccessDenied: ...) in eu-central-1``, one per listing."""
    return [
        f"{line.removeprefix('could not check ')} in {r.region}"
        for r in result.regions
        for line in r.unchecked
    ]


def could_not_check(result: ScanResult) -> str:
    """``1 listing could not be checked (eu-central-1).`` ('' when none); the region's line in
    the grid and step 3 say which and why."""
    regions = sorted({r.region for r in result.regions if r.unchecked})
    count = sum(len(r.unchecked) for r in result.regions)
    if not count:
        return ""
    return f"{plural(count, 'listing')} could not be checked ({', '.join(regions)})."


def first_removals(steps: list[PlanStep]) -> list[str]:
    """The related removals a schedule's steps make, once each (for the confirmation)."""
    seen: dict[str, None] = {}
    for step in steps:
        if step.kind in RELATED_STEPS:
            words = _REMOVAL_WORDS[step.kind]
            seen[words.format(target=step.target)] = None
    return list(seen)


_REMOVAL_WORDS = {
    StepKind.DELETE_BLUE_GREEN: "delete Blue/Green deployment {target}",
    StepKind.DELETE_INTEGRATION: "delete zero-ETL integration {target}",
    StepKind.DELETE_PROXY: "delete RDS Proxy {target}",
    StepKind.DELETE_SHARD_GROUP: "delete shard group {target}",
    StepKind.REMOVE_FROM_CLUSTER_GROUP: "remove {target} from its cluster group",
}


def plan_lines(result: ScanResult) -> list[str]:
    """For step 3: what goes first and what is left behind, one line each."""
    lines = [
        f"{x.label} {x.shown_name} in {x.region}: {x.handling}"
        for x in result.related
        if x.kind not in (RelatedKind.INSTANCE_BACKUP, RelatedKind.CLUSTER_BACKUP)
        and (x.attached_to or x.green)
        and x.kind is not RelatedKind.CLUSTER_GROUP
    ]
    lines += [
        f"{i.identifier} in {i.region} replicates from Multi-AZ DB cluster "
        f"{i.read_replica_source_cluster}: deleted first (deleting the cluster would promote it "
        "to a standalone instance that still holds the role)."
        for i in result.instances
        if i.read_replica_source_cluster
    ]
    if result.related:
        lines.insert(0, f"Found: {counted(result)}.")
    lines += left_behind(result)
    lines += [f"Could not check {line}." for line in _unchecked(result)]
    return lines
