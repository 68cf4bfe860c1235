"""The scan's table as it fills, sorts and filters: real Textual apps driven by the Pilot.

The table holds a scan's rows until its answers pause, then adds them incrementally (a slice per
frame, sorted in place) instead of rebuilding, so these check what the operator sees: the rows in
the table, in order, when they appear, the cursor staying on its resource, the rendered lines,
and the filter in the scan screen waiting for the typing to pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from slrwizard.collector import CYCLIC_GC
from slrwizard.tui.app import WizardApp
from slrwizard.tui.widgets import resources
from slrwizard.tui.widgets.resources import ResourceRow, ResourceTable

from .helpers import to_scan, until

REGIONS = ("us-east-1", "eu-west-1", "ap-south-1", "sa-east-1")


def make_rows(count: int, regions: tuple[str, ...] = REGIONS) -> list[ResourceRow]:
    """``count`` rows spread over ``regions``; every 7th not available, every 5th protected."""
    rows = []
    for i in range(count):
        region = regions[i % len(regions)]
        name = f"db-{i:04d}"
        rows.append(
            ResourceRow(
                key=f"{region}/{name}",
                region=region,
                name=name,
                engine="Aurora PG" if i % 3 else "PostgreSQL",
                status="available" if i % 7 else "modifying",
                instances="solo" if i % 2 else str(i % 4),
                protected=i % 5 == 0,
                global_role="-",
                detail=f"Resource {name} in {region}.",
            )
        )
    return rows


def by_region(rows: list[ResourceRow]) -> dict[str, list[ResourceRow]]:
    grouped: dict[str, list[ResourceRow]] = {}
    for row in rows:
        grouped.setdefault(row.region, []).append(row)
    return grouped


def in_order(rows: list[ResourceRow], column: int = 0, reverse: bool = False) -> list[str]:
    """Keys in the table's order: the column (numbers as numbers), then region, then name."""

    def order(row: ResourceRow) -> tuple[tuple[int, str], str, str]:
        cell = row.cells()[column]
        primary = (int(cell), "") if cell.isdigit() else (-1, cell.lower())
        return (primary, row.region, row.name)

    return [r.key for r in sorted(rows, key=order, reverse=reverse)]


def shown(table: ResourceTable) -> list[str]:
    """The keys of the rows in the DataTable itself, top to bottom."""
    return [str(row.key.value) for row in table.ordered_rows]


