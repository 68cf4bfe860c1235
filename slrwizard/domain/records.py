"""What a walkthrough records as it goes: the audit journal's lines, as pydantic models.

The wizard emits one record per fact (who, which account, each scan, each confirmation, each
mutating AWS call before it is made and its outcome after). Listeners (the journal, the TUI) get
them synchronously, so a journal can make a record durable before the call it announces is made.
Records never hold credentials, and a confirmation records only *that* the typed text matched.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from slrwizard.domain.models import (
    Caller,
    RoleDeletionStatus,
    RoleInspection,
    ScanResult,
)
from slrwizard.domain.plan import DeletionPlan, PlanStep


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class StepStatus(str, Enum):
    PENDING = "pending"
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    session_id: str
    at: datetime = Field(default_factory=utcnow)


class SessionStarted(_Record):
    kind: Literal["session-started"] = "session-started"
    caller: Caller
    operator: str
    tool_version: str
    read_only: bool = False
    resumed_from: str | None = None


class RoleInspected(_Record):
    kind: Literal["role-inspected"] = "role-inspected"
    inspection: RoleInspection


class ScanCompleted(_Record):
    kind: Literal["scan-completed"] = "scan-completed"
    purpose: Literal["scan", "rescan"] = "scan"
    scan: ScanResult


class PlanConfirmed(_Record):
    kind: Literal["plan-confirmed"] = "plan-confirmed"
    plan: DeletionPlan
    confirmed_by: str
    typed_matched: bool = True


class ConfirmationRefused(_Record):
    kind: Literal["confirmation-refused"] = "confirmation-refused"
    what: str


class StepRecord(_Record):
    """A step's progress. ``status=running`` for a mutating step is written before the call."""

    kind: Literal["step"] = "step"
    resource: str
    index: int
    total: int
    step: PlanStep
    status: StepStatus
    note: str = ""
    request_id: str | None = None
    error: str | None = None
    error_code: str | None = None


class RoleDeletionRecord(_Record):
    """``requested`` is written before DeleteServiceLinkedRole (again with the task id after it);
    ``refused`` when AWS refused the request (the journal must show that outcome too)."""

    kind: Literal["role-deletion"] = "role-deletion"
    phase: Literal["requested", "status", "refused"]
    status: RoleDeletionStatus | None = None
    task_id: str | None = None
    error: str | None = None
    error_code: str | None = None


class RoleCreationRequested(_Record):
    """Written before CreateServiceLinkedRole, so a crash cannot hide the call."""

    kind: Literal["role-creation-requested"] = "role-creation-requested"


class RoleCreated(_Record):
    kind: Literal["role-created"] = "role-created"
    arn: str


class UnscannedRegionsAccepted(_Record):
    """The operator accepted that these regions could not be scanned (disabled, denied, failed):
    resources there cannot be seen, and AWS's own check at role deletion is the only guard."""

    kind: Literal["unscanned-accepted"] = "unscanned-accepted"
    regions: list[str]
    accepted_by: str


class SessionEnded(_Record):
    kind: Literal["session-ended"] = "session-ended"
    state: str
    reason: str


Record = Annotated[
    SessionStarted
    | RoleInspected
    | ScanCompleted
    | PlanConfirmed
    | ConfirmationRefused
    | StepRecord
    | RoleDeletionRecord
    | RoleCreationRequested
    | RoleCreated
    | UnscannedRegionsAccepted
    | SessionEnded,
    Field(discriminator="kind"),
]
