"""The regions grid at the end of a scan: brought up to date, not laid out again for nothing."""

from __future__ import annotations

from textual.app import App, ComposeResult

from slrwizard.domain.models import RegionOutcome, RegionScan
from slrwizard.tui.widgets.regions import RegionGrid


class GridApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RegionGrid(id="regions")


def scanned(region: str) -> RegionScan:
    return RegionScan(region=region, outcome=RegionOutcome.SCANNED)


def cell_text(grid: RegionGrid, region: str) -> str:
    index = grid.regions.index(region)
    row, column = divmod(index, grid._columns)
    return str(grid.get_cell_at((row, column)))  # type: ignore[arg-type]


async def test_show_all_changes_only_what_the_answers_did_not_show() -> None:
    app = GridApp()
    async with app.run_test(size=(100, 20)) as pilot:
        grid = app.query_one(RegionGrid)
        regions = ["us-east-1", "eu-west-1", "ap-south-1"]
        grid.reset(regions)
        answers = [scanned(r) for r in regions]
        for answer in answers:
            grid.record(answer)
        await pilot.pause()
        layouts: list[bool] = []
        updates: list[object] = []
        original_layout, original_update = grid._layout, grid.update_cell_at
        grid._layout = lambda force=False: layouts.append(force) or original_layout(force)  # type: ignore[method-assign]
        grid.update_cell_at = lambda *a, **k: updates.append(a) or original_update(*a, **k)  # type: ignore[method-assign]

        grid.show_all(answers)  # the finished scan: the very answers already shown
        assert not layouts and not updates

        denied = RegionScan(region="eu-west-1", outcome=RegionOutcome.DENIED, reason="AccessDenied")
        grid.show_all([answers[0], denied, answers[2]])  # one answer differs: one cell
        assert not layouts and len(updates) == 1
        assert "denied" in cell_text(grid, "eu-west-1")

        grid.show_all([*answers, scanned("sa-east-1")])  # other regions: laid out again
        assert layouts == [True]
        assert grid.regions == sorted([*regions, "sa-east-1"]) and grid.answered == 4
        assert "eu-west-1" in cell_text(grid, "eu-west-1")


def grid_lines(grid: RegionGrid) -> list[str]:
    """Every row of the grid as the terminal shows it."""
    return [
        "".join(segment.text for segment in grid.render_line(y)) for y in range(grid.rows_needed)
    ]


async def test_an_answer_renders_its_own_cell_again_and_no_other() -> None:
    app = GridApp()
    async with app.run_test(size=(100, 20)) as pilot:
        grid = app.query_one(RegionGrid)
        regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2"]
        grid.reset(regions)
        await pilot.pause()
        kept = grid._rendered_cells  # every rendering made and kept, one per cell and version
        before = grid_lines(grid)
        made = len(kept)
        assert made >= len(regions)  # the first frame's cells

        grid.record(scanned("us-west-1"))
        after = grid_lines(grid)
        assert len(kept) == made + 1  # the one cell that changed, not its row or the grid
        changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
        assert len(changed) == 1 and "✓ us-west-1" in after[changed[0]]

        assert grid_lines(grid) == after and len(kept) == made + 1  # nothing changed: none made

        grid.reset(regions)  # laid out again: every rendering forgotten, every cell made anew
        assert len(kept) == 0
        grid_lines(grid)
        assert len(kept) >= len(regions)
