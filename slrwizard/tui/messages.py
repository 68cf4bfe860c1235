"""Messages from worker threads to the screens: small dataclasses carrying domain objects.

Every Wizard call blocks, so it runs in a thread worker owned by the app
(:class:`~slrwizard.tui.app.WizardApp`). A worker never touches a widget: it posts one of these
(``post_message`` is thread-safe) to the screen that asked, or to the app for work that outlives a
screen (deletions, the role deletion). Failures do not travel as messages: they meet the app's
single ``on_worker_state_changed`` handler.

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
    from slrwizard.domain.wizard import Wizard


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
