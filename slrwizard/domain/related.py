"""What the RDS resources found beside the databases mean for the role, and the steps that must
come before a database's own deletion (Blue/Green deployments, shard groups, zero-ETL
integrations, proxies, cluster groups).

Kept apart from :mod:`slrwizard.domain.plan` so that the plan only asks, per database, for the
steps to put before its first irreversible one (:func:`steps_before_deletion`). Every such step
is idempotent and may appear in more than one database's plan (a Blue/Green deployment in its
blue's and its green's, a proxy in each target's): whichever runs first deletes it, the others
find it gone, and both wait until AWS no longer lists it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slrwizard.domain.models import RelatedKind, RelatedResource

if TYPE_CHECKING:
    from slrwizard.domain.models import ScanResult
    from slrwizard.domain.plan import PlanStep

UNDOCUMENTED = "AWS does not document whether it holds the role: step 4 relies on AWS's answer."


def role_effect(x: RelatedResource) -> str:
    """What ``x`` means for the role, in a sentence (shown on screen and in reports)."""
    match x.kind:
        case RelatedKind.BLUE_GREEN:
            return "Holds the role; blocks deleting either side."
        case RelatedKind.SHARD_GROUP:
            return "Holds the role; its cluster cannot be deleted before it."
        case RelatedKind.INTEGRATION | RelatedKind.PROXY:
            return "Holds the role while it exists."
        case RelatedKind.CLUSTER_GROUP:
            return UNDOCUMENTED
        case RelatedKind.INSTANCE_BACKUP | RelatedKind.CLUSTER_BACKUP:
            days = f"{x.retention_days} days" if x.retention_days is not None else "a while"
            return f"Kept {days}, storage billed until they expire. {UNDOCUMENTED}"


def handling(x: RelatedResource) -> str:
    """What the wizard does about ``x`` (every database the scan found is in the plan)."""
    on = ", ".join(x.attached_to)
    match x.kind:
        case RelatedKind.BLUE_GREEN:
            return "Step 3 deletes it first, keeping both sides (deleted as databases)."
        case RelatedKind.SHARD_GROUP:
            return f"Step 3 deletes it before its cluster {on}." if on else _not_touched(x)
        case RelatedKind.INTEGRATION:
            return f"Step 3 deletes it before its source {on}." if on else _not_touched(x)
        case RelatedKind.PROXY:
            return f"Step 3 deletes it before its target {on}." if on else _not_touched(x)
        case RelatedKind.CLUSTER_GROUP:
            protected = " (deletion protection on)" if x.deletion_protection else ""
            if not on:
                return f"Empty: left behind{protected}."
            return f"Step 3 removes {on} from it first; the emptied group is left{protected}."
        case RelatedKind.INSTANCE_BACKUP | RelatedKind.CLUSTER_BACKUP:
            return "Left: the wizard deletes no backups."


def delete_group_command(x: RelatedResource) -> str:
    """The AWS CLI command that deletes an emptied cluster group (after its protection)."""
    return (
        f"aws rds delete-db-cluster-group --db-cluster-group-identifier {x.identifier} "
        f"--region {x.region}"
    )


def _not_touched(x: RelatedResource) -> str:
    return "On no database of the scan: left; if it holds the role, step 4 names it."


def attached(scan: ScanResult, region: str, identifier: str) -> list[RelatedResource]:
    """The related resources that must go before the database ``identifier`` in ``region``."""
    return [
        x
        for x in scan.related
        if x.region == region and (identifier in x.attached_to or identifier in x.green)
    ]


def steps_before_deletion(scan: ScanResult, region: str, identifier: str) -> list[PlanStep]:
    """The steps to run before the database's first irreversible step, in AWS's order."""
    from slrwizard.domain.plan import PlanStep, StepKind

    steps: list[PlanStep] = []
    order = (
        RelatedKind.BLUE_GREEN,
        RelatedKind.INTEGRATION,
        RelatedKind.PROXY,
        RelatedKind.SHARD_GROUP,
        RelatedKind.CLUSTER_GROUP,
    )
    found = attached(scan, region, identifier)
    for kind in order:
        for x in (x for x in found if x.kind is kind):
            match kind:
                case RelatedKind.BLUE_GREEN:
                    side = "blue" if identifier in x.attached_to else "green"
                    other = ", ".join(x.green if side == "blue" else x.attached_to) or "none"
                    steps.append(
                        PlanStep(
                            kind=StepKind.DELETE_BLUE_GREEN,
                            region=region,
                            target=x.identifier,
                            description=f"Delete Blue/Green deployment {x.identifier} "
                            f"({identifier} is its {side}; {other} the other side) and wait "
                            "until AWS no longer lists it; both sides stay, as databases of "
                            "this plan",
                        )
                    )
                case RelatedKind.INTEGRATION:
                    steps.append(
                        PlanStep(
                            kind=StepKind.DELETE_INTEGRATION,
                            region=region,
                            target=x.identifier,
                            description=f"Delete zero-ETL integration {x.shown_name} (source "
                            f"{identifier}) and wait until AWS no longer lists it",
                        )
                    )
                case RelatedKind.PROXY:
                    steps.append(
                        PlanStep(
                            kind=StepKind.DELETE_PROXY,
                            region=region,
                            target=x.identifier,
                            description=f"Delete RDS Proxy {x.identifier} (target "
                            f"{identifier}) and wait until AWS no longer lists it",
                        )
                    )
                case RelatedKind.SHARD_GROUP:
                    steps.append(
                        PlanStep(
                            kind=StepKind.DELETE_SHARD_GROUP,
                            region=region,
                            target=x.identifier,
                            description=f"Delete Limitless shard group {x.identifier} of "
                            f"{identifier} and wait until AWS no longer lists it",
                        )
                    )
                case RelatedKind.CLUSTER_GROUP:
                    steps.append(
                        PlanStep(
                            kind=StepKind.REMOVE_FROM_CLUSTER_GROUP,
                            region=region,
                            target=identifier,
                            description=f"Remove {identifier} from DB cluster group "
                            f"{x.identifier} (the group is left behind)",
                        )
                    )
    return steps


def left_behind(scan: ScanResult) -> list[str]:
    """What the plan leaves in the account, one line each (shown before confirming)."""
    lines: list[str] = []
    for x in scan.related:
        if x.kind is RelatedKind.CLUSTER_GROUP:
            lift = (
                "turn its deletion protection off (DeleteDBClusterGroup refuses it), then "
                if x.deletion_protection
                else ""
            )
            lines.append(
                f"{x.label} {x.identifier} in {x.region}: {handling(x)} To delete it once "
                f"empty, {lift}run {delete_group_command(x)}. {UNDOCUMENTED}"
            )
        elif x.kind in (RelatedKind.INSTANCE_BACKUP, RelatedKind.CLUSTER_BACKUP):
            lines.append(f"{x.label} of {x.identifier} in {x.region}: {role_effect(x)}")
        elif not x.attached_to and not x.green:
            lines.append(f"{x.label} {x.shown_name} in {x.region}: {_not_touched(x)}")
    return lines
