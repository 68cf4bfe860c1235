"""Step 3, second half: the full ordered plan, then the typed confirmation.

This is the last screen before AWS is changed, so it shows every call the wizard will make, in
order, and a summary an onlooker can check (how many deletions, which snapshots are kept or
skipped, where protection is lifted). Confirming means typing the account ID; a mismatch is
explained and changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from slrwizard.domain.plan import DeletionPlan, ResourceSteps
from slrwizard.tui.messages import MovedOn
from slrwizard.tui.presenter import group_account
from slrwizard.tui.related_text import first_removals, plan_lines
from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.steps import DELETE
from slrwizard.tui.text import databases, english_list, plural
from slrwizard.tui.widgets.cells import cell

if TYPE_CHECKING:
    from slrwizard.tui.actions import WizardActions

ReviewResult = Literal["confirmed", "back", "preview"]


class ReviewScreen(WizardScreen[ReviewResult]):
    """The plan in full. Dismisses ``"confirmed"`` once the wizard accepted the typed account
    ID, ``"back"`` to change the choices, ``"preview"`` (read-only) to look at step 4."""

    STEP = DELETE
    SCENE = "review"
    HELP = (
        "Read the plan from top to bottom: databases are deleted at the same time, and within "
        "each database the steps run in the order shown. d asks for the account ID; a wrong "
        "entry deletes nothing. Escape goes back to the choices."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "delete", "Delete…"),
        Binding("n", "preview", "Next: step 4"),
        Binding("e", "export", "Export plan"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, actions: WizardActions, plan: DeletionPlan) -> None:
        super().__init__(actions)
        self.plan = plan
        self.busy = False
        self._leaving_to: ReviewResult = "back"

    @property
    def schedule(self) -> list[ResourceSteps]:
        """The plan's steps, per resource, in the order the executor runs them."""
        scan = self.wizard.scan_result
        assert scan is not None
        return self.plan.schedule(scan)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static(id="review-summary", classes="panel")
            with VerticalScroll(id="plan-list", classes="panel") as plan_list:
                plan_list.border_title = "The plan, in order"
                plan_list.border_subtitle = "↑ ↓ PgUp PgDn scroll"
                yield Static(id="plan-steps")
            with Horizontal(classes="actions"):
                # Read-only: the header and the summary already say so, and four buttons need
                # the room at 80 columns (the stylesheet hides the note there).
                note_class = "read-only" if self.actions.read_only else ""
                yield Static(id="review-note", markup=False, classes=note_class)
                yield Button("Back", id="back")
                if self.actions.read_only:
                    # Only what read-only does: no red button that would do nothing.
                    yield Button("Export plan", id="export")
                    yield Button("Preview step 4", id="preview")
                    yield Button("Finish (read-only)", id="finish-read-only", variant="primary")
                else:
                    yield Button(
                        f"Delete {plural(len(self.plan.resources), 'database')}…",
                        id="delete",
                        variant="error",
                    )

    def on_mount(self) -> None:
        super().on_mount()
        self._redraw_steps()
        self.app.theme_changed_signal.subscribe(self, lambda _: self._redraw_steps())
        self.refresh_view()
        note = self.query_one("#review-note", Static)
        if self.actions.read_only:
            note.update("Read-only: nothing is deleted.")
        else:
            note.update("Type the account ID to start. A wrong entry deletes nothing.")
        # The plan has the focus, so PageDown scrolls it from the start (its border says how).
        self.query_one("#plan-list", VerticalScroll).focus()

    def refresh_view(self) -> None:
        self.query_one("#review-summary", Static).update(self._summary())

    def _summary(self) -> Content:
        plan = self.plan
        clusters = sum(r.kind.value == "cluster" for r in plan.resources)
        instances = len(plan.resources) - clusters
        regions = len({r.region for r in plan.resources})
        kept = [r for r in plan.resources if r.final_snapshot_id]
        skipped = [r for r in plan.resources if r.skip_final_snapshot]
        lifted = [r for r in plan.resources if r.lift_protection]
        account = self.mask(group_account(self.wizard.account))
        verb = "A writable walkthrough would delete " if self.actions.read_only else "Delete "
        parts: list[str | tuple[str, str]] = [
            (verb, "bold"),
            (databases(clusters, instances), "bold"),
            f" in {plural(regions, 'region')} of account ",
            (account, "bold"),
            ".\n",
            (f"Keep {plural(len(kept), 'final snapshot')}", "$text-success"),
        ]
        if skipped:
            names = ", ".join(r.identifier for r in skipped)
            parts += [", ", (f"skip {len(skipped)} ({names})", "bold $text-error")]
        else:
            parts += ["; no snapshot is skipped"]
        if lifted:
            names = ", ".join(r.identifier for r in lifted)
            parts += [f". Lift deletion protection on {names}", ""]
        parts += ["."]
        first = first_removals([s for r in self.schedule for s in r.steps])
        if first:
            # What AWS requires gone before the databases: confirming the plan consents to it.
            parts += ["\nFirst, as AWS requires: ", (english_list(first), "bold"), "."]
        return Content.assemble(*parts)

    def _steps_table(self) -> Table:
        """The steps as a two-column grid, so wrapped descriptions hang under themselves."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=4, justify="right", no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        intro = cell(
            self,
            (
                "Databases are deleted at the same time; each one's steps run in this "
                "order. A global primary waits for its secondaries.",
                "dim",
            ),
        )
        intro.no_wrap = False
        grid.add_row("", intro)
        for number, resource in enumerate(self.schedule, start=1):
            kind = "cluster" if resource.kind.value == "cluster" else "instance"
            grid.add_row("", "")
            grid.add_row(
                cell(self, (f"{number}.", "bold")),
                cell(
                    self,
                    (f"{resource.region} / {resource.identifier}", "bold"),
                    (f"  ({kind}, {plural(len(resource.steps), 'step')})", "dim"),
                ),
            )
            for index, step in enumerate(resource.steps, start=1):
                style = "bold $text-error" if "WITHOUT" in step.description else ""
                description = cell(self, (step.description, style))
                description.no_wrap = False
                grid.add_row(cell(self, (str(index), "dim")), description)
        self._add_beside(grid)
        return grid

    def _add_beside(self, grid: Table) -> None:
        """What stands beside the databases: what goes first, what is left behind."""
        scan = self.wizard.scan_result
        lines = plan_lines(scan) if scan is not None else []
        if not lines:
            return
        grid.add_row("", "")
        grid.add_row("", cell(self, ("Besides the databases", "bold")))
        for line in lines:
            text = cell(self, (line, ""))
            text.no_wrap = False
            grid.add_row(cell(self, ("•", "dim")), text)

    def _redraw_steps(self) -> None:
        self.query_one("#plan-steps", Static).update(self._steps_table())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only shows only what it does (preview, export, finish): no Delete key."""
        if action == "delete":
            return False if self.actions.read_only else (not self.busy or None)
        if action in ("preview", "export"):
            return self.actions.read_only and (not self.busy or None)
        return not self.busy or None

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        """Ask for the account ID (the dialog defaults to Cancel)."""
        from slrwizard.tui.screens.dialogs import TypedConfirmDialog

        if self.actions.read_only or self.busy:
            return
        count = len(self.plan.resources)
        kept = sum(1 for r in self.plan.resources if r.final_snapshot_id)
        dialog = TypedConfirmDialog(
            f"Delete {plural(count, 'database')}?",
            f"The wizard will run the plan you just read: delete {plural(count, 'database')}, "
            f"keeping {plural(kept, 'final snapshot')}. Deleted databases cannot be "
            "brought back except from their final snapshots.",
            account_hint=self.mask(group_account(self.wizard.account)),
            secret=self.actions.presenter,
            action="Delete",
        )
        self.app.push_screen(dialog, self._typed)

    def _typed(self, typed: str | None) -> None:
        if typed is None:
            self.notify("Cancelled: nothing was deleted.", timeout=4)
            return
        self.busy = True
        self.refresh_bindings()
        self.actions.confirm_plan(self, typed)

    def on_moved_on(self, message: MovedOn) -> None:
        self.busy = False
        if message.what == "confirmed":
            self.dismiss("confirmed")
        elif message.what == "back":
            self.dismiss(self._leaving_to)

    def work_failed(self, name: str, error: BaseException | None) -> None:
        if name in ("confirm", "back"):
            self.busy = False
            self.refresh_bindings()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the choices (the wizard withdraws the plan from confirmation)."""
        if not self.busy:
            self._leave("back")

    def _leave(self, to: ReviewResult) -> None:
        self.busy = True
        self._leaving_to = to
        self.refresh_bindings()
        self.actions.back_to_plan(self)

    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        """Read-only: write the plan for a pre-approval ticket, Markdown and JSON, readable by
        its owner only (it names the account and its databases), next to where the wizard runs.
        """
        from slrwizard.journal.export import build_plan_export
        from slrwizard.journal.render import render_plan_markdown
        from slrwizard.paths import write_private

        journal, caller = self.actions.journal_path, self.actions.caller
        if not self.actions.read_only or caller is None:
            return
        if journal is None:
            self.notify("This walkthrough has no journal to export from.", severity="warning")
            return
        stem = Path.cwd() / f"slrwizard-{self.wizard.session_id}-plan"
        try:
            export = build_plan_export(
                journal,
                self.wizard.session_id,
                self.plan,
                self.schedule,
                caller=caller,
                operator=self.wizard.operator,
            )
            markdown = write_private(stem.with_suffix(".md"), render_plan_markdown(export))
            write_private(stem.with_suffix(".json"), export.model_dump_json(indent=2) + "\n")
        except Exception as error:  # an unwritable folder, an unreadable journal
            self.notify(f"Could not write the plan: {error}", severity="error")
            return
        self.query_one("#review-note", Static).update(f"Plan written: {markdown.name} (+ .json)")
        self.notify(
            f"Plan for the approval ticket written to {markdown} and .json (readable by you only).",
            timeout=8,
        )

    @on(Button.Pressed, "#preview")
    def action_preview(self) -> None:
        """Read-only: see what step 4 would do."""
        if self.actions.read_only and not self.busy:
            self._leave("preview")
