"""Step 4: prove nothing is left, confirm again, delete the role, and explain a refusal.

The re-scan covers every region; only an empty answer lets the role go (the wizard's guard says
so too). Confirmation is typing the account ID again, the same gesture as step 3, because the
account is what must not be mistaken. The role deletion runs in an app-owned worker. If AWS
refuses because something still uses the role, its RoleUsageList is shown by region, with one key
back to step 2 for exactly those regions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, ProgressBar, Static

from slrwizard.domain.errors import ConfirmationMismatchError
from slrwizard.domain.models import ROLE_NAME, RoleDeletionState, RoleDeletionStatus
from slrwizard.domain.usage import WAIT_BEFORE_RETRY
from slrwizard.tui.messages import MovedOn, RegionScanned, RegionsListed, ScanFinished
from slrwizard.tui.presenter import group_account
from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.screens.role_text import Phase, RoleFacts, given_regions, role_texts
from slrwizard.tui.steps import ROLE
from slrwizard.tui.text import plural
from slrwizard.tui.widgets.regions import RegionGrid, describe

if TYPE_CHECKING:
    from textual.timer import Timer

    from slrwizard.tui.actions import WizardActions


@dataclass(frozen=True)
class RoleOutcome:
    """Where to go after step 4: the summary, a scan of the regions AWS named, or the clusters."""

    next: Literal["done", "back-to-scan", "back-to-clusters"]


class RoleScreen(WizardScreen[RoleOutcome]):
    """Step 4.

    Args:
        rescan: scan every region first (after deletions); False when step 2 found nothing.
        preview: read-only walkthrough: describe the step, run nothing.
    """

    STEP = ROLE
    SCENE = "role"
    HELP = (
        "The re-scan must find no database in any region it can read (you accept any it "
        "cannot). Then d asks for the account ID and AWS "
        "deletes the role in the background (the wizard polls its status). If AWS says the "
        "role is still in use, it lists where: b goes back to step 2 for exactly those regions."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "delete", "Delete role…"),
        Binding("b", "back", "Back to step 2"),
        Binding("r", "rescan", "Re-scan"),
        Binding("a", "accept", "Accept unscanned regions…"),
        Binding("t", "try_again", "Try again"),
    ]

    def __init__(self, actions: WizardActions, *, rescan: bool, preview: bool = False) -> None:
        super().__init__(actions)
        self.rescan = rescan
        self.phase: Phase = "preview" if preview else ("rescanning" if rescan else "ready")
        self.status: RoleDeletionStatus | None = None
        self.polls = 0
        self._focused_for: Phase | None = None
        self.retry_in: int | None = None
        self._countdown: Timer | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static(id="role-intro", markup=False)
            yield RegionGrid(id="regions")
            yield Static(id="detail", markup=False)
            with Vertical(id="role-result", classes="panel"):
                yield Static(id="role-result-text")
                yield DataTable(id="usage", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="role-progress"):
                yield ProgressBar(id="role-bar", total=None, show_eta=False, show_percentage=False)
                yield Static(id="role-status", markup=False)
        with Horizontal(classes="actions"):
            yield Static(id="role-note", markup=False)
            yield Button("Back to step 2", id="back")
            yield Button("Try again", id="retry")
            yield Button(f"Delete {ROLE_NAME}…", id="delete", variant="error")
            if self.actions.read_only:  # the app ends the walkthrough (exit 0)
                yield Button("Finish (read-only)", id="finish-read-only", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#usage", DataTable).add_columns("Region", "Resource still using the role")
        if self.phase == "rescanning":
            self.actions.rescan_regions(self)
        self.refresh_view()

    # -- the re-scan ------------------------------------------------------------------------
    def on_regions_listed(self, message: RegionsListed) -> None:
        self.query_one(RegionGrid).reset(message.regions)

    def on_region_scanned(self, message: RegionScanned) -> None:
        self.query_one(RegionGrid).record(message.scan)
        self.refresh_view()

    def on_scan_finished(self, message: ScanFinished) -> None:
        if message.state == "deleting_role":
            self.phase = "ready"
        elif message.result.resource_count == 0 and self.wizard.unaccepted_regions:
            self.phase = "unscanned"  # nothing seen, but a region newly went unscanned
        else:
            self.phase = "leftovers"
        self.refresh_view()

    def on_moved_on(self, message: MovedOn) -> None:
        if message.what == "accepted":
            self.phase = "ready"
            self.refresh_view()

    @on(DataTable.CellHighlighted, "#regions")
    def _region_detail(self) -> None:
        grid = self.query_one(RegionGrid)
        region = grid.highlighted_region
        if region is not None and grid.has_focus:
            text = self.mask(describe(region, grid.scans.get(region)))
            self.query_one("#detail", Static).update(text)

    # -- the role deletion ------------------------------------------------------------------
    def role_status(self, status: RoleDeletionStatus, polls: int) -> None:
        """AWS answered a status poll (called by the app)."""
        self.status, self.polls = status, polls
        self.refresh_view()

    def role_finished(self, status: RoleDeletionStatus) -> None:
        """The deletion task ended (called by the app)."""
        self.status = status
        if status.state is RoleDeletionState.SUCCEEDED:
            self.phase = "done"
            self.notify(f"{ROLE_NAME} was deleted.", timeout=6)
            self.dismiss(RoleOutcome("done"))
            return
        self.phase = "failed"
        self.refresh_view()

    def work_failed(self, name: str, error: BaseException | None) -> None:
        if name == "rescan":
            self.phase = "rescan-failed"
        elif name == "delete-role":
            self.phase = "ready"
        self.refresh_view()

    # -- rendering --------------------------------------------------------------------------
    def refresh_view(self) -> None:
        phase = self.phase
        scan = self.wizard.scan_result
        grid = self.query_one(RegionGrid)
        grid.display = phase in ("rescanning", "unscanned", "leftovers", "ready") and bool(
            grid.regions
        )
        self.query_one("#detail").display = grid.display
        self.query_one("#role-progress").display = phase == "deleting"
        self.query_one("#usage").display = phase == "failed"
        advice = self.wizard.refusal_advice() if phase == "failed" else None
        scan_helps = advice is None or advice.can_scan_again
        self.query_one("#back").display = phase in ("unscanned", "leftovers", "preview") or (
            phase == "failed" and scan_helps
        )
        self.query_one("#retry").display = phase == "failed" and not scan_helps
        delete = self.query_one("#delete", Button)
        delete.display = phase == "ready" and not self.actions.read_only
        delete.disabled = self.actions.read_only or phase != "ready"
        grid_now = self.query_one(RegionGrid)
        texts = role_texts(
            RoleFacts(
                phase=phase,
                scan=scan,
                status=self.status,
                account=self.mask(group_account(self.wizard.account)),
                read_only=self.actions.read_only,
                answered=grid_now.answered,
                total=len(grid_now.regions),
                unaccepted=self.wizard.unaccepted_regions,
                scanned_at=self.actions.last_scan_at,
                mask=self.mask,
                given=given_regions(self.wizard.region_list),
                advice=advice,
                retry_in=self.retry_in,
            )
        )
        self.query_one("#role-intro", Static).update(texts.intro)
        self.query_one("#role-result-text", Static).update(texts.result)
        self.query_one("#role-note", Static).update(texts.note)
        if texts.narration:
            self.narrate(texts.narration)
        if phase == "deleting":
            state = self.status.state.value if self.status else "requested"
            self.query_one("#role-status", Static).update(
                f"AWS is deleting the role: {state} (status checked {plural(self.polls, 'time')})."
            )
        if phase == "failed":
            self._fill_usage()
        if phase != self._focused_for:
            self._focused_for = phase
            failed_target = "#back" if scan_helps else "#retry"
            target = {"ready": "#delete", "failed": failed_target, "leftovers": "#back"}.get(phase)
            target = "#back" if phase == "unscanned" else target
            if target and not (phase == "ready" and self.actions.read_only):
                self.query_one(target).focus()
        self.refresh_bindings()

    def _fill_usage(self) -> None:
        table = self.query_one("#usage", DataTable)
        table.clear()
        for usage in self.status.usage if self.status else []:
            resources = usage.resources or ["(AWS did not list the resources)"]
            for index, arn in enumerate(resources):
                table.add_row(usage.region if index == 0 else "", self.mask(arn))

    # -- actions ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            # Hidden, not greyed, in read-only: it shows only what it does.
            return self.phase == "ready" and not self.actions.read_only
        if action == "back":
            if self.phase == "failed":
                return self._scan_helps()
            return self.phase in ("unscanned", "leftovers", "preview")
        if action == "try_again":
            return self.phase == "failed" and not self._scan_helps() and self.retry_in is None
        if action == "accept":
            return self.phase == "unscanned"
        if action == "rescan":
            return self.phase == "rescan-failed"
        return True

    def _scan_helps(self) -> bool:
        advice = self.wizard.refusal_advice()
        return advice is None or advice.can_scan_again

    @on(Button.Pressed, "#retry")
    def action_try_again(self) -> None:
        """Ask AWS again (the deletion the operator confirmed): at once when they removed what
        AWS named, after a countdown when AWS named nothing (a session of the role is active)."""
        advice = self.wizard.refusal_advice()
        if self.phase != "failed" or advice is None or advice.can_scan_again:
            return
        if advice.likely_active_session and self.retry_in is None:
            self.retry_in = WAIT_BEFORE_RETRY
            self._countdown = self.set_interval(1, self._tick)
            self.refresh_view()
            return
        self._retry()

    def _tick(self) -> None:
        if self.retry_in is None:
            return
        self.retry_in -= 1
        if self.retry_in <= 0:
            self._retry()
        else:
            self.refresh_view()

    def _retry(self) -> None:
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self.retry_in = None
        self.phase = "deleting"
        self.status, self.polls = None, 0
        self.refresh_view()
        self.actions.delete_role()

    def action_rescan(self) -> None:
        """Scan every region again after a failed re-scan."""
        if self.phase == "rescan-failed":
            self.phase = "rescanning"
            self.refresh_view()
            self.actions.rescan_regions(self)

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        """Ask for the account ID, then delete the role."""
        from slrwizard.tui.screens.dialogs import TypedConfirmDialog

        if self.phase != "ready" or self.actions.read_only:
            return
        dialog = TypedConfirmDialog(
            f"Delete {ROLE_NAME}?",
            "AWS will delete the service-linked role in the background. RDS recreates it the "
            "next time a database is created in this account.",
            account_hint=self.mask(group_account(self.wizard.account)),
            secret=self.actions.presenter,
            action="Delete the role",
        )
        self.app.push_screen(dialog, self._typed)

    def _typed(self, typed: str | None) -> None:
        if typed is None:
            self.notify("Cancelled: the role was not deleted.", timeout=4)
            return
        if typed != self.wizard.account:
            self.actions.show_error(
                ConfirmationMismatchError(
                    "What you typed is not this account's ID, so the role was not deleted.",
                    hint="Press d and type the 12-digit account ID shown at the top right.",
                    code="ConfirmationMismatch",
                )
            )
            return
        self.phase = "deleting"
        self.status, self.polls = None, 0
        self.refresh_view()
        self.actions.delete_role()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to step 2: for the regions AWS named, or the clusters the re-scan found."""
        if self.phase == "failed" and self._scan_helps():
            self.dismiss(RoleOutcome("back-to-scan"))
        elif self.phase in ("unscanned", "leftovers", "preview"):
            self.dismiss(RoleOutcome("back-to-clusters"))

    def action_accept(self) -> None:
        """Go on without the regions the re-scan could not cover (asks first)."""
        from slrwizard.tui.screens.dialogs import ConfirmDialog

        if self.phase != "unscanned":
            return
        names = ", ".join(self.wizard.unaccepted_regions)
        dialog = ConfirmDialog(
            "Go on without these regions?",
            f"The re-scan could not cover {names}. The wizard cannot see resources there; "
            "AWS will refuse to delete the role if any exist. The journal records that you "
            "went on without them.",
            yes="Go on without them",
            no="Stay here",
        )
        self.app.push_screen(dialog, self._accepted)

    def _accepted(self, yes: bool | None) -> None:
        if yes:
            self.actions.accept_unscanned(self, then_to_role=True)
