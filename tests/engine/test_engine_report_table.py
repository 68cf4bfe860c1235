"""``report --format table`` follows the terminal's width and never cuts a name."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator

import pytest

pytestmark = pytest.mark.slow


Report = Callable[[str, int], str]


@pytest.fixture(scope="module")
def report() -> Iterator[Report]:
    """``slrwizard report --demo --format FMT`` with ``COLUMNS`` set, as the CLI runs it (in this
    process: each run builds its own demo account)."""
    from slrwizard.cli import main

    def run(fmt: str, columns: int) -> str:
        out = io.StringIO()
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("COLUMNS", str(columns))
            mp.setattr(sys, "stdout", out)
            code = main(["report", "--demo", "--format", fmt])
        assert code in (0, 3)  # 3: the demo has a denied region
        return out.getvalue()

    yield run


@pytest.fixture(scope="module")
def names(report: Report) -> list[str]:
    scan = json.loads(report("json", 120))["scan"]
    found = [r["identifier"] for r in scan_resources(scan)]
    assert found
    return found


def scan_resources(scan: dict[str, object]) -> list[dict[str, str]]:
    regions = scan["regions"]
    assert isinstance(regions, list)
    return [res for r in regions for res in (*r["clusters"], *r["instances"])]


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_every_identifier_is_shown_whole_at_any_width(
    columns: int, names: list[str], report: Report
) -> None:
    table = report("table", columns)
    assert "…" not in table
    for name in names:
        assert name in table


def test_a_wide_terminal_gets_a_table_within_its_width(report: Report) -> None:
    table = report("table", 160)
    resources = table.split("Resources that keep the role in use", 1)[1]
    rows = resources.split("Beside the databases:", 1)[0].splitlines()  # (lines, not a table)
    assert any(line.split()[:2] == ["region", "kind"] for line in rows)  # a real table
    assert all(len(line) <= 160 for line in rows)


def test_a_narrow_terminal_gets_one_line_per_resource(names: list[str], report: Report) -> None:
    text = report("table", 80)
    section = text.split("Resources that keep the role in use:", 1)[1]
    section = section.split("Beside the databases:", 1)[0].split("Verdict:", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("  ")]
    assert len(lines) == len(names)
    assert all("/" in line.split()[0] for line in lines)  # region/identifier first
