"""What the operator chose and what happened, kept by the app across rounds for the summary.

A walkthrough can loop (the role is still in use, back to step 2, delete some more), and each new
scan replaces the wizard's plan. The final summary must still list everything deleted and every
final snapshot kept, so each round's outcome is copied here when it ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from slrwizard.domain.executor import ResourceProgress, ResourceState
from slrwizard.domain.plan import DeletionPlan, StepKind

if TYPE_CHECKING:
    from slrwizard.domain.models import ScanResult
    from slrwizard.domain.resume import GlobalDatabaseOutcome, PriorResource, PriorSession

Result = Literal[
    "deleted",
    "already gone",
    "left in place",
    "left behind",
    "failed",
    "deleted earlier",
    "gone earlier",
]
GLOBAL_KIND = "global database"
"""The kind of a summary row naming a global database left behind (not a database deleted)."""


@dataclass(frozen=True)
class Draft:
    """One resource's choices on the plan screen, as typed (possibly not yet valid).

    Attributes:
        snapshot: the final snapshot name in the box.
        skip: "skip final snapshot" is ticked.
        lift: "lift deletion protection" is ticked.
        backups: "delete its automated backups with it", as the operator chose it; None: the
            default (retained when the final snapshot is skipped, deleted with it otherwise).
    """

    snapshot: str
    skip: bool = False
    lift: bool = False
    deregister: bool = False
    """"Deregister its Aurora Auto Scaling target first" is ticked (clusters that have one)."""
    backups: bool | None = None


@dataclass(frozen=True)
class ResourceOutcome:
    """How one resource ended, for the summary and the change ticket."""

    key: str
    kind: str
    result: Result
    snapshot: str | None
    snapshot_verified: bool
    snapshot_skipped: bool


_VERIFY = {StepKind.VERIFY_CLUSTER_SNAPSHOT, StepKind.VERIFY_INSTANCE_SNAPSHOT}
_RESULTS: dict[ResourceState, Result] = {
    ResourceState.DONE: "deleted",
    ResourceState.VANISHED: "already gone",
    ResourceState.FAILED: "failed",
    ResourceState.STOPPED: "left in place",
    ResourceState.PENDING: "left in place",
    ResourceState.RUNNING: "left in place",
}


def round_outcomes(
    plan: DeletionPlan | None, progress: Mapping[str, ResourceProgress]
) -> list[ResourceOutcome]:
    """Each resource of a finished round: deleted or not, and its final snapshot; and each
    global database a deleted primary leaves behind (its deletion failed or never ran)."""
    outcomes: list[ResourceOutcome] = []
    for key, item in progress.items():
        choice = plan.choice(key) if plan is not None else None
        result = _RESULTS[item.state]
        left = _global_left_behind(item)
        if left is not None:
            result = "deleted"  # the cluster is gone: what is left is its global database
        snapshot = choice.final_snapshot_id if choice is not None else None
        outcomes.append(
            ResourceOutcome(
                key=key,
                kind=item.steps.kind.value,
                result=result,
                snapshot=snapshot if result == "deleted" else None,
                snapshot_verified=bool(item.milestones & _VERIFY),
                snapshot_skipped=bool(choice and choice.skip_final_snapshot),
            )
        )
        if left is not None:
            outcomes.append(_left_behind(item.steps.region, left))
    return outcomes


def _global_left_behind(item: ResourceProgress) -> str | None:
    """The global database of a primary whose cluster is gone but whose global database was
    not seen deleted (its DeleteGlobalCluster failed or was not reached), if any."""
    kinds = [s.kind for s in item.steps.steps]
    if StepKind.DELETE_GLOBAL_CLUSTER not in kinds or item.state is ResourceState.DONE:
        return None
    if StepKind.WAIT_CLUSTER_DELETED not in item.milestones:
        return None
    if StepKind.DELETE_GLOBAL_CLUSTER in item.milestones:
        return None
    return item.steps.global_cluster_id


def _left_behind(region: str, gid: str) -> ResourceOutcome:
    return ResourceOutcome(
        key=f"{region}/{gid}",
        kind=GLOBAL_KIND,
        result="left behind",
        snapshot=None,
        snapshot_verified=False,
        snapshot_skipped=False,
    )


def global_outcomes(leftovers: Sequence[GlobalDatabaseOutcome]) -> list[ResourceOutcome]:
    """A row for each global database a resumed session could not delete (left behind)."""
    return [_left_behind(g.region, g.global_cluster_id) for g in leftovers if not g.deleted]


def prior_outcomes(
    prior: PriorSession,
    verified: Mapping[str, bool] | None,
    exclude: set[str],
    latest_scan: ScanResult | None = None,
) -> list[ResourceOutcome]:
    """Every resource of the interrupted session's plan that this session did not deal with.

    ``exclude`` holds the resources this session dealt with itself (they are in its rounds).
    The prior session's journal alone cannot tell how a deletion it asked for ended when it died
    before seeing it (the deletion is "in doubt"): ``latest_scan`` can. A resource whose deletion
    was asked for and that a complete scan of its region no longer lists was deleted by us (the
    exported report says the same); one gone without our asking is "gone earlier"; any other is
    still there ("left in place"). So the summary has a row for every resource of the plan.
    """
    from slrwizard.domain.resume import gone_from  # the resume's use case, loaded when resuming

    outcomes: list[ResourceOutcome] = []
    for key, history in sorted(prior.resources.items()):
        if key in exclude:
            continue
        choice = history.choice
        result = _prior_result(history, gone_from(latest_scan, choice.region, key))
        deleted = result == "deleted earlier"
        outcomes.append(
            ResourceOutcome(
                key=key,
                kind=choice.kind.value,
                result=result,
                snapshot=choice.final_snapshot_id if deleted else None,
                snapshot_verified=deleted
                and (history.snapshot_verified is not None or bool(verified and verified.get(key))),
                snapshot_skipped=choice.skip_final_snapshot,
            )
        )
    return outcomes


def _prior_result(history: PriorResource, gone_now: bool) -> Result:
    if history.outcome == "deleted":
        return "deleted earlier"
    if history.outcome == "vanished":
        return "gone earlier"
    if gone_now:
        return "deleted earlier" if history.delete_announced is not None else "gone earlier"
    return "left in place"
