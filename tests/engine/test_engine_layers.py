"""The layers hold: the domain imports neither AWS nor UI libraries, boto3/botocore live in
``slrwizard/aws`` only and textual in ``slrwizard/tui`` only."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "slrwizard"
FORBIDDEN_IN_DOMAIN = ("boto3", "botocore", "textual", "moto")


def test_importing_the_whole_domain_loads_no_aws_or_ui_library() -> None:
    modules = sorted(p.stem for p in (PACKAGE / "domain").glob("*.py") if p.stem != "__init__")
    assert {"models", "plan", "errors", "ports", "parse", "executor", "machine", "wizard"} <= set(
        modules
    )
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('slrwizard.domain.' + name)\n"
        f"bad = {FORBIDDEN_IN_DOMAIN!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in bad)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert json.loads(done.stdout) == []


def _imports(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, lazily or not."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize(
    ("library", "home"),
    [("boto3", "aws"), ("botocore", "aws"), ("textual", "tui")],
)
def test_each_library_is_imported_only_in_its_layer(library: str, home: str) -> None:
    assert len(SOURCES) > 20
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in SOURCES
        if library in _imports(path) and path.relative_to(PACKAGE).parts[0] != home
    ]
    assert offenders == []


def test_the_scan_sees_lazy_imports_too(tmp_path: Path) -> None:
    """The ``ast`` scan is the guard: make sure it notices an import inside a function."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    from botocore.exceptions import ClientError\n    import boto3\n"
    )
    assert _imports(sample) == {"botocore", "boto3"}
