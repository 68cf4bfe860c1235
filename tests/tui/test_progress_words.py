"""The progress card's last line says what the confirmed plan did with the final snapshot."""

from __future__ import annotations

from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.records import StepStatus
from slrwizard.tui.widgets.progress import gone_line

DELETE = PlanStep(
    kind=StepKind.DELETE_CLUSTER,
    region="eu-west-1",
    target="orders",
    final_snapshot_id="orders-final-20261205-1527",
    description="Delete the cluster, keeping final snapshot orders-final-20261205-1527",
)
VERIFY = PlanStep(
    kind=StepKind.VERIFY_CLUSTER_SNAPSHOT,
    region="eu-west-1",
    target="orders-final-20261205-1527",
    description="Check that the final snapshot is available",
)
SKIPPING = DELETE.model_copy(update={"final_snapshot_id": None})


def test_a_resource_that_keeps_a_snapshot_never_reads_as_one_without() -> None:
    done = [StepStatus.DONE, StepStatus.DONE]
    assert gone_line([DELETE, VERIFY], done) == "Gone. Its final snapshot is verified available."
    resumed = [StepStatus.SKIPPED, StepStatus.SKIPPED]  # a resumed session found it done
    assert "without" not in gone_line([DELETE, VERIFY], resumed)


def test_a_skipped_snapshot_says_it_was_chosen() -> None:
    assert gone_line([SKIPPING], [StepStatus.DONE]) == (
        "Gone, without a final snapshot (as chosen)."
    )
