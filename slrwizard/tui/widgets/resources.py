"""Everything a scan found, clusters and standalone instances, as one sortable, filterable table.

The table is rebuilt from its rows whenever a region answers, the sort changes or the filter
changes: a few dozen rows at most, and rebuilding keeps sorting and filtering trivially correct.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from slrwizard.domain.models import Cluster, Instance, RegionScan
from slrwizard.tui.widgets.cells import cells

SHORT_ENGINES = {
    "aurora-mysql": "Aurora MySQL",
    "aurora": "Aurora MySQL",
    "aurora-postgresql": "Aurora PG",
    "docdb": "DocumentDB",
    "neptune": "Neptune",
    "postgres": "PostgreSQL",
}

COLUMNS = ("Region", "Cluster / instance", "Engine", "Status", "Inst.", "Prot.", "Global")


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
    """A region's clusters, then its standalone instances."""
    return [*(_cluster_row(c) for c in scan.clusters), *(_instance_row(i) for i in scan.instances)]


def _cluster_row(cluster: Cluster) -> ResourceRow:
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


def _instance_row(instance: Instance) -> ResourceRow:
    detail = (
        f"Standalone instance {instance.identifier} ({instance.engine_label} "
        f"{instance.engine_version}, {instance.instance_class or 'unknown class'})"
    )
    if instance.read_replica_source:
        detail += f"; read replica of {instance.read_replica_source}"
    return ResourceRow(
        key=instance.key,
        region=instance.region,
        name=instance.identifier,
        engine=SHORT_ENGINES.get(instance.engine, instance.engine_label),
        status=instance.status,
        instances="solo",
        protected=instance.deletion_protection,
        global_role="-",
        detail=detail + ".",
    )


class ResourceTable(DataTable[Text]):
    """Clusters and instances; ``sort_column``/``reverse`` and ``filter_text`` shape the view."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_key: dict[str, ResourceRow] = {}
        self.sort_column = 0
        self.reverse = False
        self.filter_text = ""
        self._rebuild_pending = False

    def on_mount(self) -> None:
        for index, label in enumerate(COLUMNS):
            self.add_column(label, key=str(index))
        self.app.theme_changed_signal.subscribe(self, lambda _: self.rebuild())

    def set_rows(self, rows: list[ResourceRow]) -> None:
        """Replace every row (a new scan)."""
        self.rows_by_key = {r.key: r for r in rows}
        self.rebuild()

    def add_region_rows(self, rows: list[ResourceRow]) -> None:
        """Add a region's rows as it answers; regions answering together share one redraw
        (a rebuild per region was quadratic: 20 regions x 2,000 rows)."""
        self.rows_by_key.update({r.key: r for r in rows})
        if not self._rebuild_pending:
            self._rebuild_pending = True
            self.set_timer(0.1, self._flush_rows)

    def _flush_rows(self) -> None:
        self._rebuild_pending = False
        self.rebuild()

    def cycle_sort(self) -> str:
        """Sort by the next column; returns its name."""
        self.sort_column = (self.sort_column + 1) % len(COLUMNS)
        self.rebuild()
        return COLUMNS[self.sort_column]

    def flip_sort(self) -> None:
        """Reverse the sort order."""
        self.reverse = not self.reverse
        self.rebuild()

    def set_filter(self, text: str) -> None:
        """Show only rows with ``text`` in any column (case-insensitive)."""
        self.filter_text = text.strip().lower()
        self.rebuild()

    @property
    def shown_rows(self) -> list[ResourceRow]:
        """The rows shown, in order."""
        rows = [
            r
            for r in self.rows_by_key.values()
            if not self.filter_text or any(self.filter_text in c.lower() for c in r.cells())
        ]

        def key(row: ResourceRow) -> tuple[object, ...]:
            cell = row.cells()[self.sort_column]
            primary: object = (int(cell), "") if cell.isdigit() else (-1, cell.lower())
            return (primary, row.region, row.name)

        return sorted(rows, key=key, reverse=self.reverse)

    @property
    def highlighted(self) -> ResourceRow | None:
        """The row under the cursor."""
        visible = self.shown_rows
        if not visible or not 0 <= self.cursor_row < len(visible):
            return None
        return visible[self.cursor_row]

    def rebuild(self) -> None:
        """Redraw from the rows, keeping the cursor on the same resource."""
        current = self.highlighted
        self.clear()
        visible = self.shown_rows
        for row in visible:
            self.add_row(*self._styled(row), key=row.key)
        if current is not None and current in visible:
            self.move_cursor(row=visible.index(current))
        # Widths from all rows, not only those measured so far: rows are rebuilt as regions
        # answer, and a column sized before its widest cell arrived would clip it.
        every = list(self.rows_by_key.values())
        for index, column in enumerate(self.columns.values()):
            arrow = (" ▼" if self.reverse else " ▲") if index == self.sort_column else ""
            column.label = Text(COLUMNS[index] + arrow)
            widest = max((len(r.cells()[index]) for r in every), default=0)
            column.content_width = max(widest, len(COLUMNS[index]) + 2)
        self._require_update_dimensions = True
        self.refresh()

    def _styled(self, row: ResourceRow) -> list[Text]:
        values: list[str | tuple[str, str]] = list(row.cells())
        if row.protected:
            values[5] = ("yes", "bold $text-warning")
        if row.status != "available":
            values[3] = (row.status, "$text-warning")
        return cells(self, values)
