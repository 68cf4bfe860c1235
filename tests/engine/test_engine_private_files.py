"""Reports get the journal's care: readable by their owner only (0600), and the path is said."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from slrwizard.paths import write_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_private_ignores_a_permissive_umask_and_narrows_an_existing_file(
    tmp_path: Path,
) -> None:
    old = os.umask(0o002)
    try:
        fresh = write_private(tmp_path / "fresh.md", "report\n")
        existing = tmp_path / "existing.md"
        existing.write_text("old, longer text than the new one\n")
        existing.chmod(0o644)
        write_private(existing, "new\n")
    finally:
        os.umask(old)
    assert fresh == (tmp_path / "fresh.md").resolve()
    assert _mode(fresh) == 0o600 and fresh.read_text() == "report\n"
    assert _mode(existing) == 0o600 and existing.read_text() == "new\n"


@pytest.mark.slow
def test_report_output_is_private_and_its_path_is_said(tmp_path: Path) -> None:
    target = tmp_path / "account.md"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "slrwizard", "report", "--demo"),
            *("--format", "markdown", "--output", str(target)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 3), done.stderr
    assert _mode(target) == 0o600
    assert str(target.resolve()) in done.stderr
    assert "readable by you only" in done.stderr
