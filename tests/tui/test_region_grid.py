"""The regions grid as the operator sees it: laid out up front, each cell changing as its region
answers, and the finished scan bringing it up to date without moving the cursor."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from slrwizard.domain.models import RegionOutcome, RegionScan
from slrwizard.tui.widgets.regions import CELL_WIDTH, RegionGrid


class GridApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RegionGrid(id="regions")

    def on_mount(self) -> None:
        self.query_one(RegionGrid).focus()


def scanned(region: str) -> RegionScan:
    return RegionScan(region=region, outcome=RegionOutcome.SCANNED)


def grid_lines(grid: RegionGrid) -> list[str]:
    """Every row of the grid as the terminal shows it."""
    return [
        "".join(segment.text for segment in grid.render_line(y)) for y in range(grid.rows_needed)
    ]


def cells_shown(grid: RegionGrid) -> list[str]:
    """Every cell's text, left to right and top to bottom, as drawn (blank cells left out)."""
    shown = []
    for line in grid_lines(grid):
        for start in range(0, len(line), CELL_WIDTH):
            text = line[start : start + CELL_WIDTH].strip()
            if text:
                shown.append(text)
    return shown


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_regions_are_laid_out_sorted_and_each_answer_changes_its_own_cell() -> None:
    app = GridApp()
    async with app.run_test(size=(100, 20)) as pilot:
        grid = app.query_one(RegionGrid)
        regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2"]
        grid.reset(regions)
        await settle(pilot)
        before = cells_shown(grid)
        assert before == [f"… {region}" for region in sorted(regions)]  # every one scanning
        assert grid.rows_needed == 2  # four 22-cell columns fit in 100 columns

        grid.record(scanned("us-west-1"))
        await settle(pilot)
        after = cells_shown(grid)
        changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
        assert changed == [("… us-west-1", "✓ us-west-1")]
        assert grid.answered == 1

        denied = RegionScan(region="eu-west-2", outcome=RegionOutcome.DENIED, reason="Nope")
        grid.record(denied)
        await settle(pilot)
        assert "✗ eu-west-2 denied" in cells_shown(grid)

        grid.reset(regions)  # a new scan: every region scanning again
        await settle(pilot)
        assert cells_shown(grid) == before and grid.answered == 0


async def test_show_all_changes_only_what_the_answers_did_not_show() -> None:
    app = GridApp()
    async with app.run_test(size=(100, 20)) as pilot:
        grid = app.query_one(RegionGrid)
        regions = ["us-east-1", "eu-west-1", "ap-south-1"]
        grid.reset(regions)
        answers = [scanned(r) for r in regions]
        for answer in answers:
            grid.record(answer)
        await pilot.press("right", "right")  # onto us-east-1 (the grid is sorted)
        assert grid.highlighted_region == "us-east-1"
        shown = grid_lines(grid)

        grid.show_all(answers)  # the finished scan: the very answers already shown
        await settle(pilot)
        assert grid_lines(grid) == shown and grid.highlighted_region == "us-east-1"

        denied = RegionScan(region="eu-west-1", outcome=RegionOutcome.DENIED, reason="AccessDenied")
        grid.show_all([answers[0], denied, answers[2]])  # one answer differs: that cell
        await settle(pilot)
        assert cells_shown(grid) == ["✓ ap-south-1", "✗ eu-west-1 denied", "✓ us-east-1"]
        assert grid.highlighted_region == "us-east-1"

        grid.show_all([*answers, scanned("sa-east-1")])  # other regions: laid out again
        await settle(pilot)
        assert grid.regions == sorted([*regions, "sa-east-1"]) and grid.answered == 4
        assert cells_shown(grid) == [
            "✓ ap-south-1",
            "✓ eu-west-1",
            "✓ sa-east-1",
            "✓ us-east-1",
        ]
        assert grid.highlighted_region == "us-east-1"  # the cursor followed its region


async def test_a_narrower_grid_lays_the_regions_out_again() -> None:
    app = GridApp()
    async with app.run_test(size=(100, 20)) as pilot:
        grid = app.query_one(RegionGrid)
        regions = [f"xx-test-{i}" for i in range(1, 7)]
        grid.reset(regions)
        await settle(pilot)
        assert grid.rows_needed == 2
        await pilot.resize_terminal(50, 20)  # two columns of cells now
        await settle(pilot)
        assert grid.rows_needed == 3
        assert cells_shown(grid) == [f"… {region}" for region in regions]
