"""Everything a scan found, clusters and standalone instances, as one sortable, filterable table.

A scan can find thousands of resources, and the table must keep answering keystrokes while it
fills, so it changes incrementally:

- rows found while regions are still answering are held, and shown once the answers pause for
  ``QUIET`` seconds, at the latest ``HOLD_AT_MOST`` seconds after the first of them, or when the
  scan ends: each change of the table draws its visible rows again, on the UI thread, while the
  scan's threads need the same interpreter lock to read their answers (a keystroke waited 100-250
  ms behind those redraws in a 3,000-resource scan). A region that is slow to answer (a timeout)
  does not hide what the others found;
- held rows are appended a slice at a time (~``SLICE_SECONDS`` of the UI thread per frame), then
  sorted in place (``DataTable.sort``) rather than cleared and re-added, unless they outnumber the
  rows shown: then the table is refilled in order, with no sorting; the scan's final result, the
  same rows, changes nothing;
- a change of sort order sorts in place; only a new filter or theme clears the table, and the rows
  then come back in slices, in order, so the visible top is drawn first;
- each row's styled cells are made once (per theme), and the column widths are set from the rows'
  text (every row, filtered out or not), so widths do not jump with the filter;
- the cursor stays on the same resource, found by its row key.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

# Textual imports its scrollbars the first time a widget needs one, and a table that fills during
# a scan first needs one mid-scan: that import, on the UI thread while the scan's threads hold the
# GIL, took ~0.4 s (keystrokes waited behind it). It costs <1 ms here, before the scan starts.
import textual.scrollbar  # noqa: F401
from rich.cells import cell_len
from rich.text import Text
from textual.coordinate import Coordinate
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

from slrwizard.domain.models import RegionSource, ScanResult
from slrwizard.tui.related_text import SHORT, attached_cell, database_notes, related_detail
from slrwizard.tui.widgets.cells import cells

if TYPE_CHECKING:
    from slrwizard.domain.models import Cluster, Instance, RegionScan, RelatedResource

SHORT_ENGINES = {
    "aurora-mysql": "Aurora MySQL",
    "aurora": "Aurora MySQL",
    "aurora-postgresql": "Aurora PG",
    "docdb": "DocumentDB",
    "neptune": "Neptune",
    "postgres": "PostgreSQL",
}

COLUMNS = ("Region", "Database", "Engine", "Status", "Members", "Protected", "Global")
"""Whole words, no abbreviations: "Members" counts a cluster's instances, and a standalone
instance (a database of its own) says "standalone" there."""

SLICE_SECONDS = 0.012
"""UI time spent adding rows before letting a frame (and any keystroke) through. Every change
draws the whole view again (~25 ms of CPU for 36 lines of seven cells), and the ``DataTable``
measures the new rows' cells when it is next idle (~0.1 ms a row): with 12 ms a slice, filling
2,000 rows took 14 frames and no piece of the work over ~25 ms of CPU; with 6 ms, 21 frames and
50 % more time drawing; with 20 ms, the same frames as 12 ms and longer measuring."""
SLICE_MIN_ROWS = 100
"""Rows added per slice however slow the machine is, so that filling always progresses."""
QUIET = 0.5
"""Seconds without a new answer after which the rows held during a scan are shown."""
HOLD_AT_MOST = 3.0
"""Seconds rows found during a scan are held at most while regions keep answering."""


@dataclass(frozen=True)
class ResourceRow:
    """One line of the table, with the text each column shows."""

    key: str
    region: str
    name: str
    engine: str
    status: str
    instances: str
    protected: bool
    global_role: str
    detail: str

    def cells(self) -> tuple[str, ...]:
        """The cells as plain text (what sorting and filtering see)."""
        return (
            self.region,
            self.name,
            self.engine,
            self.status,
            self.instances,
            "yes" if self.protected else "no",
            self.global_role,
        )


def rows_from_scan(scan: RegionScan) -> list[ResourceRow]:
    """A region's clusters, then its standalone instances, then what stands beside them."""
    whole = ScanResult(
        regions=[scan], region_source=RegionSource.USER, started=_EPOCH, finished=_EPOCH
    )
    return [
        *(_cluster_row(c, whole) for c in scan.clusters),
        *(_instance_row(i, whole) for i in scan.instances),
        *(_related_row(x) for x in scan.related),
    ]


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _related_row(x: RelatedResource) -> ResourceRow:
    return ResourceRow(
        key=x.key,
        region=x.region,
        name=x.name or x.identifier,
        engine=SHORT[x.kind],
        status=x.status,
        instances=attached_cell(x),
        protected=x.deletion_protection,
        global_role="-",
        detail=related_detail(x),
    )


