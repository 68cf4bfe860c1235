"""Step 1: the role as IAM describes it, or its absence, and why it matters.

Only reads (GetRole, ListAttachedRolePolicies, Access Advisor). When the role is absent the
walkthrough can end here, or the role can be recreated the way the seed describes; IAM's refusal
of that carries the seed's policy statement in the error's hint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, DataTable, Static

from slrwizard.domain.models import ROLE_NAME, RoleInspection
from slrwizard.tui.messages import RoleInspected, RoleRecreated
from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.steps import INSPECT
from slrwizard.tui.text import ago, when
from slrwizard.tui.widgets.facts import Facts
from slrwizard.tui.widgets.spinner import Spinner

if TYPE_CHECKING:
    from slrwizard.tui.actions import WizardActions

WHY = (
    "AWSServiceRoleForRDS lets Amazon RDS call other AWS services for your DB clusters. "
    "AWS refuses to delete it while any DB cluster or instance remains in any region, "
    "Neptune and DocumentDB included: that is why step 2 finds them all. If a session of the "
    "role is still active, deletion fails for a while; sessions cannot be revoked, only "
    "waited out. Creating a DB cluster later recreates the role automatically."
)

InspectResult = Literal["scan", "finished"]


class InspectScreen(WizardScreen[InspectResult]):
    """Step 1. Dismisses with ``"scan"`` to go on, or ``"finished"`` when there is no role."""

    STEP = INSPECT
    SCENE = "inspect"
    HELP = (
        "Step 1 only reads. 'Last used' and Access Advisor show whether RDS still relies on "
        "the role: recent use means databases still exist somewhere. Access Advisor lags by "
        "about four hours."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next: find databases"),
        Binding("enter", "next", "Next: find databases", show=False, priority=True),
        Binding("f", "finish", "Finish"),
        Binding("c", "recreate", "Recreate role"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self, actions: WizardActions) -> None:
        super().__init__(actions)
        self.inspection: RoleInspection | None = None
        self.busy = True

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static(
                "Step 1 reads the role and changes nothing.", classes="intro", markup=False
            )
            with Vertical(id="role", classes="panel") as role:
                role.border_title = ROLE_NAME
                yield Spinner("Reading the role…", id="loading")
                yield Static(id="role-text", markup=False)
                yield Facts(id="role-facts")
            with Vertical(id="advisor", classes="panel") as advisor:
                advisor.border_title = "Access Advisor: services the role reached"
                yield DataTable(id="advisor-table", cursor_type="none", zebra_stripes=True)
                yield Static(id="advisor-note", classes="note", markup=False)
            with Vertical(id="absent", classes="panel warning") as absent:
                absent.border_title = "The role does not exist"
                yield Static(id="absent-text", markup=False)
            with Vertical(id="why", classes="panel") as why:
                why.border_title = "Why this matters"
                yield Static(WHY, markup=False)
        with Horizontal(classes="actions"):
            yield Static(id="recreate-note", classes="note", markup=False)
            yield Button("Next: step 2, Find databases", id="next", variant="primary")
            yield Button("Finish: nothing to do", id="finish", variant="primary")
            yield Button("Recreate the role…", id="recreate")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#advisor-table", DataTable)
        table.add_columns("Service", "Last accessed", "Region", "When")
        self.query_one("#advisor").display = False
        self.query_one("#absent").display = False
        for button in self.query(Button):
            button.display = False
        self.actions.inspect_role(self)

    def on_role_inspected(self, message: RoleInspected) -> None:
        self.busy = False
        self.inspection = message.inspection
        self.refresh_view()

    def on_role_recreated(self, message: RoleRecreated) -> None:
        self.busy = False
        self.inspection = RoleInspection(exists=True, role=message.role)
        self.notify("AWSServiceRoleForRDS was created again.", timeout=5)
        self.refresh_view()

    def work_failed(self, name: str, error: BaseException | None) -> None:
        if name in ("inspect", "recreate", "finish-without-role"):
            self.busy = False
            self.query_one("#loading").display = False
            text = self.query_one("#role-text", Static)
            text.display = True
            text.update("The role could not be read (see the explanation). Press r to try again.")
            self.refresh_bindings()

    def refresh_view(self) -> None:
        inspection = self.inspection
        self.query_one("#loading").display = self.busy
        if inspection is None:
            return
        exists = inspection.exists and inspection.role is not None
        self.query_one("#role").display = exists
        self.query_one("#advisor").display = exists
        self.query_one("#absent").display = not exists
        self.query_one("#next").display = exists
        self.query_one("#finish").display = not exists
        self.query_one("#recreate").display = not exists
        read_only = self.actions.read_only
        self.query_one("#recreate", Button).disabled = read_only
        note = self.query_one("#recreate-note", Static)
        if not exists and read_only:
            note.update("Read-only mode: the wizard will not create the role.")
        elif exists:
            note.update("Next, step 2 scans every region (it only reads).")
        else:
            note.update("")
        if exists:
            self._show_role()
            self.query_one("#next", Button).focus()
        else:
            self.query_one("#absent-text", Static).update(
                f"{ROLE_NAME} is not in this account, so there is nothing to delete. Finish "
                "here, or recreate it if RDS features need it again (creating a DB cluster "
                "also recreates it). Recreating needs iam:CreateServiceLinkedRole for "
                "rds.amazonaws.com; if IAM refuses, the wizard shows the policy statement "
                "to add."
            )
            self.query_one("#finish", Button).focus()
            self.narrate("The role is already gone: there is nothing to remove.")
        self.refresh_bindings()

    def _show_role(self) -> None:
        assert self.inspection is not None and self.inspection.role is not None
        role = self.inspection.role
        now = self.actions.clock.now()
        last_used = (
            f"{when(role.last_used)} in {role.last_used_region or 'an unknown region'} "
            f"({ago(role.last_used, now)})"
            if role.last_used
            else "never (or not within the last 400 days)"
        )
        rows = [
            ("Trusted by", ", ".join(role.trust_principals) or "(none listed)"),
            ("Policy", ", ".join(role.attached_policies) or "(none attached)"),
            ("Created", f"{when(role.created)} ({ago(role.created, now)})"),
            ("Last used", last_used),
            ("Description", role.description or "(none)"),
        ]
        # The ARN gets a line of its own: at 100 columns it fits unbroken, which a copy needs.
        arn = self.query_one("#role-text", Static)
        arn.display = True
        arn.update(Content.assemble(("ARN ", "dim"), self.mask(role.arn)))
        self.query_one("#role-facts", Facts).set_rows(rows)
        table = self.query_one("#advisor-table", DataTable)
        table.clear()
        for entry in role.access_advisor:
            table.add_row(
                entry.service_name,
                when(entry.last_authenticated),
                entry.last_authenticated_region or "-",
                ago(entry.last_authenticated, now),
            )
        self.query_one("#advisor-note", Static).update(role.access_advisor_note or "")
        used = ago(role.last_used, now) if role.last_used else "not recently"
        self.narrate(f"RDS last used this role {used}.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        inspection = self.inspection
        exists = inspection is not None and inspection.exists
        if action == "next":
            return exists and not self.busy
        if action == "finish":
            return inspection is not None and not exists and not self.busy
        if action == "recreate":
            if inspection is None or exists:
                return False
            return (not self.actions.read_only and not self.busy) or None
        if action == "reload":
            return not self.busy
        return True

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        """Go on to step 2 (scan the regions)."""
        if self.inspection is not None and self.inspection.exists:
            self.dismiss("scan")

    @on(Button.Pressed, "#finish")
    def action_finish(self) -> None:
        """End the walkthrough: the role is already gone."""
        self.busy = True
        self.actions.finish_without_role(self)

    def on_wizard_finished(self) -> None:
        self.dismiss("finished")

    @on(Button.Pressed, "#recreate")
    def action_recreate(self) -> None:
        """Ask, then recreate the role with CreateServiceLinkedRole."""
        from slrwizard.tui.screens.dialogs import ConfirmDialog

        if self.actions.read_only:
            return
        dialog = ConfirmDialog(
            "Recreate AWSServiceRoleForRDS?",
            "IAM will create the service-linked role for rds.amazonaws.com again "
            "(iam:CreateServiceLinkedRole). Do this only if RDS features need it before any "
            "DB cluster is created; creating a cluster recreates it anyway.",
            yes="Recreate the role",
            no="Cancel",
        )
        self.app.push_screen(dialog, self._recreate_answered)

    def _recreate_answered(self, yes: bool | None) -> None:
        if yes:
            self.busy = True
            self.refresh_bindings()
            self.actions.recreate_role(self)

    def action_reload(self) -> None:
        """Read the role again."""
        self.busy = True
        self.query_one("#loading").display = True
        self.refresh_bindings()
        self.actions.inspect_role(self)
