"""The benchmarks (``benchmarks/``) at a tiny size, so that they never rot.

Benchmarks are not tests: they measure, and their targets depend on the machine. This only
proves that each script still runs end to end against the current code and prints its table:
all four run at once (a few regions, low latency, one repetition), in ~20 s on two cores.
Whether a target is met is not checked here; ``--check`` on a full-size run does that.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = {
    "scan": [
        *("--regions", "3", "--seeded-regions", "1", "--latency", "0.01", "--repeat", "1"),
        "--live-moto",
    ],
    "pipeline": [
        "--clusters",
        "2",
        "--regions",
        "2",
        "--time-scale",
        "0.02",
        "--poll",
        "0.05",
        "--latency",
        "0",
    ],
    "startup": ["--repeat", "1", "--skip-live"],
    "scale": [
        "--clusters",
        "12",
        "--instances",
        "24",
        "--regions",
        "2",
        "--latency",
        "0.01",
        "--live-moto",
    ],
}
# One worker runs them all: ``runs`` starts the four at once, once (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("benchmarks")
EXPECTED_ROWS = {
    "scan": "report / serial",
    "pipeline": "total / longest chain",
    "startup": "slrwizard --help",
    "scale": "keystroke during the scan: slowest",
}


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Start every benchmark at once, then wait for all of them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in TINY.items()
    }
    done = {}
    for name, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_runs_and_prints_its_table(
    runs: dict[str, subprocess.CompletedProcess[str]], name: str
) -> None:
    result = runs[name]
    assert result.returncode == 0, result.stderr[-3000:]
    rows = table_rows(result.stdout)
    assert rows, f"no results table:\n{result.stdout}"
    measured = {row[0]: row[2] for row in rows}
    wanted = [n for n in measured if n.startswith(EXPECTED_ROWS[name])]
    assert wanted, f"no row {EXPECTED_ROWS[name]!r}:\n{result.stdout}"
    for row_name, target, figure, verdict in rows:
        # every row says what was measured (never "nan"); a row with a target holds a figure
        # and is judged
        assert figure and "nan" not in figure.split(), (row_name, figure)
        if target != "-":
            assert re.search(r"\d", figure), (row_name, figure)
        assert verdict in (("PASS", "FAIL") if target != "-" else ("",)), (row_name, verdict)


def table_rows(stdout: str) -> list[tuple[str, str, str, str]]:
    """The body rows of every results table (``measure | target | measured | pass``)."""
    rows = []
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.split(" | ")]
        if len(cells) == 4 and cells != ["measure", "target", "measured", "pass"]:
            rows.append((cells[0], cells[1], cells[2], cells[3]))
    return rows


@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_has_help(name: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--check" in result.stdout