def _cluster_row(cluster: Cluster, whole: ScanResult | None = None) -> ResourceRow:
    writers = [m.identifier for m in cluster.writers]
    readers = [m.identifier for m in cluster.readers]
    members = (
        f"writer {', '.join(writers) or 'none'}; readers {', '.join(readers) or 'none'}"
        if cluster.members
        else "no instances"
    )
    role = ""
    if cluster.global_cluster_id:
        role = "primary" if cluster.global_cluster_primary else "secondary"
    detail = f"Cluster {cluster.identifier} ({cluster.engine_label} {cluster.engine_version}): "
    detail += members
    if cluster.global_cluster_id:
        detail += f"; {role} of global database {cluster.global_cluster_id}"
    if cluster.replication_source:
        detail += f"; read replica of {cluster.replication_source}"
    detail += database_notes(whole, cluster)
    return ResourceRow(
        key=cluster.key,
        region=cluster.region,
        name=cluster.identifier,
        engine=SHORT_ENGINES.get(cluster.engine, cluster.engine_label),
        status=cluster.status,
        instances=str(len(cluster.members)),
        protected=cluster.deletion_protection,
        global_role=role or "-",
        detail=detail + ".",
    )


def _instance_row(instance: Instance, whole: ScanResult | None = None) -> ResourceRow:
    detail = (
        f"Standalone instance {instance.identifier} ({instance.engine_label} "
        f"{instance.engine_version}, {instance.instance_class or 'unknown class'})"
    )
    side = whole.blue_green_side(instance.region, instance.identifier) if whole else None
    if instance.read_replica_source and (side is None or side[0] != "green"):
        detail += f"; read replica of {instance.read_replica_source}"
    detail += database_notes(whole, instance)
    return ResourceRow(
        key=instance.key,
        region=instance.region,
        name=instance.identifier,
        engine=SHORT_ENGINES.get(instance.engine, instance.engine_label),
        status=instance.status,
        instances=f"{side[0]} (B/G)" if side else "standalone",
        protected=instance.deletion_protection,
        global_role="-",
        detail=detail + ".",
    )


def _order(cell: str, region: str, name: str) -> tuple[tuple[int, str], str, str]:
    """Sort key: the sorted column (numbers as numbers), then region and name."""
    primary = (int(cell), "") if cell.isdigit() else (-1, cell.lower())
    return (primary, region, name)


