"""The regions of a scan as a compact grid: each cell says how that region's scan is going.

Regions answer in any order (the scan is concurrent), so the grid is laid out alphabetically up
front, every cell reading "scanning", and each cell changes as its region answers. The cursor
moves over the cells; the screen shows the highlighted region's reason (why it was skipped,
denied or failed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.widgets import DataTable

from slrwizard.domain.models import RegionOutcome, RegionScan
from slrwizard.tui.widgets.cells import cell

CELL_WIDTH = 22

_OUTCOME_STYLE: dict[RegionOutcome, tuple[str, str]] = {
    RegionOutcome.SCANNED: ("✓", "$text-success"),
    RegionOutcome.SKIPPED_DISABLED: ("-", "dim"),
    RegionOutcome.DENIED: ("✗", "bold $text-error"),
    RegionOutcome.FAILED: ("!", "bold $text-error"),
}
_OUTCOME_WORD = {
    RegionOutcome.SKIPPED_DISABLED: "off",
    RegionOutcome.DENIED: "denied",
    RegionOutcome.FAILED: "failed",
}


def describe(region: str, scan: RegionScan | None) -> str:
    """One sentence about a region's scan, for the detail line."""
    if scan is None:
        return f"{region}: still scanning…"
    found = len(scan.clusters) + len(scan.instances)
    if scan.outcome is RegionOutcome.SCANNED:
        what = "nothing found" if not found else f"{found} found"
        if scan.related:
            what += f", and {len(scan.related)} beside them"
        unchecked = "".join(f" It {line}." for line in scan.unchecked)
        return f"{region}: scanned in {scan.seconds:.1f}s, {what}.{unchecked}"
    reason = f": {scan.reason}" if scan.reason else "."
    return f"{region} ({scan.outcome.label}){reason}"


class RegionGrid(DataTable[Text]):
    """A grid of regions with their scan state; the cursor selects one to explain.

    A region that answers changes its own cell (``update_cell_at``), never the layout: the grid
    is laid out again only when its regions or its width change, so the cursor stays put.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id, show_header=False, cursor_type="cell", zebra_stripes=False, show_cursor=True
        )
        self.regions: list[str] = []
        self.scans: dict[str, RegionScan] = {}
        self._columns = 0
        self._laid_out: list[str] = []  # the regions as the cells show them, until laid out again

    def reset(self, regions: list[str]) -> None:
        """Lay out ``regions`` (sorted), each still scanning."""
        self.regions = sorted(regions)
        self.scans = {}
        self._layout(force=True)

    def record(self, scan: RegionScan) -> None:
        """Show one region's answer."""
        if scan.region not in self.regions:
            self.regions = sorted([*self.regions, scan.region])
            self.scans[scan.region] = scan
            self._layout(force=True)
            return
        self.scans[scan.region] = scan
        index = self.regions.index(scan.region)
        if self._columns:
            row, column = divmod(index, self._columns)
            self.update_cell_at(Coordinate(row, column), self._cell(scan.region))

    def show_all(self, scans: Sequence[RegionScan]) -> None:
        """Show a finished scan: laid out again only if its regions are not the ones shown, and
        only the cells whose answer changed drawn again (a scan that filled the grid as its
        regions answered changes nothing)."""
        regions = sorted(scan.region for scan in scans)
        if regions != self.regions:
            self.regions = regions
            self.scans = {scan.region: scan for scan in scans}
            self._layout(force=True)
            return
        for scan in scans:
            shown = self.scans.get(scan.region)
            if shown is not scan and shown != scan:
                self.record(scan)

    @property
    def answered(self) -> int:
        """How many regions have answered."""
        return len(self.scans)

    @property
    def highlighted_region(self) -> str | None:
        """The region under the cursor, if any."""
        if not self._columns or not self._laid_out:
            return None
        index = self.cursor_row * self._columns + self.cursor_column
        return self._laid_out[index] if index < len(self._laid_out) else None

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _: self._layout(force=True))

    def on_resize(self, event: Resize) -> None:
        self._layout()

    def _layout(self, force: bool = False) -> None:
        width = self.size.width or 100
        columns = max(1, min(len(self.regions) or 1, width // CELL_WIDTH))
        if columns == self._columns and not force:
            return
        selected = self.highlighted_region  # in the layout shown until now
        self._columns = columns
        self._laid_out = list(self.regions)
        self.clear(columns=True)
        for index in range(columns):
            self.add_column(f"regions {index}", key=str(index), width=CELL_WIDTH - 2)
        for start in range(0, len(self.regions), columns):
            chunk = self.regions[start : start + columns]
            cells = [self._cell(r) for r in chunk]
            cells += [Text("")] * (columns - len(chunk))
            self.add_row(*cells)
        if selected in self.regions:
            row, column = divmod(self.regions.index(selected), columns)
            self.cursor_coordinate = Coordinate(row, column)

    @property
    def rows_needed(self) -> int:
        """Rows the grid takes at its current width."""
        return math.ceil(len(self.regions) / max(1, self._columns))

    def _cell(self, region: str) -> Text:
        scan = self.scans.get(region)
        if scan is None:
            return cell(self, ("… ", "dim"), (region, "dim italic"))
        mark, style = _OUTCOME_STYLE[scan.outcome]
        found = len(scan.clusters) + len(scan.instances)
        if scan.outcome is RegionOutcome.SCANNED:
            tail: tuple[str, str] = (f" {found}", "bold $text-warning") if found else ("", "")
        else:
            tail = (f" {_OUTCOME_WORD[scan.outcome]}", style)
        return cell(self, (f"{mark} ", style), region, tail)
