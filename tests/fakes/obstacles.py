"""What a test can put in a step's way on the fake: a denial and a hold.

A *denial* is IAM (or an SCP) refusing the call a step makes, worded as the boto3 gateway words
it (``aws/errors.py``), so the executor's and the screens' explanations can be tested without
botocore. A *hold* keeps one step's call in flight until the test releases it: how a test shows,
without timing anything, that another resource is waiting (a gate) or running at the same time.
``tests/contract`` holds both to what the boto3 gateway does on the demo sandbox.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from slrwizard.domain import errors as e
from slrwizard.domain.plan import PlanStep, StepKind

K = StepKind

STEP_ACTIONS: dict[StepKind, str] = {
    K.CHECK_CLUSTER: "rds:DescribeDBClusters",
    K.CHECK_INSTANCE: "rds:DescribeDBInstances",
    K.START_INSTANCE: "rds:StartDBInstance",
    K.SNAPSHOT_INSTANCE: "rds:CreateDBSnapshot",
    K.WAIT_INSTANCE_AVAILABLE: "rds:DescribeDBInstances",
    K.START_CLUSTER: "rds:StartDBCluster",
    K.WAIT_CLUSTER_AVAILABLE: "rds:DescribeDBClusters",
    K.REMOVE_FROM_GLOBAL: "rds:RemoveFromGlobalCluster",
    K.PROMOTE_REPLICA: "rds:PromoteReadReplicaDBCluster",
    K.DEREGISTER_AUTOSCALING: "application-autoscaling:DeregisterScalableTarget",
    K.DELETE_MEMBER: "rds:DeleteDBInstance",
    K.DELETE_NEW_MEMBERS: "rds:DeleteDBInstance",
    K.LIFT_CLUSTER_PROTECTION: "rds:ModifyDBCluster",
    K.DELETE_CLUSTER: "rds:DeleteDBCluster",
    K.WAIT_CLUSTER_DELETED: "rds:DescribeDBClusters",
    K.DELETE_GLOBAL_CLUSTER: "rds:DeleteGlobalCluster",
    K.VERIFY_CLUSTER_SNAPSHOT: "rds:DescribeDBClusterSnapshots",
    K.LIFT_INSTANCE_PROTECTION: "rds:ModifyDBInstance",
    K.DELETE_INSTANCE: "rds:DeleteDBInstance",
    K.WAIT_INSTANCE_DELETED: "rds:DescribeDBInstances",
    K.VERIFY_INSTANCE_SNAPSHOT: "rds:DescribeDBSnapshots",
    K.DELETE_BLUE_GREEN: "rds:DeleteBlueGreenDeployment",
    K.DELETE_INTEGRATION: "rds:DeleteIntegration",
    K.DELETE_PROXY: "rds:DeleteDBProxy",
    K.DELETE_SHARD_GROUP: "rds:DeleteDBShardGroup",
    K.REMOVE_FROM_CLUSTER_GROUP: "rds:RemoveDBClusterFromDBClusterGroup",
}
"""The IAM action whose refusal stops each kind of step (the call that acts, or the wait's
describe): what an operator must add to the policy."""


def access_denied(action: str, region: str, *, scp: bool = False) -> e.AccessDeniedError:
    """The gateway's AccessDeniedError for ``action`` refused in ``region``."""
    why = "a service control policy denies it" if scp else "your IAM policy does not allow it"
    hint = (
        "Ask your organisation's administrators about the SCP."
        if scp
        else f"Add {action} to the caller's policy (`slrwizard policy` prints the full policy)."
    )
    return e.AccessDeniedError(
        f"Access denied: {action} in {region} was refused because {why}.",
        action=action,
        hint=hint,
        code="AccessDenied",
    )


@dataclass(eq=False)
class Obstacle:
    """Matches the steps of ``kind`` (on ``target``, in ``region``, when given)."""

    kind: StepKind
    region: str | None = None
    target: str | None = None

    def matches(self, step: PlanStep) -> bool:
        return (
            step.kind is self.kind
            and self.region in (None, step.region)
            and self.target in (None, step.target)
        )


@dataclass(eq=False)
class Denial(Obstacle):
    """Refuses matching steps until :meth:`FakeAccount.allow` lifts it (or ``times`` run out)."""

    scp: bool = False
    times: int | None = None

    def error(self, step: PlanStep) -> e.AccessDeniedError:
        return access_denied(STEP_ACTIONS[step.kind], step.region, scp=self.scp)


@dataclass(eq=False)
class Hold(Obstacle):
    """Keeps the first matching step in flight, before it changes anything, until released."""

    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def wait_reached(self, timeout: float = 5.0) -> bool:
        """True once a matching step is held (the call was made and has not returned)."""
        return self.reached.wait(timeout)

    def release(self) -> None:
        self.released.set()


@dataclass
class Obstacles:
    """The denials and holds of one account, consulted as each step starts."""

    denials: list[Denial] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deny(self, denial: Denial) -> Denial:
        with self.lock:
            self.denials.append(denial)
        return denial

    def hold(self, hold: Hold) -> Hold:
        with self.lock:
            self.holds.append(hold)
        return hold

    def allow(self, *denials: Denial) -> None:
        with self.lock:
            for denial in denials:
                if denial in self.denials:
                    self.denials.remove(denial)

    def check(self, step: PlanStep, timeout: float) -> None:
        """Raise the latest matching denial; else block in the first unreleased matching hold."""
        with self.lock:
            denial = next((d for d in reversed(self.denials) if d.matches(step)), None)
            if denial is not None and denial.times is not None:
                denial.times -= 1
                if denial.times <= 0:
                    self.denials.remove(denial)
            hold = next((h for h in self.holds if h.matches(step) and not h.reached.is_set()), None)
        if denial is not None:
            raise denial.error(step)
        if hold is not None:
            hold.reached.set()
            if not hold.released.wait(timeout):
                raise e.UnreachableError(
                    f"{step.kind.value} {step.target} was held and never released.",
                    code="HeldTooLong",
                )
