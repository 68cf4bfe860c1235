"""What the operator chose and what happened, kept by the app across rounds for the summary.

A walkthrough can loop (the role is still in use, back to step 2, delete some more), and each new
scan replaces the wizard's plan. The final summary must still list everything deleted and every
final snapshot kept, so each round's outcome is copied here when it ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from slrwizard.domain.executor import ResourceProgress, ResourceState
from slrwizard.domain.plan import DeletionPlan, StepKind

if TYPE_CHECKING:
    from slrwizard.domain.resume import PriorSession

Result = Literal[
    "deleted", "already gone", "left in place", "failed", "deleted earlier", "gone earlier"
]


@dataclass(frozen=True)
class Draft:
    """One resource's choices on the plan screen, as typed (possibly not yet valid).

    Attributes:
        snapshot: the final snapshot name in the box.
        skip: "skip final snapshot" is ticked.
        lift: "lift deletion protection" is ticked.
    """

    snapshot: str
    skip: bool = False
    lift: bool = False
    deregister: bool = False
    """"Deregister its Aurora Auto Scaling target first" is ticked (clusters that have one)."""


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
    """Each resource of a finished round: deleted or not, and its final snapshot."""
    outcomes: list[ResourceOutcome] = []
    for key, item in progress.items():
        choice = plan.choice(key) if plan is not None else None
        result = _RESULTS[item.state]
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
    return outcomes


def prior_outcomes(
    prior: PriorSession, verified: Mapping[str, bool] | None, exclude: set[str]
) -> list[ResourceOutcome]:
    """What the interrupted session (resumed by this one) had already deleted.

    ``exclude`` holds the resources this session dealt with itself (they are in its rounds).
    """
    outcomes: list[ResourceOutcome] = []
    for key, history in sorted(prior.resources.items()):
        if key in exclude or history.outcome not in ("deleted", "vanished"):
            continue
        deleted = history.outcome == "deleted"
        choice = history.choice
        outcomes.append(
            ResourceOutcome(
                key=key,
                kind=choice.kind.value,
                result="deleted earlier" if deleted else "gone earlier",
                snapshot=choice.final_snapshot_id if deleted else None,
                snapshot_verified=history.snapshot_verified is not None
                or bool(verified and verified.get(key)),
                snapshot_skipped=choice.skip_final_snapshot,
            )
        )
    return outcomes
