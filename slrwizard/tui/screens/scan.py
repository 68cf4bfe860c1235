"""Step 2: find every DB cluster and instance, region by region, as the concurrent scan answers.

Three ways in: a fresh scan (``scan``), a scan of exactly the regions AWS named when it refused to
delete the role (``back``), or the last scan shown again when the operator steps back from step 3
or step 4 found something left (``show``). Nothing found ends the step at once: on to step 4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, ProgressBar, Static

from slrwizard.collector import CYCLIC_GC
from slrwizard.tui.messages import MovedOn, RegionScanned, RegionsListed, ScanFinished
from slrwizard.tui.related_text import could_not_check, found_beside
from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.steps import CLUSTERS, DELETE, ROLE, next_label
from slrwizard.tui.text import databases, plural, when
from slrwizard.tui.widgets.regions import RegionGrid, describe
from slrwizard.tui.widgets.resources import COLUMNS, ResourceTable, rows_from_scan

if TYPE_CHECKING:
    from slrwizard.domain.models import RegionScan, ScanResult
    from slrwizard.tui.actions import WizardActions
    from slrwizard.tui.widgets.resources import ResourceRow

ScanNext = Literal["plan", "role"]
Mode = Literal["scan", "back", "show"]

FILTER_DELAY = 0.15
"""Seconds the filter waits for the next keystroke: a word typed filters the table once, not once
a letter (a few thousand rows take a few frames to show again). Enter filters at once."""


class ScanScreen(WizardScreen[ScanNext]):
    """Step 2. Dismisses with ``"plan"`` (resources found) or ``"role"`` (none: step 4)."""

    STEP = CLUSTERS
    SCENE = "scan"
    HELP = (
        "Every enabled region is scanned at once. The grid under the table shows each region: "
        "✓ scanned (with the number found), - not enabled, ✗ denied, ! failed. Move onto a "
        "region to read why. A region that could not be scanned may still hide databases. "
        "The table fills once the regions' answers pause, so rows do not move under the cursor."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse", "Reverse", show=False),
        Binding("r", "rescan", "Rescan"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self, actions: WizardActions, mode: Mode) -> None:
        super().__init__(actions)
        self.mode = mode
        self.result: ScanResult | None = None
        self.scanning = False
        self.moving = False
        self._filter_timer: Timer | None = None
        # each region's answer during the scan and its rows: the final result reuses them
        self._region_rows: dict[str, tuple[RegionScan, list[ResourceRow]]] = {}
        self._holds_gc = False  # the collector is held off from a scan's start until its table
        # is full (slrwizard.collector.CollectorHold)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            with Horizontal(id="scan-status"):
                yield Static(id="scan-intro", markup=False)
                yield ProgressBar(id="scan-progress", show_eta=False, show_percentage=False)
            with Horizontal(id="table-tools"):
                yield Input(placeholder="/ filter: region, name, engine…", id="filter")
                yield Static(id="sort-label", markup=False)
            yield ResourceTable(id="resources")
            yield Static(id="detail", markup=False)
            yield RegionGrid(id="regions")
            with Horizontal(classes="actions"):
                yield Static(id="summary")
                yield Button("Next", id="next", variant="primary", disabled=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._update_sort_label()
        if self.mode == "show" and self.wizard.scan_result is not None:
            self._show_result(self.wizard.scan_result)
            self.narrate("This is the last scan; press r to scan again.")
        else:
            self._start_scan()
        self.query_one(ResourceTable).focus()

    # -- scanning ---------------------------------------------------------------------------
    def _start_scan(self, back: bool | None = None) -> None:
        self.scanning = True
        self.result = None
        self._region_rows.clear()
        self._hold_gc()
        self.query_one(ResourceTable).set_rows([])
        self.query_one("#next", Button).disabled = True
        intro = "Asking AWS for the list of enabled regions…"
        if self.mode == "back":
            intro = "AWS said the role is still in use: scanning the regions it named…"
        self.query_one("#scan-intro", Static).update(intro)
        self.query_one("#summary", Static).update("")
        self.refresh_bindings()
        self.actions.scan_regions(self, back=self.mode == "back" if back is None else back)

    def on_regions_listed(self, message: RegionsListed) -> None:
        grid = self.query_one(RegionGrid)
        grid.reset(message.regions)
        self.query_one("#scan-progress", ProgressBar).update(total=len(message.regions), progress=0)
        self._update_intro(message.note)

    def on_region_scanned(self, message: RegionScanned) -> None:
        grid = self.query_one(RegionGrid)
        grid.record(message.scan)
        self.query_one("#scan-progress", ProgressBar).update(progress=grid.answered)
        rows = rows_from_scan(message.scan)
        self._region_rows[message.scan.region] = (message.scan, rows)
        self.query_one(ResourceTable).add_region_rows(rows)
        self._update_intro()
        self._update_detail()

    def on_scan_finished(self, message: ScanFinished) -> None:
        self.scanning = False
        self._show_result(message.result)
        result = message.result
        if result.resource_count == 0 and result.complete:
            self.notify("No database in any region: going straight to step 4.", timeout=6)
            self.action_next()
        self.refresh_bindings()

    def _show_result(self, result: ScanResult) -> None:
        self.result = result
        self.query_one(RegionGrid).show_all(result.regions)
        table = self.query_one(ResourceTable)
        table.set_rows(row for scan in result.regions for row in self._rows_of(scan))
        if not table.pending:
            self._release_gc()
        bar = self.query_one("#scan-progress", ProgressBar)
        bar.update(total=len(result.regions), progress=len(result.regions))
        self._update_intro(result.region_note)
        self._update_summary()
        self._update_detail()

    @on(ResourceTable.Filled)
    def _table_filled(self) -> None:
        if not self.scanning:
            self._release_gc()

    def _hold_gc(self) -> None:
        if not self._holds_gc:
            CYCLIC_GC.hold()
            self._holds_gc = True

    def _release_gc(self) -> None:
        if self._holds_gc:
            CYCLIC_GC.release()
            self._holds_gc = False

    def on_unmount(self) -> None:
        self._release_gc()

    def _rows_of(self, scan: RegionScan) -> list[ResourceRow]:
        """A region's rows: those made when it answered, if this is that answer."""
        answered = self._region_rows.get(scan.region)
        if answered is not None and answered[0] is scan:
            return answered[1]
        return rows_from_scan(scan)

    def _update_intro(self, note: str | None = None) -> None:
        grid = self.query_one(RegionGrid)
        total = len(grid.regions)
        if self.scanning:
            text = f"Scanning {plural(total, 'region')} at once: {grid.answered} answered."
        elif self.result is not None:
            text = f"{plural(total, 'region')} scanned at {when(self.actions.last_scan_at)}."
        else:
            text = ""
        if note:
            text += f" {note}"
        self.query_one("#scan-intro", Static).update(text)

    def _update_summary(self) -> None:
        result = self.result
        if result is None:
            return
        clusters, instances = len(result.clusters), len(result.instances)
        regions = len({r.region for r in result.regions if r.clusters or r.instances})
        if clusters + instances:
            text = f"Found {databases(clusters, instances)} in {plural(regions, 'region')}."
        else:
            read = len(result.regions) - len(result.incomplete_regions)
            text = f"No database in {plural(read, 'region')}."
        beside = " ".join(t for t in (found_beside(result), could_not_check(result)) if t)
        if beside:
            text += f" {beside}"
        missing = result.incomplete_regions
        style = ""
        if missing:
            names = ", ".join(r.region for r in missing)
            text += f" Not scanned: {names} (select it below for the reason)."
            style = "warning"
        button = self.query_one("#next", Button)
        if result.resource_count:
            button.label = next_label(DELETE)
            self.narrate(
                f"Found {plural(result.resource_count, 'database')} that keep the role in use."
            )
        else:
            button.label = next_label(ROLE) + (" anyway" if missing else "")
            self.narrate(
                "No database found, but some regions were not scanned."
                if missing
                else "No database found in any region: the role can go next."
            )
        button.disabled = False
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(bool(style), "warning")

    # -- looking around ---------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#resources")
    @on(DataTable.CellHighlighted, "#regions")
    @on(DataTable.CellSelected, "#regions")
    def _update_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        grid = self.query_one(RegionGrid)
        if grid.has_focus:
            region = grid.highlighted_region
            if region is not None:
                detail.update(self.mask(describe(region, grid.scans.get(region))))
                return
        row = self.query_one(ResourceTable).highlighted
        if row is not None:
            detail.update(self.mask(row.detail))
        elif self.scanning:
            held = self.query_one(ResourceTable).holding
            detail.update(
                f"{plural(held, 'database')} found so far; shown when the answers pause."
                if held
                else "Results appear here as the regions answer."
            )
        else:
            detail.update("")

    def on_descendant_focus(self) -> None:
        self._update_detail()

    def action_filter(self) -> None:
        """Focus the filter box."""
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def _filter_typed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._filter)

    def _filter(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        self.query_one(ResourceTable).set_filter(self.query_one("#filter", Input).value)
        self._update_detail()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self._filter()
        self.query_one(ResourceTable).focus()

    def action_clear_filter(self) -> None:
        """Empty the filter and go back to the table."""
        box = self.query_one("#filter", Input)
        if box.value or box.has_focus:
            box.value = ""
            self._filter()
            self.query_one(ResourceTable).focus()

    def action_sort(self) -> None:
        """Sort by the next column."""
        self.query_one(ResourceTable).cycle_sort()
        self._update_sort_label()

    def action_reverse(self) -> None:
        """Reverse the sort order."""
        self.query_one(ResourceTable).flip_sort()
        self._update_sort_label()

    def _update_sort_label(self) -> None:
        table = self.query_one(ResourceTable)
        arrow = "▼" if table.reverse else "▲"
        self.query_one("#sort-label", Static).update(
            f"sorted by {COLUMNS[table.sort_column].lower()} {arrow}"
        )

    # -- moving on --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return (self.result is not None and not self.scanning and not self.moving) or None
        if action == "rescan":
            return (not self.scanning and not self.moving) or None
        return True

    def action_rescan(self) -> None:
        """Scan every enabled region again."""
        if not self.scanning:
            self.mode = "scan"
            self._start_scan(back=False)

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        """Go on: choose final snapshots (step 3), or straight to step 4 if nothing was found.

        Regions the scan could not cover must be accepted first, explicitly: resources there
        are invisible, and only AWS's own check at role deletion would catch them.
        """
        from slrwizard.tui.screens.dialogs import ConfirmDialog

        result = self.result
        if result is None or self.scanning or self.moving:
            return
        missing = self.wizard.unaccepted_regions
        if not missing:
            self._proceed()
            return
        scans = {r.region: r for r in result.regions}
        lines = "\n".join(f"• {describe(name, scans.get(name))}" for name in missing)
        dialog = ConfirmDialog(
            f"Go on without {plural(len(missing), 'region')}?",
            self.mask(
                f"The scan could not cover:\n{lines}\n\nDatabases there cannot be "
                "seen or deleted by the wizard. If any exist, AWS will refuse to delete the "
                "role in step 4 and name them. The journal records that you went on without "
                "these regions."
            ),
            yes="Go on without them",
            no="Stay here",
        )
        self.app.push_screen(dialog, self._accepted)

    def _accepted(self, yes: bool | None) -> None:
        if yes:
            self.moving = True
            self.refresh_bindings()
            self.actions.accept_unscanned(self)

    def _proceed(self) -> None:
        result = self.result
        assert result is not None
        if result.resource_count:
            self.dismiss("plan")
            return
        self.moving = True
        self.refresh_bindings()
        self.actions.skip_to_role(self)

    def on_moved_on(self, message: MovedOn) -> None:
        if message.what == "skip-to-role":
            self.dismiss("role")
        elif message.what == "accepted":
            self.moving = False
            self._proceed()

    def work_failed(self, name: str, error: BaseException | None) -> None:
        if name in ("scan", "skip-to-role", "accept-unscanned"):
            self.scanning = self.moving = False
            self._release_gc()
            self.query_one("#scan-intro", Static).update(
                "The scan did not finish (see the explanation). Press r to scan again."
            )
            self.refresh_bindings()

    def refresh_view(self) -> None:
        self._update_detail()