class ResourceTable(DataTable[Text]):
    """Clusters and instances; ``sort_column``/``reverse`` and ``filter_text`` shape the view.

    ``rows_by_key`` holds every row found; the table shows those passing the filter, sorted.
    Rows still queued to be shown (a few frames' worth at most) are in ``pending``.
    """

    class Filled(Message):
        """Every queued row is in the table now."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_key: dict[str, ResourceRow] = {}
        self.sort_column = 0
        self.reverse = False
        self.filter_text = ""
        self._queue: deque[ResourceRow] = deque()
        self._out_of_order = False  # rows were appended that the next slice must sort in place
        self._follow: str | None = None  # the resource the cursor goes back to once it is shown
        self._draining = False
        self._held_since: float | None = None  # when the rows now held began to be held
        self._hold_timer: Timer | None = None
        self._styled_cells: dict[str, list[Text]] = {}  # per row key, in the current theme
        self._widths = [len(label) + 2 for label in COLUMNS]

    def on_mount(self) -> None:
        for index, label in enumerate(COLUMNS):
            self.add_column(label, key=str(index))
        self._widen(())
        self._update_labels()
        self._drain()  # rows given before the columns existed
        self.app.theme_changed_signal.subscribe(self, lambda _: self._restyle())

    # -- feeding rows -----------------------------------------------------------------------
    def set_rows(self, rows: Iterable[ResourceRow]) -> None:
        """Show exactly ``rows`` (a new scan, or a finished one). Rows already shown stay: at the
        end of a scan, whose regions' rows were added as they answered, nothing is redrawn."""
        self._stop_holding()
        new = {r.key: r for r in rows}
        old = self.rows_by_key
        if old and len(new) >= len(old) and all(new.get(k) == row for k, row in old.items()):
            self._add([row for key, row in new.items() if key not in old])
            if len(self._queue) > self.row_count:  # mostly rows never shown: in order, unsorted
                self._rebuild()
            else:
                self._drain()  # a small table is complete at once, a large one in a few frames
            return
        self.rows_by_key = new
        self._styled_cells = {k: v for k, v in self._styled_cells.items() if k in new}
        self._widths = [len(label) + 2 for label in COLUMNS]
        self._widen(new.values())
        self._rebuild()

    def add_region_rows(self, rows: Iterable[ResourceRow]) -> None:
        """Add a region's rows as it answers. They are held until the answers pause (``QUIET``)
        or for ``HOLD_AT_MOST`` seconds, then appended and sorted in place: regions answering
        together share one batch, and no row already shown is made again."""
        incoming = {r.key: r for r in rows}
        changed = [key for key, row in incoming.items() if self.rows_by_key.get(key, row) != row]
        if changed:  # a region answered again, differently: rare, redraw from the rows
            self._stop_holding()
            self.rows_by_key.update(incoming)
            for key in changed:
                self._styled_cells.pop(key, None)
            self._widen(incoming.values())
            self._rebuild()
            return
        self._add([row for key, row in incoming.items() if key not in self.rows_by_key])
        if not self._queue:
            return
        now = time.monotonic()
        if self._held_since is None:
            self._held_since = now
        if self._hold_timer is not None:
            self._hold_timer.stop()
        wait = max(0.0, min(QUIET, self._held_since + HOLD_AT_MOST - now))
        self._hold_timer = self.set_timer(wait, self._show_held)

    @property
    def holding(self) -> int:
        """Rows found during the scan and held back until its answers pause."""
        return len(self._queue) if self._hold_timer is not None else 0

    def _show_held(self) -> None:
        self._hold_timer = None
        self._held_since = None
        if len(self._queue) > self.row_count:
            self._rebuild()  # mostly rows never shown: in order, nothing to sort
        else:
            self._drain()

    def _stop_holding(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
        self._hold_timer = None
        self._held_since = None

    @property
    def pending(self) -> int:
        """Rows passing the filter that are not in the table yet (queued for the next frames)."""
        return len(self._queue)

    def _add(self, rows: list[ResourceRow]) -> None:
        """New rows: into the model, and those passing the filter into the queue."""
        if not rows:
            return
        for row in rows:
            self.rows_by_key[row.key] = row
        self._widen(rows)
        shown = [row for row in rows if self._passes(row)]
        if shown:
            self._queue.extend(shown)
            self._out_of_order = True

    def _widen(self, rows: Iterable[ResourceRow]) -> None:
        """Column widths from every row, filtered out or not: a column sized before its widest
        cell arrived would clip it, and widths that changed with the filter would jump."""
        widths = self._widths
        for row in rows:
            for index, text in enumerate(row.cells()):
                width = cell_len(text)
                if width > widths[index]:
                    widths[index] = width
        for width, column in zip(widths, self.ordered_columns, strict=False):  # none before mount
            column.content_width = width

    def _schedule(self) -> None:
        """Drain the next slice after the next refresh."""
        if not (self._queue or self._out_of_order) or self._draining:
            return
        self._draining = self.call_after_refresh(self._drain_later)

    def _drain_later(self) -> None:
        self._draining = False
        self._drain()

    def _drain(self) -> None:
        """Add one slice of the queued rows (about ``SLICE_SECONDS`` of work), sort in place if
        they came out of order, put the cursor back on its resource, and come back next frame."""
        if not self.columns:
            return
        follow = self._follow or self._cursor_key()
        queue, shown = self._queue, self.rows
        had_queue = bool(queue)
        started = time.perf_counter()
        added = 0
        while queue and (added < SLICE_MIN_ROWS or time.perf_counter() - started < SLICE_SECONDS):
            row = queue.popleft()
            if row.key in shown:
                continue
            self.add_row(*self._cells_of(row), key=row.key)
            added += 1
        if self._out_of_order:
            self._sort_in_place()
            self._out_of_order = bool(queue)
        if follow is not None and follow in shown:
            self._follow = None
            index = self.get_row_index(follow)
            if index != self.cursor_row:
                self.move_cursor(row=index)
        if not queue:
            self._follow = None
            if had_queue:
                self.post_message(self.Filled())
        self._schedule()

    def _rebuild(self) -> None:
        """Clear the table and queue the rows passing the filter, in order (the first slice is
        added now: a small table is complete at once)."""
        self._stop_holding()
        self._follow = self._follow or self._cursor_key()
        self.clear()
        ordered = sorted(
            (row for row in self.rows_by_key.values() if self._passes(row)),
            key=self._row_order,
            reverse=self.reverse,
        )
        self._queue = deque(ordered)
        self._out_of_order = False  # appended in order to an empty table
        self._update_labels()
        self._drain()

    def _restyle(self) -> None:
        """The theme changed: every styled cell is made again."""
        self._styled_cells.clear()
        self._rebuild()

    # -- sorting and filtering --------------------------------------------------------------
    def cycle_sort(self) -> str:
        """Sort by the next column; returns its name."""
        self.sort_column = (self.sort_column + 1) % len(COLUMNS)
        self._resort()
        return COLUMNS[self.sort_column]

    def flip_sort(self) -> None:
        """Reverse the sort order."""
        self.reverse = not self.reverse
        self._resort()

    def set_filter(self, text: str) -> None:
        """Show only rows with ``text`` in any column (case-insensitive)."""
        text = text.strip().lower()
        if text != self.filter_text:
            self.filter_text = text
            self._rebuild()

    def _resort(self) -> None:
        """Sort the shown rows in place, keeping the cursor on its resource."""
        follow = self._cursor_key()
        self._sort_in_place()
        if self._queue:
            self._queue = deque(sorted(self._queue, key=self._row_order, reverse=self.reverse))
            self._out_of_order = True
        self._update_labels()
        if follow is not None:
            self.move_cursor(row=self.get_row_index(follow))

    def _sort_in_place(self) -> None:
        column = str(self.sort_column)

        def order(cells: tuple[Text, Text, Text]) -> tuple[tuple[int, str], str, str]:
            return _order(cells[0].plain, cells[1].plain, cells[2].plain)

        self.sort(column, "0", "1", key=order, reverse=self.reverse)

    def _row_order(self, row: ResourceRow) -> tuple[tuple[int, str], str, str]:
        return _order(row.cells()[self.sort_column], row.region, row.name)

    def _passes(self, row: ResourceRow) -> bool:
        text = self.filter_text
        return not text or any(text in cell.lower() for cell in row.cells())

    def _update_labels(self) -> None:
        for index, column in enumerate(self.ordered_columns):
            arrow = (" ▼" if self.reverse else " ▲") if index == self.sort_column else ""
            column.label = Text(COLUMNS[index] + arrow)
        self.refresh()

    # -- reading ----------------------------------------------------------------------------
    @property
    def shown_rows(self) -> list[ResourceRow]:
        """Every row passing the filter, in the sort order: what the table shows once no row
        is pending. Sorts them all on each call; ``highlighted`` is the cheap question."""
        return sorted(
            (row for row in self.rows_by_key.values() if self._passes(row)),
            key=self._row_order,
            reverse=self.reverse,
        )

    @property
    def highlighted(self) -> ResourceRow | None:
        """The row under the cursor."""
        key = self._cursor_key()
        return None if key is None else self.rows_by_key.get(key)

    def _cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key: RowKey = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        except CellDoesNotExist:
            return None
        return key.value

    # -- drawing ----------------------------------------------------------------------------
    def _cells_of(self, row: ResourceRow) -> list[Text]:
        styled = self._styled_cells.get(row.key)
        if styled is None:
            styled = self._styled_cells[row.key] = self._styled(row)
        return styled

    def _styled(self, row: ResourceRow) -> list[Text]:
        values: list[str | tuple[str, str]] = list(row.cells())
        if row.protected:
            values[5] = ("yes", "bold $text-warning")
        if row.status != "available":
            values[3] = (row.status, "$text-warning")
        return cells(self, values)
