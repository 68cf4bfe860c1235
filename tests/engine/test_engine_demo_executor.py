"""The executor through the wizard and the boto3 gateway, on moto and on the demo sandbox: only
what the in-memory fake cannot show, that the real gateway's calls run side by side across
regions and that the sandbox's global database leaves in the order AWS requires. The executor's
own logic (gates, vanishing, names taken late, denials, retry, skip, stop) is tested fast on the
fake in ``test_engine_executor.py``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from enginekit import (
    Faults,
    make_cluster,
    make_instance,
    to_confirming,
)

from slrwizard.domain.executor import StepUpdate
from slrwizard.domain.plan import StepKind
from slrwizard.domain.wizard import Wizard

MakeWizard = Callable[..., Wizard]


@dataclass
class Seen:
    at: float
    update: StepUpdate
    kind: StepKind


class Timeline:
    """A step listener that remembers when each update happened."""

    def __init__(self, wz: Wizard) -> None:
        self.wz = wz
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def __call__(self, update: StepUpdate) -> None:
        steps = self.wz.progress[update.resource].steps.steps
        seen = Seen(time.monotonic(), update, steps[min(update.index, len(steps) - 1)].kind)
        with self.lock:
            self.seen.append(seen)

    def first(self, resource: str, kind: StepKind, status: str) -> float:
        return next(
            s.at
            for s in self.seen
            if s.update.resource == resource and s.kind is kind and s.update.status.value == status
        )

    def span(self, resource: str) -> tuple[float, float]:
        times = [s.at for s in self.seen if s.update.resource == resource]
        return min(times), max(times)


def confirmed(wz: Wizard) -> Timeline:
    """Inspect, scan, plan (default, protection lifted), confirm; a timeline for the run."""
    to_confirming(wz)
    wz.confirm(wz.account)
    return Timeline(wz)


# -- concurrency ------------------------------------------------------------------------------
def test_resources_in_different_regions_are_deleted_at_the_same_time(
    make_wizard: MakeWizard, faults: Faults
) -> None:
    make_cluster("eu-west-1", "alpha", protected=True)
    make_cluster("us-east-1", "bravo")
    make_instance("ap-south-1", "charlie")
    latency = 0.3
    for op in ("DeleteDBCluster", "DeleteDBInstance", "ModifyDBCluster"):
        faults.delay(latency, service="rds", operation=op)
    wz = make_wizard(["ap-south-1", "eu-west-1", "us-east-1"])
    timeline = confirmed(wz)
    started = time.monotonic()
    assert wz.delete_resources(timeline)
    elapsed = time.monotonic() - started
    spans = {key: timeline.span(key) for key in wz.progress}
    assert len(spans) == 3
    # Every resource started before any finished: they ran side by side...
    assert max(s for s, _ in spans.values()) < min(f for _, f in spans.values())
    # ...so the whole run took far less than the resources' times added up (each one waited
    # at least `latency` per delayed call; one after another they would add up).
    busy = sum(f - s for s, f in spans.values())
    assert busy >= latency * (3 + 2 + 1)
    assert elapsed < 0.7 * busy, f"{elapsed:.2f}s is not concurrent ({busy:.2f}s of work)"


# -- global databases (the sandbox: moto cannot detach a member outside us-east-1) -------------
PRIMARY, SECONDARY = "us-east-1/payments-core-use1", "eu-west-1/payments-core-euw1"


def test_global_primary_waits_for_its_secondary_to_leave(demo: Any) -> None:
    wz, _, faults = demo
    faults.delay(0.3, operation="RemoveFromGlobalCluster", region="eu-west-1")
    timeline = confirmed(wz)
    assert wz.delete_resources(timeline)
    secondary_left = timeline.first(SECONDARY, StepKind.REMOVE_FROM_GLOBAL, "done")
    primary_leaves = timeline.first(PRIMARY, StepKind.REMOVE_FROM_GLOBAL, "running")
    assert primary_leaves >= secondary_left
    assert any(
        s.update.resource == PRIMARY and s.update.note == f"waiting for {SECONDARY}"
        for s in timeline.seen
    )
    deleted_global = [c for c in faults.calls if c.operation == "DeleteGlobalCluster"]
    assert [c.params["GlobalClusterIdentifier"] for c in deleted_global] == ["payments-global"]
    wz.finish_deletions()
    assert wz.rescan().resource_count == 0  # the demo's denied region keeps the walk in review
