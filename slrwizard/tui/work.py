"""Every call into the Wizard, each in a thread worker owned by the app.

The Wizard blocks on AWS, so no screen ever calls it directly: a screen asks the app (through
:class:`~slrwizard.tui.actions.WizardActions`, which lists these methods), the app starts a
thread worker here, and the worker reports back with a message from
:mod:`slrwizard.tui.messages`, either to the screen that asked (``target``) or, for work that must
outlive any screen (deletions, the role deletion), to the app itself, which hands it to whichever
screen is showing that work. Because every worker belongs to the app, leaving a screen never
cancels or orphans a deletion, and because every worker is started with ``exit_on_error=False``,
their failures all arrive at one handler (``WizardApp.on_worker_state_changed``).

The app imports this module before its first frame, which needs none of what the workers use:
only ``domain.errors`` (plain exceptions) is imported at module level. The rest of the domain
(pydantic, the state machine) loads in the session's worker (``connect``), before any other
worker runs, and each worker imports the messages it posts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.message_pump import MessagePump

from slrwizard.collector import CYCLIC_GC
from slrwizard.domain import errors as e

if TYPE_CHECKING:
    from datetime import datetime

    from slrwizard.bootstrap import Wiring
    from slrwizard.domain.executor import StepUpdate
    from slrwizard.domain.models import RegionScan, RoleDeletionStatus
    from slrwizard.domain.plan import DeletionPlan
    from slrwizard.domain.resume import GlobalDatabaseOutcome, PriorSession
    from slrwizard.domain.wizard import Wizard
    from slrwizard.tui.clock import Clock

Connect = Callable[[], "tuple[Wizard, Wiring]"]

READING = "aws-read"
"""Worker group of calls that only read AWS (or only move the wizard's state)."""
CHANGING = "aws-change"
"""Worker group of calls that change AWS: quitting while one runs asks first."""


class WizardWork(App[int]):
    """The app's half that talks to the Wizard; :class:`~slrwizard.tui.app.WizardApp` adds
    the screens, keys and error handling."""

    def __init__(self, connect: Connect, clock: Clock) -> None:
        super().__init__()
        self._connect = connect
        self.clock = clock
        """The source of "now" for display; tests and screenshots pass a frozen one."""
        self.last_scan_at: datetime | None = None
        """When the latest scan finished, by :attr:`clock`: stamped by the scan's worker before
        its ``ScanFinished`` leaves, so the screen showing it already reads the new time."""
        self.wizard: Wizard | None = None
        self.wiring: Wiring | None = None
        self.prior: PriorSession | None = None
        self.prior_verified: dict[str, bool] | None = None
        self.prior_globals: list[GlobalDatabaseOutcome] = []
        """Resume only: the global databases the interrupted session emptied, and their end."""
        """Final snapshots of the interrupted session, checked once (resume only)."""
        self._prior_task_used = False

    def finish(self, code: int) -> None:
        """Exit with ``code`` as both the run's result and the process return code."""
        self.exit(code, return_code=code)

    @property
    def session(self) -> Wizard:
        """The connected wizard (workers only run once it exists)."""
        if self.wizard is None:
            raise e.GuardError("The wizard is still connecting to AWS.", code="NotConnected")
        return self.wizard

    # -- session ----------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group=READING, name="connect")
    def connect_session(self) -> None:
        """Build the gateway and identify the caller (moto start-up in demo mode: seconds)."""
        from slrwizard.tui.messages import Connected

        wizard, wiring = self._connect()
        self.post_message(Connected(wizard, wiring))

    # -- step 1 -----------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group=READING, name="inspect")
    def inspect_role(self, target: MessagePump) -> None:
        """GetRole, its policies and Access Advisor."""
        from slrwizard.tui.messages import RoleInspected

        target.post_message(RoleInspected(self.session.inspect()))

    @work(thread=True, exit_on_error=False, group=CHANGING, name="recreate")
    def recreate_role(self, target: MessagePump) -> None:
        """CreateServiceLinkedRole (its AccessDenied carries the seed's policy in the hint)."""
        from slrwizard.tui.messages import RoleRecreated

        target.post_message(RoleRecreated(self.session.recreate_role()))

    @work(thread=True, exit_on_error=False, group=READING, name="finish-without-role")
    def finish_without_role(self, target: MessagePump) -> None:
        """The role does not exist: the walkthrough is complete."""
        from slrwizard.tui.messages import WizardFinished

        self.session.finish_without_role()
        target.post_message(WizardFinished())

    # -- step 2 -----------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group=READING, name="scan")
    def scan_regions(self, target: MessagePump, *, back: bool = False) -> None:
        """Scan every enabled region; with ``back``, only those AWS said use the role."""
        from slrwizard.tui.messages import RegionScanned, RegionsListed, ScanFinished

        wizard = self.session
        named = wizard.role_status.usage_regions if back and wizard.role_status else []
        note: str | None
        if named:
            note = "Only the regions AWS named when it refused to delete the role."
            regions = named
        else:
            region_list = wizard.regions()
            regions, note = region_list.regions, region_list.note
        target.post_message(RegionsListed(list(regions), note))

        def heard(scan: RegionScan) -> None:
            target.post_message(RegionScanned(scan))

        with CYCLIC_GC.held_here():
            result = wizard.back_to_scan(heard) if back else wizard.scan(heard)
        self.last_scan_at = self.clock.now()
        target.post_message(ScanFinished(result, wizard.state))

    @work(thread=True, exit_on_error=False, group=READING, name="accept-unscanned")
    def accept_unscanned(self, target: MessagePump, *, then_to_role: bool = False) -> None:
        """Record that the operator goes on without the regions the scan could not cover."""
        from slrwizard.tui.messages import MovedOn

        self.session.accept_unscanned_regions()
        if then_to_role:
            self.session.skip_to_role()
        target.post_message(MovedOn("accepted"))

    @work(thread=True, exit_on_error=False, group=READING, name="skip-to-role")
    def skip_to_role(self, target: MessagePump) -> None:
        """Nothing was found: straight to step 4."""
        from slrwizard.tui.messages import MovedOn

        self.session.skip_to_role()
        self._verify_prior_snapshots()
        target.post_message(MovedOn("skip-to-role"))

    # -- step 3 -----------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group=READING, name="review")
    def review_plan(self, target: MessagePump, plan: DeletionPlan) -> None:
        """Adopt the plan and move to the confirmation (refused while it has problems)."""
        from slrwizard.tui.messages import MovedOn

        self.session.set_plan(plan)
        self.session.review()
        target.post_message(MovedOn("review"))

    @work(thread=True, exit_on_error=False, group=READING, name="back")
    def back_to_plan(self, target: MessagePump) -> None:
        """Leave the confirmation; the plan can be changed again."""
        from slrwizard.tui.messages import MovedOn

        if self.session.state == "confirming":
            self.session.back()
        target.post_message(MovedOn("back"))

    @work(thread=True, exit_on_error=False, group=READING, name="confirm")
    def confirm_plan(self, target: MessagePump, typed: str) -> None:
        """Check the typed account ID; a mismatch raises and nothing changes."""
        from slrwizard.tui.messages import MovedOn

        self.session.confirm(typed)
        target.post_message(MovedOn("confirmed"))

    @work(thread=True, exit_on_error=False, group=CHANGING, name="delete-resources")
    def delete_resources(self) -> None:
        """Run the confirmed plan; every StepUpdate comes back to the app."""
        from slrwizard.tui.messages import DeletionsSettled

        all_finished = self.session.delete_resources(self._heard_step)
        self._verify_prior_snapshots()
        self.post_message(DeletionsSettled(all_finished))

    def _verify_prior_snapshots(self) -> None:
        """Resume only: check the snapshots of resources the interrupted session deleted."""
        if self.prior is not None and self.prior_verified is None:
            from slrwizard.domain.resume import verify_prior_snapshots

            self.prior_verified = verify_prior_snapshots(self.session, self.prior)
            self._delete_prior_global_databases()

    def _delete_prior_global_databases(self) -> None:
        """Resume only: the global databases the interrupted session emptied but left."""
        from slrwizard.domain.resume import delete_emptied_global_databases

        assert self.prior is not None
        self.prior_globals = delete_emptied_global_databases(self.session, self.prior)

    def _heard_step(self, update: StepUpdate) -> None:
        from slrwizard.tui.messages import StepUpdated

        self.post_message(StepUpdated(update))

    @work(thread=True, exit_on_error=False, group=CHANGING, name="retry")
    def retry_resource(self, key: str) -> None:
        """Run one failed resource again from the step that failed."""
        from slrwizard.tui.messages import DeletionsSettled

        self.post_message(DeletionsSettled(self.session.retry(key)))

    @work(thread=True, exit_on_error=False, group=READING, name="skip")
    def skip_resource(self, key: str) -> None:
        """Leave one failed resource as it is (it keeps the role in use)."""
        from slrwizard.tui.messages import DeletionsSettled

        self.session.skip(key)
        self.post_message(DeletionsSettled(False))

    @work(thread=True, exit_on_error=False, group=READING, name="finish-deletions")
    def finish_deletions(self, target: MessagePump) -> None:
        """Leave step 3 for the re-scan."""
        from slrwizard.tui.messages import MovedOn

        self.session.finish_deletions()
        target.post_message(MovedOn("deletions-finished"))

    # -- step 4 -----------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group=READING, name="rescan")
    def rescan_regions(self, target: MessagePump) -> None:
        """Scan every region again; the wizard goes on to the role only if it is empty."""
        from slrwizard.tui.messages import RegionScanned, RegionsListed, ScanFinished

        wizard = self.session
        region_list = wizard.regions()
        target.post_message(RegionsListed(list(region_list.regions), region_list.note))

        def heard(scan: RegionScan) -> None:
            target.post_message(RegionScanned(scan))

        with CYCLIC_GC.held_here():
            result = wizard.rescan(heard)
        self.last_scan_at = self.clock.now()
        target.post_message(ScanFinished(result, wizard.state))

    @work(thread=True, exit_on_error=False, group=CHANGING, name="delete-role")
    def delete_role(self) -> None:
        """DeleteServiceLinkedRole, polling until AWS says SUCCEEDED or FAILED."""
        from slrwizard.tui.messages import RoleDeletionFinished, RoleStatusChanged

        polls = 0

        def heard(status: RoleDeletionStatus) -> None:
            nonlocal polls
            polls += 1
            self.post_message(RoleStatusChanged(status, polls))

        # A resumed session polls the task its predecessor started instead of asking again.
        task_id = None
        if self.prior is not None and not self._prior_task_used:
            task_id, self._prior_task_used = self.prior.role_task_id, True
        status = self.session.delete_role(heard, task_id=task_id)
        self.post_message(RoleDeletionFinished(status))

    # -- leaving ----------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="leave", name="stop-and-quit")
    def stop_and_quit(self, reason: str, code: int) -> None:
        """Stop deletions after their current step, record the abort, then exit.

        The executor finishes the AWS call in flight (a half-sent request helps nobody), so we
        wait for every resource to leave the running state before ending the session.
        """
        wizard = self.wizard
        if wizard is not None:
            from slrwizard.domain.executor import ResourceState

            wizard.stop()
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and any(
                p.state is ResourceState.RUNNING for p in wizard.progress.values()
            ):
                time.sleep(0.1)
            wizard.abort(reason)
        self.call_from_thread(self.finish, code)
