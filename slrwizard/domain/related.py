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

UNDOCUMENTED = (
    "AWS's documentation does not say whether it keeps AWSServiceRoleForRDS in use; "
    "step 4 relies on AWS's own answer."
)


def role_effect(x: RelatedResource) -> str:
    """What ``x`` means for the role, in a sentence (shown on screen and in reports)."""
    match x.kind:
        case RelatedKind.BLUE_GREEN:
            return (
                "Holds the role while it exists (AWS names deployments in a refused role "
                "deletion); its blue and green databases cannot be deleted while it exists."
            )
        case RelatedKind.SHARD_GROUP:
            return (
                "Holds the role while it exists; its Aurora Limitless cluster cannot be deleted "
                "before it."
            )
        case RelatedKind.INTEGRATION:
            return "Holds the role while it exists (AWS names integrations in a refused deletion)."
        case RelatedKind.PROXY:
            return "Holds the role while it exists (AWS names proxies in a refused deletion)."
        case RelatedKind.CLUSTER_GROUP:
            return f"A group of DB clusters. {UNDOCUMENTED}"
        case RelatedKind.INSTANCE_BACKUP | RelatedKind.CLUSTER_BACKUP:
            days = f"{x.retention_days} days" if x.retention_days is not None else "its retention"
            return (
                "Backups of a deleted database, kept until they expire (retention "
                f"{days}); their storage is billed until then. {UNDOCUMENTED}"
            )


def handling(x: RelatedResource) -> str:
    """What the wizard does about ``x`` (every database the scan found is in the plan)."""
    on = ", ".join(x.attached_to)
    match x.kind:
        case RelatedKind.BLUE_GREEN:
            green = ", ".join(x.green) or "none"
            return (
                f"Step 3 deletes the deployment first, keeping both sides (blue {on or 'none'}, "
                f"green {green}), then deletes each side as a database of the plan."
            )
        case RelatedKind.SHARD_GROUP:
            return f"Step 3 deletes it before its cluster {on}." if on else _not_touched(x)
        case RelatedKind.INTEGRATION:
            return f"Step 3 deletes it before its source {on}." if on else _not_touched(x)
        case RelatedKind.PROXY:
            return f"Step 3 deletes it before its target {on}." if on else _not_touched(x)
        case RelatedKind.CLUSTER_GROUP:
            return (
                f"Step 3 removes {on} from it first; the emptied group is left behind"
                + (
                    " (deletion protection on: turn it off to delete it)"
                    if x.deletion_protection
                    else ""
                )
                + f": aws rds delete-db-cluster-group --db-cluster-group-identifier "
                f"{x.identifier} --region {x.region}"
            )
        case RelatedKind.INSTANCE_BACKUP | RelatedKind.CLUSTER_BACKUP:
            return "Left as they are: the wizard does not delete backups."


def _not_touched(x: RelatedResource) -> str:
    return (
        f"Attached to no database the scan found: left as it is; if it keeps the role in use, "
        f"step 4 names it with the command that removes it ({x.label} {x.identifier})."
    )


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
            lines.append(f"{x.label} {x.identifier} in {x.region}: {handling(x)}")
        elif x.kind in (RelatedKind.INSTANCE_BACKUP, RelatedKind.CLUSTER_BACKUP):
            lines.append(f"{x.label} of {x.identifier} in {x.region}: {role_effect(x)}")
        elif not x.attached_to and not x.green:
            lines.append(f"{x.label} {x.shown_name} in {x.region}: {_not_touched(x)}")
    return lines
