"""The port the domain needs from AWS: one ``Protocol``, implemented by ``slrwizard.aws``.

The wizard core and the TUI depend only on this; the boto3 gateway (live, or pointed at the moto
demo sandbox) is handed in by the CLI. Every method blocks: callers run them off the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from slrwizard.domain.models import (
    Caller,
    RegionList,
    RegionScan,
    Role,
    RoleDeletionStatus,
    RoleInspection,
)
from slrwizard.domain.plan import PlanStep


class StepResult(BaseModel):
    """What carrying out one step did: ``skipped`` when AWS already was where the step leads
    (which is how a resumed plan avoids repeating a deletion)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    skipped: bool = False
    note: str = ""
    request_id: str | None = None


class Gateway(Protocol):
    """Everything the wizard asks of AWS."""

    def caller(self) -> Caller:
        """STS GetCallerIdentity, plus the profile, home region and endpoint in use."""
        ...

    def inspect_role(self) -> RoleInspection:
        """GetRole, attached policies and Access Advisor. Absent is a normal answer."""
        ...

    def list_regions(self) -> RegionList:
        """Enabled regions: EC2, then account:ListRegions, then a static list."""
        ...

    def scan_regions(
        self,
        regions: Sequence[str],
        on_region: Callable[[RegionScan], None] | None = None,
    ) -> list[RegionScan]:
        """Scan every region concurrently; ``on_region`` hears each as it answers."""
        ...

    def run_step(
        self,
        step: PlanStep,
        should_stop: Callable[[], bool] | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> StepResult:
        """Carry out one plan step, idempotently (describe first, act only if still needed).

        Waits poll AWS and give up early, raising GuardError, once ``should_stop()`` is true.
        ``on_status`` hears each new status AWS reports for the step's target meanwhile
        (``modifying``, ``promoting``, ``deleting``...), for the operator to see."""
        ...

    def snapshot_exists(self, region: str, name: str, cluster: bool) -> bool:
        """True when a (cluster) snapshot of that name already exists in ``region``."""
        ...

    def snapshot_status(self, region: str, snapshot_id: str, cluster: bool) -> str | None:
        """The status of that (cluster) snapshot (``available``, ``creating``...), None if there
        is none: how an exported session's final snapshots are checked again, later."""
        ...

    def delete_role(self) -> str:
        """DeleteServiceLinkedRole; returns the deletion task id."""
        ...

    def role_deletion_status(self, task_id: str) -> RoleDeletionStatus:
        """GetServiceLinkedRoleDeletionStatus, with the RoleUsageList on failure."""
        ...

    def create_role(self) -> Role:
        """CreateServiceLinkedRole for rds.amazonaws.com (the seed's way to get it back)."""
        ...

    @property
    def poll_seconds(self) -> float:
        """How long to wait between polls of an unfinished AWS operation."""
        ...
