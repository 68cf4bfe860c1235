"""``report --format table`` follows the terminal's width and never cuts a name."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _report(fmt: str, columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run(
        [sys.executable, "-m", "slrwizard", "report", "--demo", "--format", fmt],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 3), done.stderr  # 3: the demo has a denied region
    return done.stdout


@pytest.fixture(scope="module")
def names() -> list[str]:
    report = json.loads(_report("json", 120))
    scan = report["scan"]
    found = [r["identifier"] for r in scan_resources(scan)]
    assert found
    return found


def scan_resources(scan: dict[str, object]) -> list[dict[str, str]]:
    regions = scan["regions"]
    assert isinstance(regions, list)
    return [res for r in regions for res in (*r["clusters"], *r["instances"])]


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_every_identifier_is_shown_whole_at_any_width(columns: int, names: list[str]) -> None:
    table = _report("table", columns)
    assert "…" not in table
    for name in names:
        assert name in table


def test_a_wide_terminal_gets_a_table_within_its_width() -> None:
    table = _report("table", 160)
    resources = table.split("Resources that keep the role in use", 1)[1]
    rows = resources.split("Beside the databases:", 1)[0].splitlines()  # (lines, not a table)
    assert any(line.split()[:2] == ["region", "kind"] for line in rows)  # a real table
    assert all(len(line) <= 160 for line in rows)


def test_a_narrow_terminal_gets_one_line_per_resource(names: list[str]) -> None:
    text = _report("table", 80)
    section = text.split("Resources that keep the role in use:", 1)[1]
    section = section.split("Beside the databases:", 1)[0].split("Verdict:", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("  ")]
    assert len(lines) == len(names)
    assert all("/" in line.split()[0] for line in lines)  # region/identifier first