def line_text(table: ResourceTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.filled = 0

    def compose(self) -> ComposeResult:
        yield ResourceTable(id="resources")

    def on_mount(self) -> None:
        self.query_one(ResourceTable).focus()

    def on_resource_table_filled(self) -> None:
        self.filled += 1


async def filled(pilot: Pilot[None], table: ResourceTable) -> None:
    await until(pilot, lambda: table.pending == 0, "every queued row in the table")  # type: ignore[arg-type]
    await pilot.pause()
    assert table.row_count == len(table.shown_rows)


async def test_rows_added_during_a_scan_appear_sorted_and_the_cursor_keeps_its_resource() -> None:
    rows = make_rows(400)
    regions = by_region(rows)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.add_region_rows(regions["us-east-1"])  # answers first
        await filled(pilot, table)
        assert shown(table) == in_order(regions["us-east-1"])
        await pilot.press("down", "down")
        target = table.highlighted
        assert target is not None and target.key == shown(table)[2]

        added = list(regions["us-east-1"])
        for region in ("sa-east-1", "ap-south-1", "eu-west-1"):  # some sort above the cursor
            table.add_region_rows(regions[region])
            added += regions[region]
            await filled(pilot, table)
            assert shown(table) == in_order(added)
            assert table.highlighted == target
            assert table.cursor_row == shown(table).index(target.key)


async def test_rows_are_held_while_regions_keep_answering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Times far apart from the test's own cadence (an answer every 0.25 s), so that a machine
    # running other tests on every core cannot blur a pause into a stream or the reverse.
    quiet, hold_at_most = 1.0, 2.0
    monkeypatch.setattr(resources, "QUIET", quiet)
    monkeypatch.setattr(resources, "HOLD_AT_MOST", hold_at_most)
    rows = make_rows(400)
    regions = by_region(rows)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.add_region_rows(regions["us-east-1"])
        await pilot.pause(0.1)
        assert table.row_count == 0 and table.holding == 100  # answers may still be coming
        await until(pilot, lambda: table.row_count == 100, "the answers to pause")
        assert table.holding == 0 and shown(table) == in_order(regions["us-east-1"])

        # Answers every 0.25 s, never a pause: the held rows still show within HOLD_AT_MOST.
        added = list(regions["us-east-1"])
        started = last = time.monotonic()
        longest_gap = 0.0
        for region in ("sa-east-1", "ap-south-1", "eu-west-1") * 4:
            now = time.monotonic()
            longest_gap, last = max(longest_gap, now - last), now
            table.add_region_rows(regions[region])
            added += [r for r in regions[region] if r not in added]
            await pilot.pause(0.25)
            if table.row_count > 100:
                break
        assert table.row_count > 100, "held rows shown while regions keep answering"
        assert longest_gap < quiet, "the answers paused: this run did not test the cap"
        assert time.monotonic() - started < hold_at_most + 1.0
        await filled(pilot, table)
        assert shown(table) == in_order(added)


async def test_held_rows_never_shown_are_added_in_order() -> None:
    rows = make_rows(600)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        for region_rows in by_region(rows).values():
            table.add_region_rows(region_rows)
        assert table.row_count == 0 and table.holding == 600
        assert "db-" not in line_text(table, 1)  # nothing shown while the answers come

        table.set_rows(rows)  # the scan ended: its rows, held until now
        assert table.holding == 0
        # The first slice is shown at once, the rest follows below it, every row in its place.
        assert table.row_count > 0
        assert shown(table) == in_order(rows)[: table.row_count]
        await filled(pilot, table)
        assert shown(table) == in_order(rows)
        await pilot.pause()
        assert app.filled == 1  # said once, when the last row is in


async def test_rows_added_below_the_view_leave_it_alone_and_can_be_scrolled_to() -> None:
    """A large table fills below the view a slice per frame: the top of the table stays on
    screen, in order, the scroll range follows, and the last rows are there to scroll to."""
    rows = make_rows(1500)
    order = in_order(rows)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows(rows)  # in order, a slice a frame
        await until(pilot, lambda: table.size.height > 20, "the view full of rows")
        height = table.size.height
        seen_top: list[str] = []
        while table.pending:  # while it fills, the operator keeps seeing the first rows
            seen_top.append(line_text(table, 1))
            assert table.rows_by_key[order[0]].name in seen_top[-1]
            assert table.rows_by_key[order[height - 2]].name in line_text(table, height - 1)
            await pilot.pause()
        assert seen_top, "the table was complete at once: nothing was added below the view"
        await filled(pilot, table)
        assert shown(table) == order
        assert table.virtual_size.height == len(rows) + 1  # the header
        table.scroll_end(animate=False)
        await pilot.pause()
        assert table.rows_by_key[order[-1]].name in line_text(table, height - 1)
        await pilot.press("ctrl+end")  # the cursor can get there too
        assert table.highlighted == table.rows_by_key[order[-1]]


async def test_the_final_result_does_not_rebuild_rows_already_shown() -> None:
    rows = make_rows(300)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        for region_rows in by_region(rows).values():
            table.add_region_rows(region_rows)
        await filled(pilot, table)
        await pilot.press("pagedown")
        target, scrolled = table.highlighted, table.scroll_y
        assert scrolled > 0
        screen_before = [line_text(table, y) for y in range(table.size.height)]

        table.set_rows(rows)  # ScanScreen at the end of the scan: the same rows
        # Still all there, at once (a table filled again would start over, a few rows a frame).
        assert table.row_count == len(rows) and table.pending == 0
        await pilot.pause()
        assert shown(table) == in_order(rows)
        assert (table.highlighted, table.scroll_y) == (target, scrolled)
        assert [line_text(table, y) for y in range(table.size.height)] == screen_before

        table.set_rows(rows[:10])  # a different scan: replaced
        await filled(pilot, table)
        assert shown(table) == in_order(rows[:10])


async def test_sorting_in_place_by_each_column_and_reversed() -> None:
    rows = make_rows(120)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows(rows)
        await filled(pilot, table)
        await pilot.press("down", "down", "down")
        target = table.highlighted
        assert target is not None
        for column in range(1, 7):
            table.cycle_sort()
            await pilot.pause()
            assert table.sort_column == column
            assert shown(table) == in_order(rows, column)
            assert table.highlighted == target  # the cursor stays on its resource
        table.flip_sort()
        await pilot.pause()
        assert shown(table) == in_order(rows, 6, reverse=True)
        assert table.highlighted == target
        assert [r.key for r in table.shown_rows] == shown(table)
        # The header shows the order.
        assert str(table.ordered_columns[6].label) == "Global ▼"
        assert str(table.ordered_columns[0].label) == "Region"


async def test_rendered_lines_follow_each_new_order() -> None:
    """A row sorted in place is drawn at its new place, and a click lands on the row drawn."""
    rows = make_rows(41)  # odd: reversed, a row keeps its zebra stripe (its style) but moves
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows(rows)
        await filled(pilot, table)
        target = table.highlighted
        assert target is not None
        for flip in range(3):
            table.flip_sort()
            await pilot.pause()
            assert table.highlighted == target  # at the other end of the table now
            for y in (1, 2, 10):  # line 0 is the header
                row = table.rows_by_key[shown(table)[y - 1 + round(table.scroll_y)]]
                assert row.name in line_text(table, y), f"flip {flip}, line {y}"
            assert target.name in line_text(table, 1 + table.cursor_row - round(table.scroll_y))
            # A click goes to the row drawn there (the cells carry their row's index).
            await pilot.click(ResourceTable, offset=(3, 4))
            await pilot.pause()
            clicked = table.highlighted
            assert clicked is not None and clicked.name in line_text(table, 4)
            table.move_cursor(row=shown(table).index(target.key))
            await pilot.pause()
        table.cycle_sort()  # by name
        await pilot.pause()
        assert "Database ▼" in line_text(table, 0)
        top = shown(table)[round(table.scroll_y)]
        assert table.rows_by_key[top].name in line_text(table, 1)


async def test_the_highlight_follows_the_cursor_and_rows_below_change_nothing() -> None:
    """The cursor's line and the one it left are drawn again; rows added below the view leave
    the lines on screen as they were."""
    rows = make_rows(30)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows(rows)
        await filled(pilot, table)

        def styles(y: int) -> set[str]:
            return {str(segment.style) for segment in table.render_line(y)}

        first, second = styles(1), styles(2)
        await pilot.press("down")
        assert table.cursor_row == 1
        assert styles(1) != first and styles(2) != second  # the highlight moved
        await pilot.press("up")
        assert (styles(1), styles(2)) == (first, second)
        table.add_region_rows(make_rows(3, ("zz-end-1",)))  # below the view: lines unchanged
        await filled(pilot, table)
        assert (styles(1), styles(2)) == (first, second)


async def test_filter_shows_matching_rows_then_all_again_in_order() -> None:
    rows = make_rows(1500)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows(rows)
        await filled(pilot, table)
        assert table.row_count == 1500
        table.move_cursor(row=1200)  # far down: us-east-1 sorts last
        await pilot.pause()
        target = table.highlighted
        assert target is not None and target.region == "us-east-1"

        table.set_filter("  US-East ")
        await filled(pilot, table)
        assert shown(table) == in_order([r for r in rows if r.region == "us-east-1"])
        assert table.highlighted == target

        table.set_filter("")
        assert table.pending > 0  # 1,500 rows come back over a few frames...
        assert table.row_count < 1500
        await filled(pilot, table)
        assert shown(table) == in_order(rows)  # ...in order, every one of them
        assert table.highlighted == target  # and the cursor found its resource again
        assert table.cursor_row == 1200

        table.set_filter("modifying")
        await filled(pilot, table)
        assert shown(table) == in_order([r for r in rows if r.status == "modifying"])
        table.set_filter("no such thing")
        await filled(pilot, table)
        assert table.row_count == 0 and table.highlighted is None


async def test_cells_are_styled_in_the_current_theme() -> None:
    rows = make_rows(8)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows(rows)
        await filled(pilot, table)
        modifying = next(r for r in rows if r.status == "modifying")

        def status_color() -> str:
            cell = table.get_cell(modifying.key, "3")
            assert isinstance(cell, Text) and cell.plain == "modifying"
            return str(cell.spans[0].style.color.name)  # type: ignore[union-attr]

        dark = status_color()
        assert dark.lower() == app.get_css_variables()["text-warning"][:7].lower()
        app.theme = "textual-light"
        await filled(pilot, table)
        light = status_color()
        assert light.lower() == app.get_css_variables()["text-warning"][:7].lower()
        assert light != dark
        assert shown(table) == in_order(rows)


async def test_scan_screen_filters_once_the_typing_pauses(
    make_app: Callable[..., WizardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    from slrwizard.tui.screens import scan

    monkeypatch.setattr(scan, "FILTER_DELAY", 1.5)  # far longer than a loaded machine's keystroke
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_scan(pilot)
        table = app.screen.query_one(ResourceTable)
        everything = shown(table)
        assert len(everything) == 22  # 15 databases, and 7 related resources beside them

        await pilot.press("slash", *"neptune")
        assert table.filter_text == "" and shown(table) == everything  # still typing
        await until(pilot, lambda: table.filter_text == "neptune", "the filter to apply")
        await pilot.pause()
        assert [table.rows_by_key[k].name for k in shown(table)] == ["fraud-graph"]
        detail = str(app.screen.query_one("#detail").render())
        assert "fraud-graph" in detail

        await pilot.press("escape")  # clears at once
        assert table.filter_text == ""
        await pilot.pause()
        assert shown(table) == everything and table.has_focus

        await pilot.press("slash", *"orders", "enter")  # Enter does not wait
        assert table.filter_text == "orders" and table.has_focus
        assert shown(table) and all("orders" in table.rows_by_key[k].name for k in shown(table))


async def test_scan_screen_holds_the_collector_until_its_table_is_full(
    make_app: Callable[..., WizardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from slrwizard.tui.screens.scan import ScanScreen

    seen: list[tuple[bool, bool]] = []  # (held, collector on) as each region answered
    lines: list[str] = []  # the line under the table, after each answer
    answered = ScanScreen.on_region_scanned

    def watch(screen: ScanScreen, message: object) -> None:
        seen.append((CYCLIC_GC.held, gc.isenabled()))
        answered(screen, message)  # type: ignore[arg-type]
        lines.append(str(screen.query_one("#detail").render()))

    monkeypatch.setattr(ScanScreen, "on_region_scanned", watch)
    was_enabled = gc.isenabled()  # an earlier test in this process may have turned it off
    gc.enable()
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_scan(pilot)
        table = app.screen.query_one(ResourceTable)
        await until(pilot, lambda: table.pending == 0 and not CYCLIC_GC.held, "a full table")
        assert table.row_count == 22 and gc.isenabled()  # 15 databases, 7 beside them
        assert seen and set(seen) == {(True, False)}
        # While rows are held, the line under the table says how many and why they wait.
        held = [line for line in lines if "found so far; shown when the answers pause" in line]
        assert held and all(line.split()[0].isdigit() for line in held)

        seen.clear()
        await pilot.press("r")  # a rescan holds it again, from its start
        await until(pilot, lambda: len(seen) >= 5, "the rescan's regions")
        await until(pilot, lambda: not CYCLIC_GC.held, "the rescan's table to fill")
        assert set(seen) == {(True, False)}
        assert gc.isenabled() and table.row_count == 22
    if not was_enabled:
        gc.disable()
