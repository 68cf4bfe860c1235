"""The end: what was deleted, which final snapshots were kept, and how to get the record.

Everything here comes from the plan and the executor's progress of every round (kept by the app,
with what an interrupted session it resumes had done), so a walkthrough that looped back after a
refused role deletion still lists all of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, DataTable, Static

from slrwizard.domain.models import ROLE_NAME
from slrwizard.tui.messages import ExitRequested
from slrwizard.tui.presenter import group_account
from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.steps import ROLE, Step
from slrwizard.tui.summary import GLOBAL_KIND
from slrwizard.tui.text import plural
from slrwizard.tui.widgets.cells import cell, cells

NARROW = 100
"""Columns below which the summary's table folds the region under the database's name."""

DONE = Step(ROLE.number, "Done", "What was deleted and what was kept.")


class DoneScreen(WizardScreen[None]):
    """The summary. Enter (or q) leaves the wizard with exit code 0 (it asks the app, with
    :class:`~slrwizard.tui.messages.ExitRequested`)."""

    STEP = DONE
    SCENE = "done"
    HELP = (
        "The walkthrough is complete. The journal holds every step with AWS request IDs: "
        "export it for the change ticket with `slrwizard journal export latest`."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "exit", "Exit", priority=True),
        Binding("e", "export", "Export report"),
    ]

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static(id="done-headline", classes="panel success")
            yield DataTable(id="outcomes", cursor_type="row", zebra_stripes=True)
            yield Static(id="done-notes", markup=False)
            with Horizontal(classes="actions"):
                yield Static(
                    "For the change ticket: e writes the report here (Markdown)",
                    id="done-ticket",
                    markup=False,
                )
                yield Button("Exit", id="exit", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self._fill_table()
        self.refresh_view()
        self.query_one("#exit", Button).focus()

    def on_resize(self) -> None:
        if self._narrow() != self._table_narrow:
            self._fill_table()

    _table_narrow: bool | None = None

    def _narrow(self) -> bool:
        """Under 100 columns, four one-line columns cut the snapshot names (and their ✓)."""
        return self.app.size.width < NARROW

    def _fill_table(self) -> None:
        """The outcomes; on a narrow screen the region goes under the database's name, so the
        snapshot name, the identifier someone restores from, is never cut."""
        narrow = self._table_narrow = self._narrow()
        table = self.query_one("#outcomes", DataTable)
        table.clear(columns=True)
        snapshot_title = "Final snapshot kept (✓ verified)"
        if narrow:
            table.add_columns("Database / region", "Result", snapshot_title)
        else:
            table.add_columns("Region", "Database", "Result", snapshot_title)
        for outcome in self.actions.outcomes:
            if outcome.snapshot:
                mark = " ✓" if outcome.snapshot_verified else ""
                snapshot: str | tuple[str, str] = f"{outcome.snapshot}{mark}"
            elif outcome.snapshot_skipped:
                snapshot = ("none: skipped by choice", "$text-warning")
            else:
                snapshot = "-"
            result: str | tuple[str, str] = outcome.result
            if outcome.result in ("failed", "left in place", "left behind"):
                result = (outcome.result, "bold $text-warning")
            region, _, name = outcome.key.partition("/")
            if outcome.kind == GLOBAL_KIND:
                name = f"{name} ({GLOBAL_KIND})"
            if narrow:
                where = cell(self, name, "\n", (region, "dim"))
                table.add_row(where, *cells(self, [result, snapshot]), height=2)
            else:
                table.add_row(*cells(self, [region, name, result, snapshot]))
        table.display = bool(self.actions.outcomes)

    def refresh_view(self) -> None:
        wizard = self.wizard
        account = self.mask(group_account(wizard.account))
        outcomes = self.actions.outcomes
        deleted = [
            o for o in outcomes if o.result not in ("left in place", "left behind", "failed")
        ]
        kept = [o for o in outcomes if o.snapshot]
        skipped = [o for o in outcomes if o.snapshot_skipped and o.result == "deleted"]
        if wizard.role_deletion_succeeded:
            headline = Content.assemble(
                ("✓ ", "bold $text-success"),
                (f"{ROLE_NAME} was deleted from account {account}.", "bold"),
                f"\n{plural(len(deleted), 'database')} deleted, "
                f"{plural(len(kept), 'final snapshot')} kept"
                + (f", {len(skipped)} skipped by choice." if skipped else "."),
            )
        else:
            headline = Content.assemble(
                ("✓ ", "bold $text-success"),
                (f"{ROLE_NAME} does not exist in account {account}.", "bold"),
                "\nThere was nothing to delete.",
            )
        self.query_one("#done-headline", Static).update(headline)
        notes = (
            "Final snapshots stay in each region until you delete them; they are billed as "
            "backup storage. RDS recreates the role the next time a DB cluster is created."
            if kept
            else "RDS recreates the role the next time a DB cluster is created."
        )
        left = [o.key.partition("/")[2] for o in outcomes if o.kind == GLOBAL_KIND]
        if left:
            notes += (
                f" Left behind, empty of our databases: global database {', '.join(left)} "
                "(AWS refused or was not asked to delete it); delete it in the RDS console or "
                "with `aws rds delete-global-cluster --global-cluster-identifier <id>`."
            )
        self.query_one("#done-notes", Static).update(notes)

    def action_export(self) -> None:
        """Write the change-ticket report (the same as `slrwizard journal export`) to the
        current folder, readable by its owner only as the journal is; it reads the journal
        only, so it is quick and needs no AWS call."""
        from slrwizard.journal.export import export_markdown
        from slrwizard.paths import write_private

        journal = self.actions.journal_path
        if journal is None:
            self.notify("This walkthrough has no journal to export.", severity="warning")
            return
        target = Path.cwd() / f"slrwizard-{self.wizard.session_id}.md"
        try:
            target = write_private(target, export_markdown(journal, self.wizard.session_id))
        except Exception as error:  # an unwritable folder, an unreadable journal
            self.notify(f"Could not write the report: {error}", severity="error")
            return
        self.query_one("#done-ticket", Static).update(
            f"Report written (readable by you only): {target}"
        )
        self.notify(f"Report for the change ticket written to {target}", timeout=8)

    @on(Button.Pressed, "#exit")
    def action_exit(self) -> None:
        """Leave the wizard (exit code 0)."""
        self.post_message(ExitRequested())
