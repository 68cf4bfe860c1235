"""The public-API check that CI runs on the package (``scripts/check_public_api.py``) can fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_public_api.py"

SAMPLE = """
from textual._compositor import Compositor
from rich.text import _re_whitespace
import textual._xterm_parser
from textual.widgets import DataTable


class Faster(DataTable[str]):
    def _render_cell(self, *args, **kwargs):
        return super()._render_cell(*args, **kwargs)

    def refresh_later(self) -> None:
        print(self._row_locations)

    def _our_own(self) -> None:
        self._mine = 1
"""


def _run(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_check_names_every_kind_of_private_use(tmp_path: Path) -> None:
    sample = tmp_path / "faster.py"
    sample.write_text(SAMPLE)
    done = _run(sample)
    assert done.returncode == 1
    found = done.stdout
    assert "imports from private module textual._compositor" in found
    assert "imports private name _re_whitespace from rich.text" in found
    assert "imports private module textual._xterm_parser" in found
    assert "Faster._render_cell overrides private" in found
    assert "calls super()._render_cell" in found
    assert "touches self._row_locations" in found
    # Our own private names are ours to use.
    assert "_our_own" not in found and "_mine" not in found
