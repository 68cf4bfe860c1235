"""The wizard session: the state machine, the facts its guards read, and the work of each step.

Every public method blocks (it calls AWS through the gateway), so a UI calls them from a worker
thread. Each fires the machine's event for the step it completes, so an unsafe order of calls is
refused by a guard, whatever the UI does. Facts worth keeping are emitted as records to listeners
(the audit journal) before the action they describe.
"""

from __future__ import annotations

import getpass
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence

from statemachine.exceptions import TransitionNotAllowed

from slrwizard import __version__
from slrwizard.domain import errors as e
from slrwizard.domain.executor import Executor, ResourceProgress, ResourceState, StepUpdate
from slrwizard.domain.machine import WizardMachine
from slrwizard.domain.models import (
    Caller,
    RegionList,
    RegionScan,
    RegionSource,
    Role,
    RoleDeletionStatus,
    RoleInspection,
    ScanResult,
)
from slrwizard.domain.plan import DeletionPlan, default_plan
from slrwizard.domain.ports import Gateway
from slrwizard.domain.records import (
    ConfirmationRefused,
    PlanConfirmed,
    Record,
    RoleCreated,
    RoleCreationRequested,
    RoleDeletionRecord,
    RoleInspected,
    ScanCompleted,
    SessionEnded,
    SessionStarted,
    StepRecord,
    UnscannedRegionsAccepted,
    utcnow,
)
from slrwizard.domain.usage import RefusalAdvice, classify

RecordListener = Callable[[Record], None]


