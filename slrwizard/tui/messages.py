"""Messages between the workers, the screens and the app: small dataclasses carrying domain objects.

Every Wizard call blocks, so it runs in a thread worker owned by the app
(:class:`~slrwizard.tui.app.WizardApp`). A worker never touches a widget: it posts one of these
(``post_message`` is thread-safe) to the screen that asked, or to the app for work that outlives a
screen (deletions, the role deletion). Failures do not travel as messages: they meet the app's
single ``on_worker_state_changed`` handler.

The last few travel from a screen to the app: a screen reports what the operator asked for or
what happened (the plan is ready for review, the choices changed), and the app, which owns
navigation, decides what follows. A screen posts them to itself; they bubble to the app.

The domain types are named for the type checker only: the app imports this module before its
first frame, and the domain (pydantic, the state machine) loads later, in the session's worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from slrwizard.bootstrap import Wiring
    from slrwizard.domain.executor import StepUpdate
    from slrwizard.domain.models import (
        RegionScan,
        Role,
        RoleDeletionStatus,
        RoleInspection,
        ScanResult,
    )
    from slrwizard.domain.plan import DeletionPlan
    from slrwizard.domain.wizard import Wizard
    from slrwizard.tui.summary import Draft


@dataclass
class Connected(Message):
    """The session is ready: the caller is known (sts:GetCallerIdentity answered)."""

    wizard: Wizard
    wiring: Wiring


@dataclass
class RoleInspected(Message):
    """Step 1's answer: the role, or its absence."""

    inspection: RoleInspection


@dataclass
class RoleRecreated(Message):
    """CreateServiceLinkedRole succeeded."""

    role: Role


@dataclass
class WizardFinished(Message):
    """The walkthrough reached its end without deleting the role (it did not exist)."""


@dataclass
class RegionsListed(Message):
    """The regions a scan is about to cover (so each can show "scanning" at once)."""

    regions: list[str]
    note: str | None


@dataclass
class RegionScanned(Message):
    """One region answered (posted from the scan's thread pool, in answer order)."""

    scan: RegionScan


@dataclass
class ScanFinished(Message):
    """Every region answered; ``state`` is the wizard's state afterwards."""

    result: ScanResult
    state: str


@dataclass
class MovedOn(Message):
    """A state change with nothing to report but its success (``what`` names it)."""

    what: str


@dataclass
class StepUpdated(Message):
    """A deletion step changed status (from the executor's threads)."""

    update: StepUpdate


@dataclass
class DeletionsSettled(Message):
    """A deletion run, retry or skip returned; the screen re-reads the progress."""

    all_finished: bool


@dataclass
class RoleStatusChanged(Message):
    """GetServiceLinkedRoleDeletionStatus answered (once per poll)."""

    status: RoleDeletionStatus
    polls: int


@dataclass
class RoleDeletionFinished(Message):
    """The role deletion task ended: SUCCEEDED or FAILED."""

    status: RoleDeletionStatus


# -- from the screens to the app -------------------------------------------------------------
@dataclass
class BeginRequested(Message):
    """The operator begins step 1 (from the start screen, which stays underneath every step)."""


@dataclass
class ChoicesChanged(Message):
    """The plan screen's choices as they stand; the app keeps them, so stepping back to the scan
    and forward again shows them as they were left."""

    drafts: dict[str, Draft]


@dataclass
class PlanAdopted(Message):
    """The wizard took ``plan`` for confirmation: the app shows it in full (the review)."""

    plan: DeletionPlan


@dataclass
class ExitRequested(Message):
    """The operator leaves from the summary (the walkthrough is complete: exit code 0)."""
