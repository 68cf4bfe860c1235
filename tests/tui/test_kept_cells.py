"""The tables' own rendering of a one-line text cell is the ``DataTable``'s, segment for segment.

``KeptCellsTable._render_text_cell`` builds a plain cell's segments directly instead of going
through Rich's ``Styled(Padding(...))``; this renders every cell of a filled resource table and
region grid both ways, under every cursor and hover combination and in a dark and a light theme,
and compares them (text and style of every segment, mouse metadata included).
"""

from __future__ import annotations

import itertools

import pytest
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable

from slrwizard.domain.models import RegionOutcome, RegionScan
from slrwizard.tui.widgets.kept import KeptCellsTable
from slrwizard.tui.widgets.regions import RegionGrid
from slrwizard.tui.widgets.resources import ResourceTable

from .test_resource_table import make_rows


class TablesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(id="resources")
        yield RegionGrid(id="regions")


def both_ways(table: KeptCellsTable, row: int, column: int, **flags: bool) -> tuple[object, ...]:
    """(ours, the DataTable's) for one cell: a list of lines of (text, style) pairs each."""
    width = table.ordered_columns[column].get_render_width(table)
    base = table.rich_style
    row_key, _ = table.coordinate_to_cell_key(Coordinate(row, column))
    ours = table._render_text_cell(
        row, column, row_key, base, width, flags["cursor"], flags["hover"]
    )
    theirs = DataTable._render_cell(table, row, column, base, width, **flags)

    def plain(lines: list[list[Segment]] | None) -> object:
        return None if lines is None else [[(s.text, s.style) for s in line] for line in lines]

    return plain(ours), plain(theirs)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_every_text_cell_renders_as_the_data_table_renders_it(theme: str) -> None:
    app = TablesApp()
    async with app.run_test(size=(140, 40)) as pilot:
        app.theme = theme
        table = app.query_one(ResourceTable)
        table.set_rows(make_rows(30))
        grid = app.query_one(RegionGrid)
        regions = ["us-east-1", "eu-west-1", "ap-southeast-3", "me-central-1", "sa-east-1"]
        grid.reset(regions)
        grid.record(RegionScan(region="us-east-1", outcome=RegionOutcome.SCANNED))
        grid.record(RegionScan(region="eu-west-1", outcome=RegionOutcome.DENIED, reason="no"))
        grid.record(RegionScan(region="sa-east-1", outcome=RegionOutcome.SKIPPED_DISABLED))
        await pilot.pause(0.3)
        compared = 0
        for widget in (table, grid):
            for row, column in itertools.product(
                range(min(widget.row_count, 12)), range(len(widget.ordered_columns))
            ):
                for cursor, hover in itertools.product((False, True), repeat=2):
                    ours, theirs = both_ways(widget, row, column, cursor=cursor, hover=hover)
                    if ours is None:
                        continue  # not a one-line text cell that fits: the table renders it
                    assert ours == theirs, (type(widget).__name__, row, column, cursor, hover)
                    compared += 1
        # Every cell of both tables took the direct path: none was left to the table.
        assert compared == 4 * (12 * len(table.ordered_columns) + grid.row_count * grid._columns)


async def test_the_style_taken_once_a_pass_follows_the_theme() -> None:
    """The tables take their own style once per rendering pass, not once a line: a theme
    changed between passes is in every line of the next."""
    app = TablesApp()
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows(make_rows(30))
        await pilot.pause()

        def backgrounds() -> set[object]:
            lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
            return {segment.style.bgcolor for line in lines for segment in line if segment.style}

        before, style = backgrounds(), table.rich_style  # taken outside any pass: current
        assert style.bgcolor in before
        app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
        await pilot.pause()
        after, style_now = backgrounds(), table.rich_style
        assert style_now.bgcolor != style.bgcolor
        assert style_now.bgcolor in after and style.bgcolor not in after