class Wizard:
    """One walkthrough of the procedure for one account."""

    def __init__(
        self,
        gateway: Gateway,
        *,
        regions: Sequence[str] | None = None,
        read_only: bool = False,
        listeners: Iterable[RecordListener] = (),
        session_id: str | None = None,
        operator: str | None = None,
    ) -> None:
        self.gateway = gateway
        self.read_only = read_only
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self.operator = operator or _operator()
        self.listeners = list(listeners)
        self._requested_regions = list(regions) if regions else None
        self.region_list: RegionList | None = None
        self.caller: Caller | None = None
        self.inspection: RoleInspection | None = None
        self.scan_result: ScanResult | None = None
        self.plan: DeletionPlan | None = None
        self.executor: Executor | None = None
        self.role_status: RoleDeletionStatus | None = None
        self.deleted: list[str] = []
        self._confirmed = False
        self._accepted_unscanned: set[str] = set()
        self._stopping = threading.Event()
        self._lock = threading.RLock()
        self.machine = WizardMachine(self)

    # -- guard facts ------------------------------------------------------------------------------
    @property
    def role_exists(self) -> bool:
        return bool(self.inspection and self.inspection.exists)

    @property
    def scan_clean(self) -> bool:
        """Nothing left that the tool can see, and every region it could not see was accepted
        by the operator as unscanned (see :meth:`accept_unscanned_regions`)."""
        return (
            self.scan_result is not None
            and self.scan_result.resource_count == 0
            and not self.unaccepted_regions
        )

    @property
    def unaccepted_regions(self) -> list[str]:
        """Regions the latest scan could not cover and the operator has not accepted."""
        if self.scan_result is None:
            return []
        return [
            r.region
            for r in self.scan_result.incomplete_regions
            if r.region not in self._accepted_unscanned
        ]

    def accept_unscanned_regions(self) -> list[str]:
        """Record that the operator goes on although some regions could not be scanned.

        The acceptance holds for those regions in later re-scans too; a region that fails
        afterwards needs its own acceptance. Returns the regions accepted now.
        """
        regions = self.unaccepted_regions
        if regions:
            self._accepted_unscanned.update(regions)
            self.emit(
                UnscannedRegionsAccepted(
                    session_id=self.session_id, regions=regions, accepted_by=self.operator
                )
            )
        return regions

    @property
    def has_resources(self) -> bool:
        return self.scan_result is not None and self.scan_result.resource_count > 0

    @property
    def plan_problems(self) -> list[str]:
        if self.plan is None or self.scan_result is None:
            return ["There is no deletion plan yet."]
        problems = self.plan.problems(self.scan_result)
        if self.caller is not None and self.plan.account != self.caller.account:
            problems.append("The plan was made for another account.")
        return problems

    @property
    def plan_valid(self) -> bool:
        return not self.plan_problems

    @property
    def plan_confirmed(self) -> bool:
        return self._confirmed and not self.read_only

    @property
    def role_deletion_failed(self) -> bool:
        return self.role_status is not None and self.role_status.state.value == "FAILED"

    @property
    def role_deletion_succeeded(self) -> bool:
        return self.role_status is not None and self.role_status.state.value == "SUCCEEDED"

    @property
    def state(self) -> str:
        return self.machine.state_id

    # -- plumbing ---------------------------------------------------------------------------------
    def emit(self, record: Record) -> None:
        for listener in self.listeners:
            listener(record)

    def _fire(self, event: str) -> None:
        try:
            self.machine.send(event)
        except TransitionNotAllowed:
            raise e.GuardError(
                f"'{event}' is not allowed while the wizard is {self.state.replace('_', ' ')}.",
                code="TransitionNotAllowed",
            ) from None

    def _require(self, *states: str) -> None:
        if self.state not in states:
            raise e.GuardError(
                f"This needs the wizard to be {' or '.join(states)}, not {self.state}.",
                code="WrongState",
            )

    def _require_writable(self, what: str) -> None:
        if self.read_only:
            raise e.GuardError(f"Read-only mode: the wizard will not {what}.", code="ReadOnly")

    @property
    def account(self) -> str:
        if self.caller is None:
            raise e.GuardError("The wizard has not identified the caller yet.")
        return self.caller.account

    # -- step 0/1: who, and the role --------------------------------------------------------------
    def start(self, resumed_from: str | None = None) -> Caller:
        """Identify the caller (sts:GetCallerIdentity) and open the journal's session."""
        self.caller = self.gateway.caller()
        self.emit(
            SessionStarted(
                session_id=self.session_id,
                caller=self.caller,
                operator=self.operator,
                tool_version=__version__,
                read_only=self.read_only,
                resumed_from=resumed_from,
            )
        )
        return self.caller

    def inspect(self) -> RoleInspection:
        self._require("inspecting")
        self.inspection = self.gateway.inspect_role()
        self.emit(RoleInspected(session_id=self.session_id, inspection=self.inspection))
        return self.inspection

    def recreate_role(self) -> Role:
        """CreateServiceLinkedRole: the seed's way back when the role is needed again."""
        self._require("inspecting")
        self._require_writable("create the role")
        self.emit(RoleCreationRequested(session_id=self.session_id))
        role = self.gateway.create_role()
        self.emit(RoleCreated(session_id=self.session_id, arn=role.arn))
        self.inspection = RoleInspection(exists=True, role=role)
        return role

    def finish_without_role(self) -> None:
        self._fire("finish_without_role")
        self.end("the role does not exist")

    # -- step 2: scan -----------------------------------------------------------------------------
    def regions(self) -> RegionList:
        if self.region_list is None:
            if self._requested_regions:
                self.region_list = RegionList(
                    regions=self._requested_regions, source=RegionSource.USER
                )
            else:
                self.region_list = self.gateway.list_regions()
        return self.region_list

    def scan(
        self,
        on_region: Callable[[RegionScan], None] | None = None,
        regions: Sequence[str] | None = None,
    ) -> ScanResult:
        """Scan (all enabled regions, or just ``regions`` on the way back from a failure)."""
        self.regions()  # may call AWS: learn the regions before leaving the current state
        self._fire("scan")
        self.plan, self._confirmed, self.executor = None, False, None
        self.scan_result = self._scan(on_region, regions, "scan")
        self._fire("scanned")
        return self.scan_result

    def _scan(
        self,
        on_region: Callable[[RegionScan], None] | None,
        regions: Sequence[str] | None,
        purpose: str,
    ) -> ScanResult:
        region_list = self.regions()
        targets = list(regions) if regions else region_list.regions
        started = utcnow()
        scans = self.gateway.scan_regions(targets, on_region)
        result = ScanResult(
            regions=sorted(scans, key=lambda r: r.region),
            region_source=RegionSource.USER if regions else region_list.source,
            region_note=region_list.note,
            started=started,
            finished=utcnow(),
        )
        self.emit(
            ScanCompleted(
                session_id=self.session_id,
                scan=result,
                purpose="rescan" if purpose == "rescan" else "scan",
            )
        )
        return result

    def skip_to_role(self) -> None:
        """Nothing was found: go straight to the role (step 4)."""
        self._fire("nothing_to_delete")

    # -- step 3: plan, confirm, delete ------------------------------------------------------------
    def default_plan(self) -> DeletionPlan:
        if self.scan_result is None:
            raise e.GuardError("Scan first.")
        return default_plan(self.account, self.scan_result)

    def set_plan(self, plan: DeletionPlan) -> list[str]:
        """Adopt the operator's plan; any change withdraws an earlier confirmation."""
        self._require("reviewing", "confirming")
        self.plan, self._confirmed = plan, False
        return self.plan_problems

    def review(self) -> None:
        """Move to the confirmation with the current plan (refused while it has problems)."""
        if self.plan_problems:
            raise e.InvalidInputError(
                "The plan cannot be confirmed yet: " + " ".join(self.plan_problems),
                code="PlanInvalid",
            )
        self._fire("review")

    def back(self) -> None:
        self._confirmed = False
        self._fire("back")

    def confirm(self, typed: str) -> None:
        """Confirm the plan by typing the account ID. A mismatch changes nothing."""
        self._require("confirming")
        self._require_writable("delete anything")
        if self.plan_problems:  # set_plan() in this step may have changed it: never journal
            raise e.InvalidInputError(  # a confirmation of a plan the guard will refuse
                "The plan cannot be confirmed: " + " ".join(self.plan_problems),
                hint="Go back and fix the plan; nothing was deleted.",
                code="PlanInvalid",
            )
        if typed.strip() != self.account:
            self.emit(ConfirmationRefused(session_id=self.session_id, what="account id mismatch"))
            raise e.ConfirmationMismatchError(
                "The confirmation does not match the account ID; nothing was deleted.",
                hint="Type the account ID shown at the top right, digits only, or go back.",
                code="ConfirmationMismatch",
            )
        self._confirmed = True
        assert self.plan is not None
        if self.scan_result is not None:  # who each database is, not only what it is called
            self.plan = self.plan.identified(self.scan_result)
        self.emit(
            PlanConfirmed(session_id=self.session_id, plan=self.plan, confirmed_by=self.operator)
        )
        self._fire("confirm")

    def delete_resources(self, listener: Callable[[StepUpdate], None] | None = None) -> bool:
        """Run the confirmed plan. True when every resource is gone; False if some failed."""
        self._require("deleting_clusters")
        assert self.plan is not None and self.scan_result is not None
        with self._lock:
            if self.executor is None:
                self.executor = Executor(
                    self.gateway, self.plan, self.scan_result, self._step_listener(listener)
                )
        self.executor.run()
        return self._all_finished()

    def retry(self, key: str) -> bool:
        self._require("deleting_clusters")
        if self._stopping.is_set():  # aborted: a retry started a moment before must not run
            raise e.GuardError("The wizard is stopping; nothing is retried.", code="Stopping")
        assert self.executor is not None
        self.executor.retry(key)
        return self._all_finished()

    def skip(self, key: str) -> None:
        self._require("deleting_clusters")
        assert self.executor is not None
        self.executor.skip(key)

    def stop(self) -> None:
        """Pause the deletions after their current step; :meth:`retry` carries on."""
        if self.executor is not None:
            self.executor.stop()

    def _all_finished(self) -> bool:
        assert self.executor is not None
        return all(p.finished for p in self.executor.progress.values())

    @property
    def progress(self) -> dict[str, ResourceProgress]:
        return self.executor.progress if self.executor else {}

    def _step_listener(
        self, ui: Callable[[StepUpdate], None] | None
    ) -> Callable[[StepUpdate], None]:
        assert self.executor is None

        def listener(update: StepUpdate) -> None:
            progress = self.executor.progress[update.resource] if self.executor else None
            if progress is not None:
                step = progress.steps.steps[min(update.index, len(progress.steps.steps) - 1)]
                self.emit(
                    StepRecord(
                        session_id=self.session_id,
                        resource=update.resource,
                        index=update.index,
                        total=update.total,
                        step=step,
                        status=update.status,
                        note=update.note,
                        request_id=update.request_id,
                        error=update.error.explanation if update.error else None,
                        error_code=update.error.code if update.error else None,
                    )
                )
                if (
                    update.status.value == "done"
                    and step.kind.value.startswith("wait-")
                    and (step.kind.value.endswith("deleted"))
                ):
                    self.deleted.append(update.resource)
            if ui is not None:
                ui(update)

        return listener

    def finish_deletions(self) -> None:
        """Leave step 3 (every resource is gone, or the operator chose to leave some)."""
        self._require("deleting_clusters")
        if self.executor is not None and any(
            p.state is ResourceState.RUNNING for p in self.executor.progress.values()
        ):
            raise e.GuardError("Deletions are still running.")
        self._fire("clusters_deleted")

    # -- step 4: prove nothing is left, delete the role -------------------------------------------
    def rescan(self, on_region: Callable[[RegionScan], None] | None = None) -> ScanResult:
        """Scan every region again; go on to the role only if nothing is left."""
        self._require("rescanning")
        self.scan_result = self._scan(on_region, None, "rescan")
        self._fire("rescanned")
        if self.state == "reviewing":  # something is left: the next round needs a new plan,
            self._confirmed, self.executor = False, None  # a new confirmation, a new executor
        return self.scan_result

    def delete_role(
        self,
        on_status: Callable[[RoleDeletionStatus], None] | None = None,
        task_id: str | None = None,
    ) -> RoleDeletionStatus:
        """DeleteServiceLinkedRole, then poll until AWS says SUCCEEDED or FAILED.

        With ``task_id`` (a resumed session), the existing task is polled, not restarted.
        """
        self._require("deleting_role")
        self._require_writable("delete the role")
        if not self.scan_clean:  # the machine guarantees it; say it twice for the role
            raise e.GuardError("The latest scan still shows resources; the role stays.")
        if task_id is None:
            self.emit(RoleDeletionRecord(session_id=self.session_id, phase="requested"))
            try:
                task_id = self.gateway.delete_role()
            except e.WizardError as exc:
                self.emit(
                    RoleDeletionRecord(
                        session_id=self.session_id,
                        phase="refused",
                        error=exc.explanation,
                        error_code=exc.code,
                    )
                )
                raise
            self.emit(
                RoleDeletionRecord(session_id=self.session_id, phase="requested", task_id=task_id)
            )
        while True:
            status = self.gateway.role_deletion_status(task_id)
            if on_status is not None:
                on_status(status)
            if status.finished:
                break
            if self._stopping.wait(self.gateway.poll_seconds):
                # The task goes on in AWS; the journal has its id, so a resume polls it.
                raise e.GuardError("Stopped while polling the role's deletion.", code="Stopping")
        self.role_status = status
        self.emit(
            RoleDeletionRecord(
                session_id=self.session_id, phase="status", status=status, task_id=task_id
            )
        )
        if status.state.value == "SUCCEEDED":
            self._fire("role_deleted")
            self.end("the role was deleted")
        return status

    def refusal_advice(self) -> RefusalAdvice | None:
        """After a FAILED role deletion: what still uses the role, and what can be done."""
        if self.role_status is None or self.role_status.state.value != "FAILED":
            return None
        listed = self.region_list
        enabled = (
            set(listed.regions)
            if listed is not None and listed.source in (RegionSource.EC2, RegionSource.ACCOUNT)
            else None
        )
        return classify(self.role_status, enabled)

    def back_to_scan(self, on_region: Callable[[RegionScan], None] | None = None) -> ScanResult:
        """After a FAILED role deletion: scan exactly the regions where AWS named clusters or
        instances (a scan cannot find the other kinds, and a disabled region cannot be read)."""
        advice = self.refusal_advice()
        regions = advice.regions_to_scan if advice is not None else []
        if advice is not None and not regions:
            raise e.GuardError(
                "A scan cannot help: AWS named no DB cluster or instance in an enabled region.",
                hint="Remove what AWS named, or wait for the role's session to end and try again.",
                code="NothingToScan",
            )
        return self.scan(on_region, regions or None)

    def abort(self, reason: str) -> None:
        if self.state not in ("done", "aborted"):
            self._stopping.set()  # for good: no retry, no more polling of the role's task
            self.stop()
            self._fire("abort")
            self.end(reason)

    def end(self, reason: str) -> None:
        self.emit(SessionEnded(session_id=self.session_id, state=self.state, reason=reason))


def _operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name (containers): the journal still has the caller ARN
        return "unknown"
